/**
 * The MCP step: a small MCP-aware proxy between the guard's authorizer and an MCP server
 * over HTTP (resources[].backend.httpUrl), so any MCP server, in any language, gets the same
 * identity and tool scopes as one built on the guard library. On AWS it is a Lambda proxy
 * integration with response streaming; in local mode the same handler runs behind the
 * emulator. For each request it:
 *
 *  - reads the identity from the authorizer context (never a token: it has none);
 *  - for a POST, parses the JSON-RPC body and applies the tool rules (tool-scope-guard.ts:
 *    header against body, batches, 403 insufficient_scope naming what the operation needs);
 *    the backend receives the body as the step parsed it, so the backend and the guard can
 *    never read two different requests out of one text (duplicate members, odd spellings);
 *  - drops what the client must not hand the backend: Authorization (no token passthrough),
 *    cookies, hop-by-hop headers, the edge's origin secret, and every `X-MCP-OAuth-*` header
 *    it sent, then adds the verified identity (identity-headers.ts) and the shared secret;
 *  - forwards to the backend URL (the resource path replaced by the backend's path) and
 *    streams the answer back as it arrives, SSE included.
 *
 * A backend that does not answer within the timeout is a 504, one that cannot be reached a
 * 502: JSON-RPC errors, never a hang.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { ResourceConfig } from '../../core/config';
import type { GuardAudit } from '../../core/guard/decision-audit';
import { restResourcePath } from '../../core/guard/route-table';
import { eventBody } from '../apigw/proxy-event';
import { eventHeaders, eventQuery } from '../apigw/event-headers';
import type { StreamingProxyResult } from '../apigw/streaming-response';
import { noMcpStepMetrics, type McpStepMetrics } from '../observability/emf-operational-metrics';
import { GUARD_HEADER_PREFIX, identityHeaders } from './identity-headers';
import { guardMcpRequest } from './tool-scope-guard';

export interface McpStepDeps {
  readonly resource: ResourceConfig;
  /** Where the backend is (resource.backend.httpUrl). */
  readonly backendUrl: string;
  /** The shared secret header, its value already read (Secrets Manager on AWS, the config locally). */
  readonly sharedSecret?: { readonly header: string; readonly value: string };
  /** How long the backend may take to start its answer. @default 25 s, under API Gateway's 29 s */
  readonly backendTimeoutMs?: number;
  readonly audit?: GuardAudit;
  readonly metrics?: McpStepMetrics;
  readonly fetch?: typeof fetch;
}

export type McpStepHandler = (event: APIGatewayProxyEvent) => Promise<StreamingProxyResult>;

/** Request headers that describe this hop, not the request (RFC 9110 section 7.6.1), or that must not reach the backend. */
const DROPPED_REQUEST_HEADERS = new Set([
  'authorization', 'cookie', 'host', 'content-length', 'connection', 'keep-alive', 'proxy-authorization', 'proxy-connection',
  'te', 'trailer', 'transfer-encoding', 'upgrade', 'expect', 'accept-encoding', 'x-origin-verify',
]);
/** Response headers of the backend hop: fetch has already decoded the body, and API Gateway frames it anew. */
const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-encoding', 'content-length', 'trailer', 'upgrade']);

const DEFAULT_BACKEND_TIMEOUT_MS = 25_000;

export function createMcpStepHandler(deps: McpStepDeps): McpStepHandler {
  const send = deps.fetch ?? fetch;
  const metrics = deps.metrics ?? noMcpStepMetrics;
  const timeoutMs = deps.backendTimeoutMs ?? DEFAULT_BACKEND_TIMEOUT_MS;
  const base = new URL(deps.backendUrl);
  const resourcePath = restResourcePath(new URL(deps.resource.uri).pathname);
  const droppedNames = new Set([...DROPPED_REQUEST_HEADERS, ...(deps.sharedSecret ? [deps.sharedSecret.header.toLowerCase()] : [])]);

  return async (event) => {
    let body: string | undefined = eventBody(event);
    let parsed: unknown;
    if (event.httpMethod === 'POST') {
      try {
        parsed = JSON.parse(body ?? '');
      } catch {
        return jsonRpcError(400, null, -32700, 'Parse error: the body is not JSON');
      }
    }
    const verdict = guardMcpRequest(event, deps.resource, parsed, { audit: deps.audit });
    for (const call of verdict.toolCalls) metrics.toolDecided(verdict.ok && call.missingScopes.length === 0);
    if (!verdict.ok) return { statusCode: verdict.response.statusCode, headers: stringHeaders(verdict.response.headers), body: verdict.response.body };
    if (event.httpMethod === 'POST') body = JSON.stringify(parsed);

    const headers = new Headers();
    for (const [name, values] of Object.entries(eventHeaders(event))) {
      if (droppedNames.has(name) || name.startsWith(GUARD_HEADER_PREFIX)) continue;
      for (const value of values) headers.append(name, value);
    }
    for (const [name, value] of Object.entries(identityHeaders(verdict.identity))) headers.set(name, value);
    if (deps.sharedSecret) headers.set(deps.sharedSecret.header, deps.sharedSecret.value);

    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let response: Response;
    try {
      response = await send(backendUrlFor(base, resourcePath, event), {
        method: event.httpMethod,
        headers,
        body: body === undefined || event.httpMethod === 'GET' || event.httpMethod === 'HEAD' ? undefined : body,
        signal: abort.signal,
        redirect: 'manual',
      });
    } catch {
      metrics.backendFailed();
      return abort.signal.aborted
        ? jsonRpcError(504, requestIdOf(parsed), -32000, 'The MCP server behind the guard did not answer in time')
        : jsonRpcError(502, requestIdOf(parsed), -32000, 'The MCP server behind the guard cannot be reached');
    } finally {
      // The timeout bounds the wait for the answer to start; a stream may then run as long as the backend keeps it open.
      clearTimeout(timer);
    }
    const single: Record<string, string> = {};
    const multi: Record<string, string[]> = {};
    response.headers.forEach((value, name) => {
      if (DROPPED_RESPONSE_HEADERS.has(name) || name === 'set-cookie') return;
      single[name] = value;
    });
    const cookies = response.headers.getSetCookie();
    if (cookies.length) multi['set-cookie'] = cookies;
    return { statusCode: response.status, headers: single, multiValueHeaders: multi, body: response.body ? chunksOf(response.body) : '' };
  };
}

/** The backend URL of a request: the resource path replaced by the backend URL's path, the query kept. */
export function backendUrlFor(base: URL, resourcePath: string, event: Pick<APIGatewayProxyEvent, 'path' | 'queryStringParameters' | 'multiValueQueryStringParameters'>): URL {
  const path = event.path || '/';
  const rest = resourcePath === '/' ? path : path.startsWith(resourcePath) ? path.slice(resourcePath.length) : path;
  const url = new URL(base.href);
  url.pathname = `${base.pathname.replace(/\/$/, '')}${rest}` || '/';
  const query = new URLSearchParams();
  for (const [name, values] of Object.entries(eventQuery(event))) for (const value of values) query.append(name, value);
  url.search = query.toString();
  return url;
}

async function* chunksOf(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      if (value?.length) yield value;
    }
  } finally {
    // A client that went away stops the backend's stream too.
    await reader.cancel().catch(() => undefined);
  }
}

function requestIdOf(body: unknown): string | number | null {
  const id = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).id : undefined;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function stringHeaders(headers: Record<string, string | number | boolean> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

function jsonRpcError(statusCode: number, id: string | number | null, code: number, message: string): StreamingProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } }) };
}
