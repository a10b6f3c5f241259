/**
 * API Gateway REST API (payload v1) Lambda proxy events to and from the core's HttpRequest
 * and HttpResponse. The multi-valued views are the source of truth (event-headers.ts): OAuth
 * must see a parameter or header sent twice (RFC 6749 section 3.1).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { HttpRequest, HttpResponse } from '../../core/http';
import { eventHeaders, eventQuery } from './event-headers';

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export function toHttpRequest(event: APIGatewayProxyEvent): HttpRequest {
  return {
    method: event.httpMethod.toUpperCase(),
    path: normalizePath(event.path),
    query: eventQuery(event),
    headers: eventHeaders(event),
    body: eventBody(event),
    sourceIp: event.requestContext?.identity?.sourceIp || undefined,
  };
}

export function toProxyResult(response: HttpResponse): APIGatewayProxyResult {
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(response.multiValueHeaders ?? {})) {
    if (values.length) multiValueHeaders[name] = [...values];
  }
  return {
    statusCode: response.status,
    headers: { ...response.headers },
    ...(Object.keys(multiValueHeaders).length ? { multiValueHeaders } : {}),
    body: response.body,
    isBase64Encoded: false,
  };
}

/** The body as text (base64 decoded when API Gateway encoded it), or undefined when there is none. */
export function eventBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): string | undefined {
  const { body } = event;
  if (body === null || body === undefined || body === '') return undefined;
  return event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}

function normalizePath(path: string | null | undefined): string {
  if (!path) return '/';
  return path.startsWith('/') ? path : `/${path}`;
}
