/**
 * Just enough of an MCP client over Streamable HTTP to put tokens in front of a server:
 * an `initialize` (the legacy handshake, which current dual-era servers still accept),
 * falling back to per-request metadata (MCP 2026-07-28) when the server has no handshake;
 * answers read as JSON or as an SSE stream. Every POST carries the request metadata
 * headers of 2026-07-28 (Mcp-Method, Mcp-Name); earlier servers ignore them.
 */
import { version as scannerVersion } from '../../package.json';
import { isJsonObject, type HttpReply, type ProbeHttp } from './http';

export const LEGACY_PROTOCOL_VERSION = '2025-11-25';
export const MODERN_PROTOCOL_VERSION = '2026-07-28';
export const CLIENT_INFO = { name: 'mcp-oauth-scan', version: scannerVersion };

export interface JsonRpcAnswer {
  readonly id?: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code?: unknown; readonly message?: unknown };
}

export interface McpPost {
  readonly method: string;
  readonly params?: Record<string, unknown>;
  /** Header values to send instead of the ones the body implies (to test header/body agreement). */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  /** A JSON-RPC notification: no id, no answer awaited. */
  readonly notification?: boolean;
}

export interface McpReply {
  readonly reply: HttpReply;
  /** The JSON-RPC answer to this request, when the body held one. */
  readonly answer?: JsonRpcAnswer;
}

let nextId = 1;

/** The JSON-RPC request body and the headers that go with it. */
export function mcpRequest(post: McpPost, session: { protocolVersion: string; sessionId?: string; token?: string; modern?: boolean }): { headers: Record<string, string>; body: string; id?: number } {
  const id = post.notification ? undefined : nextId++;
  const params = session.modern
    ? { ...post.params, _meta: { 'io.modelcontextprotocol/protocolVersion': session.protocolVersion, 'io.modelcontextprotocol/clientInfo': CLIENT_INFO, 'io.modelcontextprotocol/clientCapabilities': {} } }
    : post.params;
  const body = JSON.stringify({ jsonrpc: '2.0', ...(id === undefined ? {} : { id }), method: post.method, ...(params ? { params } : {}) });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': session.protocolVersion,
    'mcp-method': post.method,
  };
  const name = post.params?.name ?? post.params?.uri;
  if (typeof name === 'string' && ['tools/call', 'resources/read', 'prompts/get'].includes(post.method)) headers['mcp-name'] = name;
  if (session.sessionId) headers['mcp-session-id'] = session.sessionId;
  if (session.token !== undefined) headers.authorization = `Bearer ${session.token}`;
  for (const [key, value] of Object.entries(post.headers ?? {})) {
    if (value === undefined) delete headers[key];
    else headers[key] = value;
  }
  return { headers, body, id };
}

/** POST one JSON-RPC message to the MCP endpoint and read its answer. */
export async function postMcp(http: ProbeHttp, url: string, post: McpPost, session: { protocolVersion: string; sessionId?: string; token?: string; modern?: boolean }): Promise<McpReply> {
  const { headers, body, id } = mcpRequest(post, session);
  const reply = await http.send(url, { method: 'POST', headers, body, readUntil: id === undefined ? undefined : (text) => answerIn(text, id) !== undefined });
  return { reply, answer: id === undefined ? undefined : answerIn(reply.body, id) };
}

/** An unauthenticated (or token-carrying) `initialize`, the request every probe of the MCP endpoint sends. */
export function initializePost(): McpPost {
  return { method: 'initialize', params: { protocolVersion: LEGACY_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO } };
}

/** A session with the MCP server under one access token. */
export class McpSession {
  private constructor(
    readonly url: string,
    private readonly token: string,
    readonly protocolVersion: string,
    readonly modern: boolean,
    readonly sessionId: string | undefined,
  ) {}

  /** Opens a session; `session` is undefined when the server did not accept the token or the handshake. */
  static async open(http: ProbeHttp, url: string, token: string): Promise<{ session?: McpSession; initialize: McpReply }> {
    const initialize = await postMcp(http, url, initializePost(), { protocolVersion: LEGACY_PROTOCOL_VERSION, token });
    if (initialize.reply.status === 401 || initialize.reply.status === 403) return { initialize };
    const result = initialize.answer?.result;
    if (initialize.reply.status < 300 && isJsonObject(result) && typeof result.protocolVersion === 'string') {
      const sessionId = initialize.reply.headers.get('mcp-session-id') ?? undefined;
      const session = new McpSession(url, token, result.protocolVersion, false, sessionId);
      await session.post(http, { method: 'notifications/initialized', notification: true });
      return { session, initialize };
    }
    // No handshake (or not this version): a modern server takes the version with every request.
    const modern = new McpSession(url, token, MODERN_PROTOCOL_VERSION, true, undefined);
    const probe = await modern.post(http, { method: 'tools/list', params: {} });
    return probe.reply.status < 300 && probe.answer?.result !== undefined ? { session: modern, initialize } : { initialize };
  }

  post(http: ProbeHttp, post: McpPost): Promise<McpReply> {
    return postMcp(http, this.url, post, { protocolVersion: this.protocolVersion, sessionId: this.sessionId, token: this.token, modern: this.modern });
  }

  /** True when this server speaks a revision that requires header/body agreement. */
  get requiresRequestMetadata(): boolean {
    return this.protocolVersion >= MODERN_PROTOCOL_VERSION;
  }
}

/** The JSON-RPC answer with this id in a JSON body or an SSE stream, if it has arrived. */
export function answerIn(body: string, id: number): JsonRpcAnswer | undefined {
  for (const message of jsonRpcMessages(body)) {
    if (isJsonObject(message) && message.id === id && ('result' in message || 'error' in message)) return message as JsonRpcAnswer;
  }
  return undefined;
}

function jsonRpcMessages(body: string): unknown[] {
  const trimmed = body.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      return Array.isArray(parsed) ? parsed : [parsed];
    } catch {
      return [];
    }
  }
  // text/event-stream: events separated by a blank line, each data line a piece of one message.
  const messages: unknown[] = [];
  for (const event of body.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).replace(/^ /, ''))
      .join('\n');
    if (!data) continue;
    try {
      messages.push(JSON.parse(data));
    } catch {
      // an incomplete event (still arriving) or not JSON
    }
  }
  return messages;
}
