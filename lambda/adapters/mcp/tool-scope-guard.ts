/**
 * The helper an MCP server behind the guard's authorizer uses to enforce tool-level scopes.
 * The authorizer never sees the JSON-RPC body, so the integration checks it: the granted
 * scopes come from the authorizer context (never from a token: the server gets no token),
 * the tool rules from the configuration, and `Mcp-Method`/`Mcp-Name` must agree with the
 * body (400 HeaderMismatch), or a client could show the authorizer one tool and call another.
 *
 *   const verdict = guardMcpRequest(event, resource, parsedBody);
 *   if (!verdict.ok) return verdict.response;
 *   // verdict.identity: { subject, clientId, scopes, ... }
 *
 * About the 403: API Gateway renames a WWW-Authenticate header that an integration returns to
 * x-amzn-remapped-www-authenticate. Current clients (MCP 2026-07-28) send `Mcp-Name`, and the
 * authorizer refuses them first, through API Gateway's own ACCESS_DENIED response, with a
 * standard header. For older clients this 403 is the only refusal: it carries the precise
 * challenge in WWW-Authenticate (intact on hosts that do not rename it, renamed behind API
 * Gateway) and in the JSON-RPC error's `data`.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ResourceConfig } from '../../core/config';
import { insufficientScopeChallenge, unauthorizedChallenge } from '../../core/guard/challenges';
import { decideToolRequest, HEADER_MISMATCH_ERROR_CODE, mcpRequestHeaders, type McpRequestHeaders } from '../../core/guard/mcp-request-rules';
import { parseScopeString } from '../../core/scopes';
import { eventHeaders } from '../apigw/event-headers';

/** JSON-RPC error code of a refusal for lack of scope (implementation-defined range). */
export const INSUFFICIENT_SCOPE_ERROR_CODE = -32003;

export interface GuardIdentity {
  readonly subject: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly jti: string;
  readonly familyId?: string;
}

export type McpGuardVerdict = { readonly ok: true; readonly identity: GuardIdentity } | { readonly ok: false; readonly response: APIGatewayProxyResult };

/** The identity the authorizer vouched for; undefined when the request did not pass through it (a deployment error). */
export function identityFromEvent(event: Pick<APIGatewayProxyEvent, 'requestContext'>): GuardIdentity | undefined {
  const context = (event.requestContext?.authorizer ?? {}) as Record<string, unknown>;
  const scopes = typeof context.scope === 'string' ? parseScopeString(context.scope) : undefined;
  const text = (key: string) => (typeof context[key] === 'string' && context[key] !== '' ? (context[key] as string) : undefined);
  const subject = text('sub');
  const clientId = text('client_id');
  const jti = text('jti');
  if (!subject || !clientId || !jti || !scopes) return undefined;
  return { subject, clientId, scopes, jti, familyId: text('family') };
}

const MCP_HEADERS: ReadonlySet<string> = new Set(['mcp-method', 'mcp-name']);

export function mcpHeadersFromEvent(event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>): McpRequestHeaders {
  const headers = eventHeaders(event, MCP_HEADERS);
  return mcpRequestHeaders({ method: headers['mcp-method'], name: headers['mcp-name'] });
}

export function guardMcpRequest(event: Pick<APIGatewayProxyEvent, 'requestContext' | 'headers' | 'multiValueHeaders'>, resource: ResourceConfig, body: unknown): McpGuardVerdict {
  const identity = identityFromEvent(event);
  if (!identity) {
    return {
      ok: false,
      response: json(401, { 'WWW-Authenticate': unauthorizedChallenge(resource) }, { error: 'invalid_token', error_description: 'A valid access token is required' }),
    };
  }
  const decision = decideToolRequest(resource, mcpHeadersFromEvent(event), body, identity.scopes);
  const id = requestId(body);
  if (decision.effect === 'header_mismatch') {
    return { ok: false, response: json(400, {}, { jsonrpc: '2.0', id, error: { code: HEADER_MISMATCH_ERROR_CODE, message: `HeaderMismatch: ${decision.description}` } }) };
  }
  if (decision.effect === 'insufficient_scope') return { ok: false, response: insufficientScopeResponse(resource, decision.requiredScopes, id) };
  return { ok: true, identity };
}

export function insufficientScopeResponse(resource: ResourceConfig, requiredScopes: readonly string[], id: unknown = null): APIGatewayProxyResult {
  const challenge = insufficientScopeChallenge(resource, requiredScopes);
  return json(403, { 'WWW-Authenticate': challenge }, {
    jsonrpc: '2.0',
    id,
    error: {
      code: INSUFFICIENT_SCOPE_ERROR_CODE,
      message: `Insufficient scope: this call needs ${requiredScopes.join(' ')}`,
      data: { error: 'insufficient_scope', scope: requiredScopes.join(' '), www_authenticate: challenge },
    },
  });
}

function requestId(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const id = (body as Record<string, unknown>).id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}

function json(statusCode: number, headers: Record<string, string>, body: unknown): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}
