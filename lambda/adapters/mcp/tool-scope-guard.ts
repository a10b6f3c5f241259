/**
 * The tool-level half of the guard, for whatever sees the JSON-RPC body behind the
 * authorizer: the MCP step in front of an HTTP backend (mcp-step.ts), the demo server, and
 * an MCP server author's own Lambda (the guard library, lambda/guard). The authorizer never
 * sees the body, so this checks it: the granted scopes come from the authorizer context
 * (never from a token: the server gets no token), the route from the REST resource API
 * Gateway matched, the tool rules from the configuration, and `Mcp-Method`/`Mcp-Name` must
 * agree with the body (400 HeaderMismatch), or a client could name one tool in a header and
 * call another. A client that sends no `Mcp-*` header gets the same decision as one that does.
 *
 *   const verdict = guardMcpRequest(event, resource, parsedBody);
 *   if (!verdict.ok) return verdict.response;
 *   // verdict.identity: { subject, clientId, scopes, ... }
 *
 * About the 403: it names the scopes the whole operation needs, its route's and its tools'
 * (RFC 6750 section 3.1; MCP SEP-2350: the scopes of the current operation, which the client
 * adds to what it holds). API Gateway renames a WWW-Authenticate header that an integration
 * returns to x-amzn-remapped-www-authenticate; the edge restores it (docs/guard.md, "The
 * edge"), and the JSON-RPC error's `data` carries the same challenge.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ResourceConfig } from '../../core/config';
import { compileAccessRules, type AccessRules } from '../../core/guard/access-decision';
import { insufficientScopeChallenge, unauthorizedChallenge } from '../../core/guard/challenges';
import { toolDecisionRecords, type GuardAudit } from '../../core/guard/decision-audit';
import { decideToolRequest, HEADER_MISMATCH_ERROR_CODE, mcpRequestHeaders, type McpRequestHeaders, type ToolCallDecision } from '../../core/guard/mcp-request-rules';
import { parseScopeString } from '../../core/scopes';
import { eventHeaders } from '../apigw/event-headers';

/** JSON-RPC error code of a refusal for lack of scope (implementation-defined range). */
export const INSUFFICIENT_SCOPE_ERROR_CODE = -32003;

/** The identity the authorizer vouched for, from its context. */
export interface GuardIdentity {
  readonly subject: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly jti: string;
  readonly familyId?: string;
}

export type McpGuardVerdict =
  | { readonly ok: true; readonly identity: GuardIdentity; readonly toolCalls: readonly ToolCallDecision[] }
  /** toolCalls: the calls decided before the refusal (none for a 401 or a header mismatch). */
  | { readonly ok: false; readonly response: APIGatewayProxyResult; readonly toolCalls: readonly ToolCallDecision[] };

export interface GuardMcpRequestOptions {
  /** One audit record per tool decision (docs/guard.md, "Audit lines"). @default none */
  readonly audit?: GuardAudit;
}

type GuardedEvent = Pick<APIGatewayProxyEvent, 'requestContext' | 'headers' | 'multiValueHeaders' | 'resource' | 'httpMethod'>;

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

/** Route rules are compiled once per resource, not per request. */
const compiledRules = new WeakMap<ResourceConfig, AccessRules>();

function rulesOf(resource: ResourceConfig): AccessRules {
  let rules = compiledRules.get(resource);
  if (!rules) compiledRules.set(resource, (rules = compileAccessRules(resource)));
  return rules;
}

/** The scopes of the route API Gateway matched (the authorizer already required them). */
export function routeScopesOf(event: Pick<APIGatewayProxyEvent, 'resource' | 'httpMethod'>, resource: ResourceConfig): readonly string[] {
  return rulesOf(resource).routeFor(event.resource, event.httpMethod ?? '')?.scopes ?? [];
}

export function guardMcpRequest(event: GuardedEvent, resource: ResourceConfig, body: unknown, options: GuardMcpRequestOptions = {}): McpGuardVerdict {
  const identity = identityFromEvent(event);
  if (!identity) {
    return {
      ok: false,
      response: json(401, { 'WWW-Authenticate': unauthorizedChallenge(resource) }, { error: 'invalid_token', error_description: 'A valid access token is required' }),
      toolCalls: [],
    };
  }
  const decision = decideToolRequest(resource, routeScopesOf(event, resource), mcpHeadersFromEvent(event), body, identity.scopes);
  const id = requestId(body);
  if (decision.effect === 'header_mismatch') {
    return { ok: false, response: json(400, {}, { jsonrpc: '2.0', id, error: { code: HEADER_MISMATCH_ERROR_CODE, message: `HeaderMismatch: ${decision.description}` } }), toolCalls: [] };
  }
  const forwarded = decision.effect === 'allow';
  if (options.audit) for (const record of toolDecisionRecords({ resource: resource.uri, subject: identity.subject, clientId: identity.clientId }, decision.calls, forwarded)) options.audit(record);
  if (decision.effect === 'insufficient_scope') return { ok: false, response: insufficientScopeResponse(resource, decision.requiredScopes, id), toolCalls: decision.calls };
  return { ok: true, identity, toolCalls: decision.calls };
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
