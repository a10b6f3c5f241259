import { namesASession, SESSION_NOT_FOUND_ERROR_CODE, unknownSessionResponse } from '../../lambda/adapters/mcp/stateless-session';

describe('stateless MCP server: a request naming a session', () => {
  it.each([
    ['in headers', { headers: { 'Mcp-Session-Id': 'abc' }, multiValueHeaders: {} }],
    ['in lower case', { headers: { 'mcp-session-id': 'abc' }, multiValueHeaders: {} }],
    ['only in multiValueHeaders', { headers: {}, multiValueHeaders: { 'MCP-SESSION-ID': ['abc'] } }],
    ['with an empty value', { headers: { 'mcp-session-id': '' }, multiValueHeaders: {} }],
  ])('is found %s and answered 404 with a JSON-RPC error', (_name, event) => {
    expect(namesASession(event)).toBe(true);
    const response = unknownSessionResponse(event)!;
    expect(response.statusCode).toBe(404);
    expect(response.headers).toEqual({ 'Content-Type': 'application/json' });
    expect(JSON.parse(response.body)).toEqual({ jsonrpc: '2.0', id: null, error: { code: SESSION_NOT_FOUND_ERROR_CODE, message: expect.stringContaining('Session not found') } });
  });

  it('a request without one goes on', () => {
    const event = { headers: { 'mcp-method': 'tools/list', 'mcp-session': 'x' }, multiValueHeaders: { 'mcp-protocol-version': ['2025-11-25'] } };
    expect(namesASession(event)).toBe(false);
    expect(unknownSessionResponse(event)).toBeUndefined();
    expect(unknownSessionResponse({ headers: null as never, multiValueHeaders: null as never })).toBeUndefined();
  });
});
