/**
 * Tool-level rules for MCP requests, applied where the JSON-RPC body is seen: the MCP step in
 * front of an HTTP backend, and an MCP server that uses the guard library itself. The
 * authorizer never sees the body and decides only the route.
 *
 * MCP 2026-07-28 clients send `Mcp-Method` on every POST and `Mcp-Name` on tools/call,
 * resources/read and prompts/get; the server must reject a header that disagrees with the
 * body (HTTP 400, JSON-RPC error -32020 HeaderMismatch), or a client could name one tool to
 * the authorizer and call another.
 */
import type { ResourceConfig } from '../config';
import { missingScopes, unionScopes } from '../scopes';

export const HEADER_MISMATCH_ERROR_CODE = -32020;

/** The body field each method's `Mcp-Name` header mirrors. */
const MCP_NAME_SOURCE: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

const BASE64_PREFIX = '=?base64?';
const BASE64_SUFFIX = '?=';

export interface McpRequestHeaders {
  readonly method?: string;
  readonly name?: string;
}

/**
 * Decodes an `Mcp-*` header value: plain ASCII as is, or `=?base64?<utf8 base64>?=` for
 * anything else. Undefined when the sentinel form does not decode cleanly.
 */
export function decodeMcpHeaderValue(raw: string): string | undefined {
  if (!raw.startsWith(BASE64_PREFIX) || !raw.endsWith(BASE64_SUFFIX)) return raw;
  const encoded = raw.slice(BASE64_PREFIX.length, raw.length - BASE64_SUFFIX.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded)) return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  return decoded.includes('\uFFFD') ? undefined : decoded;
}

/**
 * The `Mcp-Method` and `Mcp-Name` of a request from every value each header was sent with.
 * A repeated or undecodable header cannot be matched against the body, so it becomes a value
 * no body has: a mismatch by construction at the integration, and no tool at the authorizer.
 */
export function mcpRequestHeaders(sent: { readonly method?: readonly string[]; readonly name?: readonly string[] }): McpRequestHeaders {
  return { method: singleMcpHeader(sent.method), name: singleMcpHeader(sent.name) };
}

function singleMcpHeader(values: readonly string[] | undefined): string | undefined {
  if (values === undefined || values.length === 0) return undefined;
  return values.length === 1 ? decodeMcpHeaderValue(values[0]!) ?? '\u0000undecodable' : '\u0000repeated';
}

/** The scopes a call of this tool needs beyond the route's; a tool without a rule needs none. */
export function toolScopes(resource: Pick<ResourceConfig, 'tools'>, toolName: string): readonly string[] {
  return resource.tools.find((t) => t.name === toolName)?.scopes ?? [];
}

interface JsonRpcRequestLike {
  readonly method?: unknown;
  readonly params?: unknown;
}

/** The name of every tools/call in a JSON-RPC body (a batch included), in order. */
export function toolCallsIn(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  const names: string[] = [];
  for (const message of messages) {
    if (!isObject(message) || message.method !== 'tools/call') continue;
    const name = isObject(message.params) ? message.params.name : undefined;
    if (typeof name === 'string') names.push(name);
  }
  return names;
}

/** The tool-level scopes the JSON-RPC body needs: the union over every tools/call in it (batches included). */
export function toolScopesFromBody(resource: Pick<ResourceConfig, 'tools'>, body: unknown): string[] {
  return unionScopes(...toolCallsIn(body).map((name) => toolScopes(resource, name)));
}

export type HeaderCheck = { readonly ok: true } | { readonly ok: false; readonly description: string };

/**
 * Header versus body (MCP 2026-07-28 "Request Metadata"). Clients of earlier revisions send
 * neither header and pass; a header that is present must agree with a single JSON-RPC
 * request, and a method that mirrors a name must carry `Mcp-Name` when `Mcp-Method` is sent.
 */
export function checkMcpHeadersAgainstBody(headers: McpRequestHeaders, body: unknown): HeaderCheck {
  if (headers.method === undefined && headers.name === undefined) return { ok: true };
  if (!isObject(body) || Array.isArray(body)) return { ok: false, description: 'Mcp-Method and Mcp-Name describe a single JSON-RPC message' };
  const message = body as JsonRpcRequestLike;
  if (headers.method !== undefined && headers.method !== message.method) return { ok: false, description: 'Mcp-Method does not match the body' };
  const method = typeof message.method === 'string' ? message.method : '';
  const field = Object.hasOwn(MCP_NAME_SOURCE, method) ? MCP_NAME_SOURCE[method] : undefined;
  const bodyName = field && isObject(message.params) ? message.params[field] : undefined;
  if (field === undefined) {
    return headers.name === undefined ? { ok: true } : { ok: false, description: 'Mcp-Name is not expected for this method' };
  }
  if (headers.name === undefined) {
    return headers.method === undefined || typeof bodyName !== 'string' ? { ok: true } : { ok: false, description: 'Mcp-Name is missing' };
  }
  return headers.name === bodyName ? { ok: true } : { ok: false, description: 'Mcp-Name does not match the body' };
}

/** One tools/call of a request and what decided it: the scopes it needs (route and tool) and those the token lacks. */
export interface ToolCallDecision {
  readonly tool: string;
  readonly requiredScopes: readonly string[];
  readonly missingScopes: readonly string[];
}

/** The decision on one request body, given the route's scopes and what the token grants. */
export type ToolDecision =
  | { readonly effect: 'allow'; readonly calls: readonly ToolCallDecision[] }
  | { readonly effect: 'header_mismatch'; readonly description: string }
  /** requiredScopes: what the whole operation needs (route and every tool it calls), for the challenge (SEP-2350). */
  | { readonly effect: 'insufficient_scope'; readonly requiredScopes: readonly string[]; readonly calls: readonly ToolCallDecision[] };

export function decideToolRequest(resource: Pick<ResourceConfig, 'tools'>, routeScopes: readonly string[], headers: McpRequestHeaders, body: unknown, granted: readonly string[]): ToolDecision {
  const check = checkMcpHeadersAgainstBody(headers, body);
  if (!check.ok) return { effect: 'header_mismatch', description: check.description };
  const calls = toolCallsIn(body).map((tool): ToolCallDecision => {
    const requiredScopes = unionScopes(routeScopes, toolScopes(resource, tool));
    return { tool, requiredScopes, missingScopes: missingScopes(requiredScopes, granted) };
  });
  if (!calls.some((call) => call.missingScopes.length)) return { effect: 'allow', calls };
  return { effect: 'insufficient_scope', requiredScopes: unionScopes(routeScopes, ...calls.map((call) => call.requiredScopes)), calls };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
