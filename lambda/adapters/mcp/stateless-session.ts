/**
 * A stateless MCP server (Streamable HTTP without sessions) never issues an
 * `Mcp-Session-Id`, so a request that carries one names a session that does not exist
 * here: perhaps another server's, perhaps one taken from another user (docs/security.md, case 43).
 * The MCP Streamable HTTP transport says a server answers such a request 404 Not Found, and
 * a client that gets 404 starts a new session (a fresh initialize) instead of believing it
 * continues one.
 *
 * The handler calls this after the authorizer and the tool-scope guard: without a valid
 * token the request never gets here (401), so the 404 tells an anonymous caller nothing.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { eventHeaders } from '../apigw/event-headers';

const SESSION_HEADER: ReadonlySet<string> = new Set(['mcp-session-id']);

/** The JSON-RPC error code the MCP SDK's own servers use for an unknown session. */
export const SESSION_NOT_FOUND_ERROR_CODE = -32001;

export function namesASession(event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>): boolean {
  return Object.keys(eventHeaders(event, SESSION_HEADER)).length > 0;
}

/** 404 for any request that names a session, since this server keeps none; undefined otherwise. */
export function unknownSessionResponse(event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>): APIGatewayProxyResult | undefined {
  if (!namesASession(event)) return undefined;
  return {
    statusCode: 404,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: SESSION_NOT_FOUND_ERROR_CODE, message: 'Session not found: this server is stateless and issues no Mcp-Session-Id' } }),
  };
}
