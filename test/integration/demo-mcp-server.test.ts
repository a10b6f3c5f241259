/**
 * The demo MCP server on the API Gateway emulator behind the guard, reached by the official
 * MCP SDK client with pre-minted tokens. The emulator renames an integration's
 * WWW-Authenticate as AWS does, so these tests show which challenges reach a client intact.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RunningApi } from '../../local/emulator/types';
import { startLocalMcpApi } from '../../local/local-mcp-api';
import type { Config } from '../../lambda/core/config';
import { useDynamoDbTables } from '../support/dynamodb';
import { createTestSigningKey, localConfig, mintAccessToken, startLoopbackServer, type LoopbackServer, type TestSigningKey } from '../support/guard-token-forge';

interface Seen {
  status: number;
  headers: Headers;
  body: string;
}

describe('demo MCP server behind the guard', () => {
  const tables = useDynamoDbTables('guard-demo-mcp');
  let key: TestSigningKey;
  let jwks: LoopbackServer;
  let config: Config;
  let api: RunningApi;
  let cachedApi: RunningApi;

  beforeAll(async () => {
    key = await createTestSigningKey();
    jwks = await startLoopbackServer(() => ({ status: 200, body: JSON.stringify({ keys: [key.publicJwk] }) }));
    const start = (guard: Partial<Config['guard']>) => {
      config = localConfig(guard);
      return startLocalMcpApi({
        config,
        resource: config.resources[0]!,
        port: 0,
        dynamoDb: tables().calls,
        tableNames: tables().names,
        log: () => undefined,
        jwksUri: `${jwks.url}/.well-known/jwks.json`,
      });
    };
    cachedApi = await start({ authorizerCacheTtlSeconds: 30 });
    api = await start({ authorizerCacheTtlSeconds: 0 });
  });
  afterAll(async () => {
    await api?.close();
    await cachedApi?.close();
    await jwks?.close();
  });

  /** An SDK client; `withRequestMetadata` adds Mcp-Method/Mcp-Name as MCP 2026-07-28 clients do. */
  function connect(target: RunningApi, token: string, opts: { withRequestMetadata?: boolean } = {}) {
    const seen: Seen[] = [];
    const recordingFetch = async (input: string | URL | Request, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      if (opts.withRequestMetadata && typeof init?.body === 'string') {
        const message = JSON.parse(init.body);
        if (message.method) headers.set('Mcp-Method', message.method);
        if (message.method === 'tools/call') headers.set('Mcp-Name', message.params.name);
      }
      const response = await fetch(input, { ...init, headers });
      seen.push({ status: response.status, headers: response.headers, body: await response.clone().text() });
      return response;
    };
    const transport = new StreamableHTTPClientTransport(new URL(`${target.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
      fetch: recordingFetch,
    });
    const client = new Client({ name: 'guard-test', version: '1.0.0' });
    return { client, transport, seen };
  }

  const tokenFor = (sub: string, scope: string) => mintAccessToken(config, key, { claims: { sub, scope, client_id: `${sub}-client` } });

  it('lists the tools and answers whoami with sub, client_id and scopes, never the token', async () => {
    const token = await tokenFor('alice', 'tool:read tool:execute admin');
    const { client, transport } = connect(api, token);
    await client.connect(transport);
    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(['admin_stats', 'echo', 'whoami']);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    const text = (result.content as { type: string; text: string }[])[0]!.text;
    expect(JSON.parse(text)).toEqual({ sub: 'alice', client_id: 'alice-client', scopes: ['tool:read', 'tool:execute', 'admin'] });
    expect(text).not.toContain(token);
    const echo = await client.callTool({ name: 'echo', arguments: { text: 'hello' } });
    expect((echo.content as { text: string }[])[0]!.text).toBe('hello');
    await client.close();
  });

  it('bob (tool:read) calling echo gets the same 403 and the same challenge with Mcp-Name as without it', async () => {
    const challenges: (string | null)[] = [];
    for (const withRequestMetadata of [true, false]) {
      const { client, transport, seen } = connect(api, await tokenFor('bob', 'tool:read'), { withRequestMetadata });
      await client.connect(transport);
      await expect(client.callTool({ name: 'echo', arguments: { text: 'hi' } })).rejects.toThrow();
      const denied = seen.find((r) => r.status === 403)!;
      expect(denied.headers.get('x-amzn-remapped-www-authenticate')).toBeNull();
      challenges.push(denied.headers.get('www-authenticate'));
      await client.close();
    }
    expect(challenges[0]).toBe('Bearer error="insufficient_scope", scope="tool:read tool:execute", resource_metadata="http://localhost:8788/.well-known/oauth-protected-resource/mcp"');
    expect(challenges[1]).toBe(challenges[0]);
  });

  it('bob without request headers is refused by the integration: precise challenge in the body, and in WWW-Authenticate restored by the edge, as on AWS', async () => {
    const { client, transport, seen } = connect(api, await tokenFor('bob', 'tool:read'));
    await client.connect(transport);
    await expect(client.callTool({ name: 'echo', arguments: { text: 'hi' } })).rejects.toThrow();
    const denied = seen.find((r) => r.status === 403)!;
    expect(denied.headers.get('x-amzn-remapped-www-authenticate')).toBeNull();
    expect(denied.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="tool:read tool:execute", resource_metadata="http://localhost:8788/.well-known/oauth-protected-resource/mcp"',
    );
    expect(JSON.parse(denied.body).error.data).toMatchObject({ error: 'insufficient_scope', scope: 'tool:read tool:execute' });
    await client.close();
  });

  it('a header that names one tool while the body calls another is 400 HeaderMismatch', async () => {
    const token = await tokenFor('carol', 'tool:read tool:execute');
    const response = await fetch(`${api.url}/mcp`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'Mcp-Method': 'tools/call', 'Mcp-Name': 'whoami' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'admin_stats', arguments: {} } }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe(-32020);
  });

  it('no token: 401 with the resource_metadata challenge; the metadata is served at both well-known paths', async () => {
    const response = await fetch(`${api.url}/mcp`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer resource_metadata="http://localhost:8788/.well-known/oauth-protected-resource/mcp", scope="tool:read tool:execute"');
    for (const path of ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']) {
      const metadata = await fetch(`${api.url}${path}`);
      expect(metadata.status).toBe(200);
      expect(await metadata.json()).toEqual({
        resource: 'http://localhost:8788/mcp',
        authorization_servers: ['http://localhost:8787'],
        scopes_supported: ['tool:read', 'tool:execute', 'admin'],
        bearer_methods_supported: ['header'],
        resource_name: 'Demo MCP server',
      });
    }
  });

  it('the metadata answers a browser\'s CORS preflight (the MCP SDK sends MCP-Protocol-Version with its request); a method not routed is API Gateway\'s 403', async () => {
    const preflight = await fetch(`${api.url}/.well-known/oauth-protected-resource/mcp`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://inspector.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'mcp-protocol-version' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('mcp-protocol-version');
    const post = await fetch(`${api.url}/.well-known/oauth-protected-resource/mcp`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(403);
    expect(post.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });

  it('with the API Gateway cache on, a tools/call refused in the integration does not poison later requests', async () => {
    const { client, transport } = connect(cachedApi, await tokenFor('bob', 'tool:read'), { withRequestMetadata: true });
    await client.connect(transport);
    await expect(client.callTool({ name: 'echo', arguments: { text: 'hi' } })).rejects.toThrow();
    const tools = await client.listTools();
    expect(tools.tools.length).toBe(3);
    await client.close();
  });
});
