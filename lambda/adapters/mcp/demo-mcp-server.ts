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
import { createDemoMcpServer, createDemoStats } from './demo-tools';
import { unknownSessionResponse } from './stateless-session';
import { guardMcpRequest } from './tool-scope-guard';

export interface DemoMcpServerDeps {
  readonly config: Config;
  readonly resource: ResourceConfig;
  readonly clock?: Clock;
  /** One audit record per tool decision. @default none */
  readonly audit?: GuardAudit;
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

    const server = createDemoMcpServer(deps.resource, verdict.identity, stats, () => clock.nowMs());
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

