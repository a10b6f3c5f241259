/**
 * Tool-level rules for MCP requests, shared by the authorizer (which sees only headers) and
 * the MCP server integration (which sees the JSON-RPC body).
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

/** The tool-level scopes a request names through its headers, or undefined when the headers name no tool. */
export function toolScopesFromHeaders(resource: Pick<ResourceConfig, 'tools'>, headers: McpRequestHeaders): readonly string[] | undefined {
  if (headers.method !== 'tools/call' || headers.name === undefined) return undefined;
  return toolScopes(resource, headers.name);
}

interface JsonRpcRequestLike {
  readonly method?: unknown;
  readonly params?: unknown;
}

/** The tool-level scopes the JSON-RPC body needs: the union over every tools/call in it (batches included). */
export function toolScopesFromBody(resource: Pick<ResourceConfig, 'tools'>, body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  const needed: (readonly string[])[] = [];
  for (const message of messages) {
    if (!isObject(message) || message.method !== 'tools/call') continue;
    const name = isObject(message.params) ? message.params.name : undefined;
    if (typeof name === 'string') needed.push(toolScopes(resource, name));
  }
  return unionScopes(...needed);
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

/** The decision of the integration for one request body, given what the token grants. */
export type ToolDecision =
  | { readonly effect: 'allow' }
  | { readonly effect: 'header_mismatch'; readonly description: string }
  | { readonly effect: 'insufficient_scope'; readonly requiredScopes: readonly string[] };

export function decideToolRequest(resource: Pick<ResourceConfig, 'tools'>, headers: McpRequestHeaders, body: unknown, granted: readonly string[]): ToolDecision {
  const check = checkMcpHeadersAgainstBody(headers, body);
  if (!check.ok) return { effect: 'header_mismatch', description: check.description };
  const required = toolScopesFromBody(resource, body);
  return missingScopes(required, granted).length ? { effect: 'insufficient_scope', requiredScopes: required } : { effect: 'allow' };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
