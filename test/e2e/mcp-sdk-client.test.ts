/**
 * Issue 3's proof: real MCP clients, given ONLY the MCP server's URL, find the authorization
 * server, register, send the user through login and consent, and call tools. The SDK's
 * own OAuth code does every protocol step; the test browser only plays the user.
 *
 * The stack runs with the shipped config/local.json: its 401 challenge names
 * tool:read tool:execute, which SDK clients ask for (and register with), so whoami works
 * at once. mcp-step-up.test.ts covers a narrower first challenge.
 *
 * For the client ID metadata document flow the test serves the document over https on
 * loopback and trusts that one origin with the test-only local.trustedMetadataOrigins and
 * local.metadataCaFile options; every other loopback document stays refused.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v2 from '@modelcontextprotocol/client';
import { freePort } from '../../local/dynamodb-local';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';
import { ALICE, BrowserOAuthProvider, connectWithOAuth, recordingFetch, whoami, type RecordedExchange } from '../support/mcp-sdk-session';

/** The AS names users by upstream: the dev IdP's subjects carry the "dev|" prefix. */
const ALICE_SUBJECT = 'dev|alice';

/** A name under .localhost (RFC 6761): loopback, and fully qualified as a client ID URL must be. */
const DOCUMENT_HOST = 'mcp-client.localhost';

let stack: LocalStack;
let redirectUrl: string;
let certDir: string;
/** The client ID metadata document, served over TLS (self-signed for this run) from an origin the stack's config trusts. */
const metadataDocument = { url: '', hits: 0, server: undefined as HttpsServer | undefined };
/** Another loopback origin, not trusted. Nothing answers TLS there: any connection counts as a fetch. */
const canary = { url: '', hits: 0, server: undefined as Server | undefined };

function listenOnLoopback(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

beforeAll(async () => {
  redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;

  certDir = mkdtempSync(join(tmpdir(), 'cimd-e2e-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'), '-days', '1',
    '-subj', `/CN=${DOCUMENT_HOST}`, '-addext', `subjectAltName=DNS:${DOCUMENT_HOST}`], { stdio: 'ignore' });
  metadataDocument.server = createHttpsServer({ cert: readFileSync(join(certDir, 'cert.pem')), key: readFileSync(join(certDir, 'key.pem')) }, (req, res) => {
    if (req.url !== new URL(metadataDocument.url).pathname) return void res.writeHead(404).end();
    metadataDocument.hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({
      client_id: metadataDocument.url,
      client_name: 'MCP SDK CIMD e2e client',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }));
  });
  const documentOrigin = `https://${DOCUMENT_HOST}:${await listenOnLoopback(metadataDocument.server)}`;
  metadataDocument.url = `${documentOrigin}/oauth/client.json`;

  canary.server = createServer((socket) => {
    canary.hits++;
    socket.destroy();
  });
  canary.url = `https://canary.localhost:${await listenOnLoopback(canary.server)}/oauth/client.json`;

  stack = await startLocalStack({
    configOverrides: (config) => {
      config.local.trustedMetadataOrigins = [documentOrigin];
      config.local.metadataCaFile = join(certDir, 'cert.pem');
    },
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  metadataDocument.server?.closeAllConnections();
  await new Promise((resolve) => metadataDocument.server?.close(resolve) ?? resolve(undefined));
  await new Promise((resolve) => canary.server?.close(resolve) ?? resolve(undefined));
  if (certDir) rmSync(certDir, { recursive: true, force: true });
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
  it('uses the document URL as client_id (no /register): the AS fetches the document over TLS, the consent page names its host, and whoami answers', async () => {
    const exchanges: RecordedExchange[] = [];
    const provider = new BrowserOAuthProvider({ user: ALICE, redirectUrl, clientMetadataUrl: metadataDocument.url });
    const hitsBefore = metadataDocument.hits;
    const session = await connectWithOAuth(stack.mcpUrl, provider, exchanges);
    try {
      expect(await whoami(session)).toEqual({ sub: ALICE_SUBJECT, client_id: metadataDocument.url, scopes: ['tool:read', 'tool:execute'] });
    } finally {
      await session.close();
    }
    expect(exchanges.some((e) => new URL(e.url).pathname === '/register')).toBe(false);
    expect(provider.clientInformation()?.client_id).toBe(metadataDocument.url);
    expect(provider.authorizationUrls[0]!.searchParams.get('client_id')).toBe(metadataDocument.url);
    expect(metadataDocument.hits).toBeGreaterThan(hitsBefore);
    const consentPage = provider.authorizationPages[0]!.find((page) => page.body.includes('name="decision"'));
    expect(consentPage?.body).toContain(`Its identity is published by <span class="host">${new URL(metadataDocument.url).host}</span>.`);
    expect(consentPage?.body).toContain('MCP SDK CIMD e2e client');
  });

  it('a loopback document at an origin the config does not trust is refused before any connection (SSRF policy)', async () => {
    const exchanges: RecordedExchange[] = [];
    const provider = new BrowserOAuthProvider({ user: ALICE, redirectUrl, clientMetadataUrl: canary.url });
    const connecting = connectWithOAuth(stack.mcpUrl, provider, exchanges);
    // The authorization server shows the user an error page (it never redirects for an unverifiable client).
    await expect(connecting).rejects.toThrow(/authorization flow stopped at GET .*\/authorize.* with HTTP 400/);
    expect(exchanges.some((e) => new URL(e.url).pathname === '/register')).toBe(false);
    expect(provider.authorizationUrls[0]!.searchParams.get('client_id')).toBe(canary.url);
    expect(canary.hits).toBe(0);
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
