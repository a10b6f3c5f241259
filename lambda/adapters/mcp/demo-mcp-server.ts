/**
 * The demo MCP server as an API Gateway proxy integration behind the guard's authorizer: a
 * stateless Streamable HTTP server built with the official SDK, one McpServer and transport
 * per invocation (nothing survives between requests, so any Lambda instance can answer any
 * request), JSON responses instead of SSE (a proxy integration returns one body). It
 * issues no Mcp-Session-Id, so a request naming one gets 404 (stateless-session.ts).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Config, ResourceConfig } from '../../core/config';
import type { GuardAudit } from '../../core/guard/decision-audit';
import type { Clock } from '../../core/ports';
import { eventHeaders } from '../apigw/event-headers';
import { eventBody, type ProxyHandler } from '../apigw/proxy-event';
import { systemClock } from '../system/system-clock';
import { createDemoMcpServer, createDemoStats, type DownstreamCaller } from './demo-tools';
import type { TokenExchanger } from './token-exchanger';
import { bearerToken } from '../../core/tokens/bearer-token';
import { unknownSessionResponse } from './stateless-session';
import { guardMcpRequest } from './tool-scope-guard';

export interface DemoMcpServerDeps {
  readonly config: Config;
  readonly resource: ResourceConfig;
  readonly clock?: Clock;
  /** One audit record per tool decision. @default none */
  readonly audit?: GuardAudit;
  /** Exchanges the caller's token for downstream calls (resource.downstream[]); absent: no downstream tool. */
  readonly exchanger?: TokenExchanger;
}

/** Request headers the SDK must not see: the token stays at the edge (no token passthrough). */
const DROPPED_HEADERS = new Set(['authorization', 'cookie', 'host', 'content-length', 'connection']);

export function createDemoMcpHandler(deps: DemoMcpServerDeps): ProxyHandler {
  const clock = deps.clock ?? systemClock;
  const stats = createDemoStats(clock.nowMs());

  return async (event) => {
    if (event.httpMethod !== 'POST') {
      // Stateless: no standalone SSE stream to GET and no session to DELETE.
      return { statusCode: 405, headers: { Allow: 'POST', 'Content-Type': 'application/json' }, body: JSON.stringify(jsonRpcError(null, -32000, 'Method not allowed: this server is stateless, use POST')) };
    }
    const text = eventBody(event) ?? '';
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { statusCode: 400, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(jsonRpcError(null, -32700, 'Parse error')) };
    }
    const verdict = guardMcpRequest(event, deps.resource, body, { audit: deps.audit });
    if (!verdict.ok) return verdict.response;
    // Authorization first, transport semantics second: the session answer is for callers the guard let through.
    const unknownSession = unknownSessionResponse(event);
    if (unknownSession) return unknownSession;

    const server = createDemoMcpServer(deps.resource, verdict.identity, stats, () => clock.nowMs(), downstreamCaller(deps, event));
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    try {
      await server.connect(transport);
      const response = await transport.handleRequest(toWebRequest(event, deps.resource, text), {
        parsedBody: body,
        // The SDK's AuthInfo wants a token; the server never holds one, by design.
        authInfo: { token: '', clientId: verdict.identity.clientId, scopes: [...verdict.identity.scopes], extra: { sub: verdict.identity.subject } },
      });
      return await toProxyResult(response);
    } finally {
      await server.close();
    }
  };
}

/**
 * What the downstream tool calls with: the token this request carried, exchanged (never
 * passed on). The guard has already accepted that token; it stays out of the SDK.
 */
function downstreamCaller(deps: DemoMcpServerDeps, event: APIGatewayProxyEvent): DownstreamCaller | undefined {
  const downstream = deps.resource.downstream[0];
  if (!deps.exchanger || !downstream) return undefined;
  const exchanger = deps.exchanger;
  return async () => {
    const authorization = eventHeaders(event).authorization;
    const token = authorization?.length === 1 ? bearerToken(authorization[0]) : undefined;
    if (!token) throw new Error('no bearer token to exchange');
    const exchanged = await exchanger.exchange(token, { resource: downstream.resource });
    const response = await fetch(downstream.resource, { headers: { authorization: `Bearer ${exchanged}`, accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
    return { status: response.status, body: await response.text() };
  };
}

function toWebRequest(event: APIGatewayProxyEvent, resource: ResourceConfig, body: string): Request {
  const headers = new Headers();
  for (const [name, values] of Object.entries(eventHeaders(event))) {
    if (DROPPED_HEADERS.has(name)) continue;
    for (const value of values) headers.append(name, value);
  }
  return new Request(resource.uri, { method: 'POST', headers, body });
}

async function toProxyResult(response: Response): Promise<APIGatewayProxyResult> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { statusCode: response.status, headers, body: await response.text() };
}

function jsonRpcError(id: unknown, code: number, message: string) {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

