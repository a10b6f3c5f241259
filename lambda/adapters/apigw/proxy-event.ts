/**
 * API Gateway REST API (payload v1) Lambda proxy events to and from the core's HttpRequest
 * and HttpResponse. The multi-valued views are the source of truth: OAuth must see a
 * parameter or header sent twice (RFC 6749 section 3.1), and the single-valued `headers`
 * and `queryStringParameters` keep only the last value.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { recordOfSentNames, type HttpRequest, type HttpResponse } from '../../core/http';

export function toHttpRequest(event: APIGatewayProxyEvent): HttpRequest {
  return {
    method: event.httpMethod.toUpperCase(),
    path: normalizePath(event.path),
    query: multiValued(event.multiValueQueryStringParameters, event.queryStringParameters, false),
    headers: multiValued(event.multiValueHeaders, event.headers, true),
    body: decodeBody(event.body, event.isBase64Encoded),
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

function normalizePath(path: string | null | undefined): string {
  if (!path) return '/';
  return path.startsWith('/') ? path : `/${path}`;
}

function multiValued(
  multi: Record<string, string[] | undefined> | null | undefined,
  single: Record<string, string | undefined> | null | undefined,
  lowerCaseNames: boolean,
): Record<string, string[]> {
  const out = recordOfSentNames<string[]>();
  const name = (key: string) => (lowerCaseNames ? key.toLowerCase() : key);
  if (multi && Object.keys(multi).length) {
    for (const [key, values] of Object.entries(multi)) {
      if (!values) continue;
      // Headers that differ only in case are one header: keep every value, in order.
      (out[name(key)] ??= []).push(...values);
    }
    return out;
  }
  for (const [key, value] of Object.entries(single ?? {})) {
    if (value !== undefined) (out[name(key)] ??= []).push(value);
  }
  return out;
}

function decodeBody(body: string | null | undefined, isBase64Encoded: boolean): string | undefined {
  if (body === null || body === undefined || body === '') return undefined;
  return isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}
