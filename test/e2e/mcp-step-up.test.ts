/**
 * Tool-level denials as an MCP client sees them (docs/guard.md, "Per-tool scopes"): the
 * integration decides from the JSON-RPC body, the same with and without Mcp-Name, and
 * names the scopes the operation needs (SEP-2350); the edge restores the challenge.
 * The 401 challenge is narrowed to tool:read (config/local.json ships tool:read tool:execute)
 * so that a first login cannot reach whoami and the clients must step up.
 */
import * as v2 from '@modelcontextprotocol/client';
import { freePort } from '../../local/dynamodb-local';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';
import { ALICE, BOB, BrowserOAuthProvider, connectWithOAuth, recordingFetch, withRequestMetadata, type RecordedExchange } from '../support/mcp-sdk-session';

const PRE_REGISTERED_CLIENT = 'e2e-mcp-host';

let stack: LocalStack;
let redirectUrl: string;
let resourceMetadataUrl: string;

beforeAll(async () => {
  redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
  stack = await startLocalStack({
    configOverrides: (config) => {
      config.guard.authorizerCacheTtlSeconds = 0;
      config.resources[0].defaultScopes = ['tool:read'];
      config.clients = [{ clientId: PRE_REGISTERED_CLIENT, clientName: 'E2E pre-registered MCP host', redirectUris: [redirectUrl], tokenEndpointAuthMethod: 'none' }];
    },
  });
  resourceMetadataUrl = `${new URL(stack.mcpUrl).origin}/.well-known/oauth-protected-resource/mcp`;
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

const mcpCalls = (exchanges: readonly RecordedExchange[], tool: string) => exchanges.filter((e) => e.method === 'POST' && e.url === stack.mcpUrl && e.requestBody?.includes(`"name":"${tool}"`) && e.requestBody.includes('"tools/call"'));

describe('bob (mcp-readers: tool:read only) calls echo (needs tool:execute)', () => {
  it('with the SDK 1.x client as shipped: it sends no Mcp-Method/Mcp-Name, so the integration refuses with 403 and the precise challenge, which the edge restores to WWW-Authenticate', async () => {
    const exchanges: RecordedExchange[] = [];
    const session = await connectWithOAuth(stack.mcpUrl, new BrowserOAuthProvider({ user: BOB, redirectUrl }), exchanges);
    try {
      expect((await session.client.listTools()).tools).toHaveLength(3);
      await expect(session.client.callTool({ name: 'echo', arguments: { text: 'hi' } })).rejects.toThrow(/403|Insufficient scope/);
    } finally {
      await session.close();
    }
    const mcpPosts = exchanges.filter((e) => e.method === 'POST' && e.url === stack.mcpUrl);
    expect(mcpPosts.length).toBeGreaterThan(0);
    expect(mcpPosts.every((e) => e.requestHeaders.get('mcp-method') === null && e.requestHeaders.get('mcp-name') === null)).toBe(true);
    const [denied] = mcpCalls(exchanges, 'echo');
    expect(denied!.status).toBe(403);
    expect(denied!.responseHeaders.get('x-amzn-remapped-www-authenticate')).toBeNull();
    expect(denied!.responseHeaders.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="tool:read tool:execute", resource_metadata="${resourceMetadataUrl}"`);
  });

  it('with request metadata headers (MCP 2026-07-28): the same 403 and challenge; the SDK tries to step up once and gives up', async () => {
    const exchanges: RecordedExchange[] = [];
    const provider = new BrowserOAuthProvider({ user: BOB, redirectUrl });
    const session = await connectWithOAuth(stack.mcpUrl, provider, exchanges, { requestMetadata: true });
    try {
      expect((await session.client.listTools()).tools).toHaveLength(3);
      await expect(session.client.callTool({ name: 'echo', arguments: { text: 'hi' } })).rejects.toThrow(/403 after trying upscoping/);
    } finally {
      await session.close();
    }
    const denials = mcpCalls(exchanges, 'echo');
    expect(denials.map((e) => e.status)).toEqual([403, 403]);
    for (const denied of denials) {
      expect(denied.requestHeaders.get('mcp-name')).toBe('echo');
      expect(denied.responseHeaders.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="tool:read tool:execute", resource_metadata="${resourceMetadataUrl}"`);
    }
    // Nothing was widened: bob's groups allow tool:read only.
    expect(provider.tokens()!.scope).toBe('tool:read');
  });
});

describe('alice (allowed tool:execute) starts with the challenge scope tool:read and steps up', () => {
  /** What a v2 host does: connect (login), call whoami; on the 403 the SDK sends the user to re-authorize with the wider scope; finish, reconnect, call again. */
  async function stepUpToWhoami(provider: BrowserOAuthProvider): Promise<{ scopes: string[] }> {
    const exchanges: RecordedExchange[] = [];
    const transportOptions = { authProvider: provider as unknown as v2.OAuthClientProvider, fetch: withRequestMetadata(recordingFetch(exchanges)) };
    const finish = () => new v2.StreamableHTTPClientTransport(new URL(stack.mcpUrl), transportOptions).finishAuth(provider.takeCallback());
    const open = async () => {
      const client = new v2.Client({ name: 'mcp-oauth-e2e-step-up', version: '1.0.0' });
      await client.connect(new v2.StreamableHTTPClientTransport(new URL(stack.mcpUrl), transportOptions));
      return client;
    };
    await expect(open()).rejects.toBeInstanceOf(v2.UnauthorizedError);
    await finish();
    let client = await open();
    try {
      expect(provider.authorizationUrls[0]!.searchParams.get('scope')).toBe('tool:read');
      const first = await client.callTool({ name: 'whoami', arguments: {} }).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      if ('result' in first) throw new Error(`whoami should have needed a step-up, but answered ${JSON.stringify(first.result)}`);
      // Anything but the SDK's "the user must re-authorize" is the failure itself (e.g. an error redirect from /authorize).
      if (!(first.error instanceof v2.UnauthorizedError)) throw first.error;
      const denied = mcpCalls(exchanges, 'whoami')[0]!;
      expect(denied.status).toBe(403);
      expect(denied.responseHeaders.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", scope="[^"]*\btool:execute\b/);
      expect(provider.authorizationUrls.at(-1)!.searchParams.get('scope')!.split(' ')).toContain('tool:execute');
      await finish();
      await client.close();
      client = await open();
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      return JSON.parse((result.content as { text: string }[])[0]!.text);
    } finally {
      await client.close();
    }
  }

  it('a pre-registered public client (no registered scope) steps up through the v2 client and calls whoami', async () => {
    const me = await stepUpToWhoami(new BrowserOAuthProvider({ user: ALICE, redirectUrl, preRegisteredClientId: PRE_REGISTERED_CLIENT }));
    expect(me.scopes).toEqual(expect.arrayContaining(['tool:read', 'tool:execute']));
  });

  it('a dynamically registered client (the SDK registers with the first challenge scope) steps up the same way', async () => {
    const me = await stepUpToWhoami(new BrowserOAuthProvider({ user: ALICE, redirectUrl }));
    expect(me.scopes).toEqual(expect.arrayContaining(['tool:read', 'tool:execute']));
  });
});
