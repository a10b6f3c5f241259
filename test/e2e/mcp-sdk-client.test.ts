/**
 * Issue 3's proof: real MCP clients, given ONLY the MCP server's URL, find the authorization
 * server, register, send the user through login and consent, and call tools. The SDK's
 * own OAuth code does every protocol step; the test browser only plays the user.
 *
 * The stack runs with the shipped config/local.json: its 401 challenge names
 * tool:read tool:execute, which SDK clients ask for (and register with), so whoami works
 * at once. mcp-step-up.test.ts covers a narrower first challenge.
 */
import { createServer, type Server } from 'node:net';
import * as v2 from '@modelcontextprotocol/client';
import { freePort } from '../../lambda/adapters/local/dynamodb-local';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';
import { ALICE, BrowserOAuthProvider, connectWithOAuth, recordingFetch, whoami, type RecordedExchange } from '../support/mcp-sdk-session';

/** The AS names users by upstream: the dev IdP's subjects carry the "dev|" prefix. */
const ALICE_SUBJECT = 'dev|alice';

let stack: LocalStack;
let redirectUrl: string;

beforeAll(async () => {
  redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
  stack = await startLocalStack();
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the official MCP SDK client (1.x) with dynamic client registration', () => {
  const exchanges: RecordedExchange[] = [];
  let provider: BrowserOAuthProvider;

  it('goes 401 -> protected resource metadata -> authorization server metadata -> DCR -> token, then lists tools and calls whoami', async () => {
    provider = new BrowserOAuthProvider({ user: ALICE, redirectUrl });
    const session = await connectWithOAuth(stack.mcpUrl, provider, exchanges);
    try {
      const tools = await session.client.listTools();
      expect(tools.tools.map((t) => t.name).sort()).toEqual(['admin_stats', 'echo', 'whoami']);
      const me = await whoami(session);
      expect(me).toEqual({ sub: ALICE_SUBJECT, client_id: provider.clientInformation()!.client_id, scopes: ['tool:read', 'tool:execute'] });
    } finally {
      await session.close();
    }

    const steps = exchanges.map((e) => `${e.method} ${new URL(e.url).origin === stack.issuer ? 'AS' : 'MCP'} ${new URL(e.url).pathname} ${e.status}`);
    const firstIndexOf = (step: string) => steps.indexOf(step);
    const order = [
      `POST MCP /mcp 401`,
      `GET MCP /.well-known/oauth-protected-resource/mcp 200`,
      `GET AS /.well-known/oauth-authorization-server 200`,
      `POST AS /register 201`,
      `POST AS /token 200`,
      `POST MCP /mcp 200`,
    ].map(firstIndexOf);
    expect(order.every((index) => index >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const challenge = exchanges[order[0]!]!.responseHeaders.get('www-authenticate');
    expect(challenge).toBe(`Bearer resource_metadata="${new URL(stack.mcpUrl).origin}/.well-known/oauth-protected-resource/mcp", scope="tool:read tool:execute"`);
  });

  it('sent the user to /authorize with PKCE S256, the resource (RFC 8707) and the challenge scope; the answer carried iss (RFC 9207)', () => {
    expect(provider.authorizationUrls).toHaveLength(1);
    const url = provider.authorizationUrls[0]!;
    expect(`${url.origin}${url.pathname}`).toBe(`${stack.issuer}/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get('resource')).toBe(stack.mcpUrl);
    expect(url.searchParams.get('scope')).toBe('tool:read tool:execute');
    expect(provider.authorizationResponses[0]!.get('iss')).toBe(stack.issuer);
  });

  it('never sends the access token anywhere but the MCP server, and never in a URL', () => {
    const token = provider.tokens()!.access_token;
    for (const exchange of exchanges) {
      expect(exchange.url).not.toContain(token);
      if (exchange.requestHeaders.get('authorization')?.includes(token)) expect(new URL(exchange.url).origin).toBe(new URL(stack.mcpUrl).origin);
    }
  });
});

describe('the SDK client (1.x) with a client ID metadata document instead of DCR', () => {
  let canary: Server;
  let canaryHits = 0;
  let documentUrl: string;

  beforeAll(async () => {
    // Where the document would be served. Nothing answers TLS here: any connection counts as a fetch.
    canary = createServer((socket) => {
      canaryHits++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
    const address = canary.address();
    documentUrl = `https://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/oauth/client.json`;
  });
  afterAll(() => new Promise<void>((resolve) => canary.close(() => resolve())));

  it('uses the document URL as client_id (no /register); local mode refuses the loopback document before fetching it (SSRF policy)', async () => {
    const exchanges: RecordedExchange[] = [];
    const provider = new BrowserOAuthProvider({ user: ALICE, redirectUrl, clientMetadataUrl: documentUrl });
    const connecting = connectWithOAuth(stack.mcpUrl, provider, exchanges);
    // The authorization server shows the user an error page (it never redirects for an unverifiable client).
    await expect(connecting).rejects.toThrow(/authorization flow stopped at GET .*\/authorize.* with HTTP 400/);
    expect(exchanges.some((e) => new URL(e.url).pathname === '/register')).toBe(false);
    expect(provider.authorizationUrls[0]!.searchParams.get('client_id')).toBe(documentUrl);
    expect(canaryHits).toBe(0);
  });
});

describe('the v2 client package (@modelcontextprotocol/client)', () => {
  it('discovers, registers, authorizes (checking iss per RFC 9207 in finishAuth) and calls whoami', async () => {
    const exchanges: RecordedExchange[] = [];
    const provider = new BrowserOAuthProvider({ user: ALICE, redirectUrl, clientName: 'MCP v2 e2e client' });
    const transportOptions = { authProvider: provider as unknown as v2.OAuthClientProvider, fetch: recordingFetch(exchanges) };
    const open = async () => {
      const client = new v2.Client({ name: 'mcp-oauth-e2e-v2', version: '1.0.0' });
      await client.connect(new v2.StreamableHTTPClientTransport(new URL(stack.mcpUrl), transportOptions));
      return client;
    };
    await expect(open()).rejects.toBeInstanceOf(v2.UnauthorizedError);
    await new v2.StreamableHTTPClientTransport(new URL(stack.mcpUrl), transportOptions).finishAuth(provider.takeCallback());
    const client = await open();
    try {
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['admin_stats', 'echo', 'whoami']);
      const result = await client.callTool({ name: 'whoami', arguments: {} });
      const text = (result.content as { type: string; text: string }[])[0]!.text;
      expect(JSON.parse(text)).toEqual({ sub: ALICE_SUBJECT, client_id: provider.clientInformation()!.client_id, scopes: ['tool:read', 'tool:execute'] });
    } finally {
      await client.close();
    }
    expect(exchanges.filter((e) => new URL(e.url).pathname === '/register').map((e) => e.status)).toEqual([201]);
  });
});
