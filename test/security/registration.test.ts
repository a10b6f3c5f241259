/**
 * docs/security.md, case 44-48 (registration and client ID metadata documents) over real HTTP on
 * the local stack. A loopback canary (a bare TCP listener on 127.0.0.1 and ::1) counts
 * every connection: an SSRF target that the AS refuses "before any fetch" leaves it at 0.
 *
 * Case 49 (fetch behaviour with an allowed test origin) needs an injected resolver and a
 * trusted test CA, which the local stack deliberately cannot be given. It is covered where
 * those can be injected, and not repeated here (docs/security.md):
 *   test/integration/client-metadata-fetcher.test.ts "fetch behaviour (docs/security.md, case 49)":
 *     redirect not followed, body over the cap, slow drip, no caching of failures;
 *   test/unit/client-metadata-document.test.ts "case 49": client_id mismatch,
 *     client_secret_basic, retry after the document is fixed.
 * Likewise case 48's "a host the test resolver maps to 127.0.0.1" runs in the integration
 * test (evil.test, mixed.test, rebind-v6.test); here no loopback name other than
 * `localhost` resolves, and a single-label host is refused before any lookup.
 */
import { createServer, type Server } from 'node:net';
import { a0Url, expectNoLeak, expectOAuthError, newPkce, postJson, redeemCode, startSecurityStack, type SecurityStack } from './support/security-stack';
import { floodUntilBlocked } from './support/waf-flood';

/** Set for this file through local.rateLimits: above what the cases before the flood send to /register, so only the flood trips it. */
const REGISTER_LIMIT = 200;

let ctx: SecurityStack;
let canaryPort: number;
let canaryHits = 0;
const canaries: Server[] = [];
const pkce = newPkce();

beforeAll(async () => {
  ctx = await startSecurityStack({ configOverrides: (config) => (config.local.rateLimits = { register: REGISTER_LIMIT }) });
  const listen = (host: string, port: number) => new Promise<number>((resolve, reject) => {
    const server = createServer((socket) => {
      canaryHits++;
      socket.destroy();
    });
    server.once('error', reject);
    server.listen(port, host, () => {
      canaries.push(server);
      resolve((server.address() as { port: number }).port);
    });
  });
  canaryPort = await listen('127.0.0.1', 0);
  await listen('::1', canaryPort).catch(() => undefined);
}, 90_000);

afterAll(async () => {
  await Promise.all(canaries.map((s) => new Promise((resolve) => s.close(resolve))));
  await ctx?.stop();
});

const register = (metadata: unknown) => postJson(`${ctx.issuer}/register`, metadata);
const valid = (changes: Record<string, unknown> = {}) => ({ redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none', client_name: 'App', ...changes });

describe('case 44: bad redirect_uris', () => {
  const bad = [
    'javascript:alert(1)',
    ' javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'vbscript:msgbox(1)',
    'http://evil.example/cb',
    'https://app.example/cb#f',
    'https://*.example/cb',
    'myapp:/cb',
  ];
  it.each(bad)('case 44: %s is 400 invalid_redirect_uri, and no client is issued', async (uri) => {
    const answer = await register(valid({ redirect_uris: [uri] }));
    expectOAuthError(answer, 400, 'invalid_redirect_uri');
    expect(answer.json.client_id).toBeUndefined();
  });
});

describe('case 45: self-asserted metadata', () => {
  it('case 45: a client-chosen client_id "admin" is ignored, and "admin" stays an unknown client', async () => {
    const answer = await register(valid({ client_id: 'admin', client_secret: 'chosen-by-the-attacker' }));
    expect(answer.status).toBe(201);
    expect(answer.json.client_id).not.toBe('admin');
    expect(answer.json.client_secret).toBeUndefined();
    const page = await fetch(a0Url(ctx, pkce, { client_id: 'admin', redirect_uri: 'https://app.example/cb' }), { redirect: 'manual' });
    await page.arrayBuffer();
    expect({ status: page.status, location: page.headers.get('location') }).toEqual({ status: 400, location: null });
  });

  it.each([
    ['grant_types password and implicit', { grant_types: ['password', 'implicit'] }],
    ['a javascript: logo_uri', { logo_uri: 'javascript:alert(1)' }],
  ])('case 45: %s is invalid_client_metadata, and no client is issued', async (_label, changes) => {
    const answer = await register(valid(changes));
    expectOAuthError(answer, 400, 'invalid_client_metadata');
  });
});

describe('case 46: size', () => {
  it.each([
    ['a 1 MB body', () => JSON.stringify(valid({ client_name: 'x'.repeat(1024 * 1024) }))],
    ['10,000 redirect_uris', () => JSON.stringify(valid({ redirect_uris: Array.from({ length: 10_000 }, (_, i) => `https://app.example/cb${i}`) }))],
    ['a 100 KB client_name', () => JSON.stringify(valid({ client_name: 'n'.repeat(100 * 1024) }))],
  ])('case 46: %s is 400 or 413, never a 5xx, and no client is issued', async (_label, body) => {
    const answer = await postJson(`${ctx.issuer}/register`, body());
    expect([400, 413]).toContain(answer.status);
    expect(answer.json?.client_id).toBeUndefined();
    expectNoLeak(answer.text);
  });
});

describe('cases 47-48: client ID metadata document URLs, refused before any fetch', () => {
  const authorizeAs = async (clientId: string) => {
    const response = await fetch(a0Url(ctx, pkce, { client_id: clientId, redirect_uri: 'https://app.example/cb' }), { redirect: 'manual' });
    return { status: response.status, location: response.headers.get('location'), body: await response.text() };
  };

  const malformed: [string, () => string][] = [
    ['http://', () => `http://127.0.0.1:${canaryPort}/c.json`],
    ['no path', () => `https://127.0.0.1:${canaryPort}`],
    ['/a/../', () => `https://127.0.0.1:${canaryPort}/a/../c.json`],
    ['/%2e%2e/', () => `https://127.0.0.1:${canaryPort}/%2e%2e/c.json`],
    ['u:p@', () => `https://u:p@127.0.0.1:${canaryPort}/c.json`],
    ['#x', () => `https://127.0.0.1:${canaryPort}/c.json#x`],
    ['no path, DNS host', () => 'https://client.example'],
    ['/a/../, DNS host', () => 'https://client.example/a/../c.json'],
  ];
  it.each(malformed)('case 47: a client_id URL with %s gets the AS page, no Location, no fetch', async (_label, clientId) => {
    const before = canaryHits;
    const answer = await authorizeAs(clientId());
    expect({ status: answer.status, location: answer.location }).toEqual({ status: 400, location: null });
    expect(canaryHits).toBe(before);
  });

  const ssrf: [string, () => string][] = [
    ['the cloud metadata endpoint', () => 'https://169.254.169.254/latest/meta-data/iam/security-credentials/'],
    ['a loopback IPv4 literal', () => `https://127.0.0.1:${canaryPort}/c.json`],
    ['a loopback IPv6 literal', () => `https://[::1]:${canaryPort}/c.json`],
    ['an IPv4-mapped loopback', () => `https://[::ffff:127.0.0.1]:${canaryPort}/c.json`],
    ['a decimal loopback', () => `https://2130706433:${canaryPort}/c.json`],
    ['a hex loopback', () => `https://0x7f.0.0.1:${canaryPort}/c.json`],
    ['a private address', () => 'https://10.0.0.1/c.json'],
    ['localhost by name', () => `https://localhost:${canaryPort}/c.json`],
  ];
  it.each(ssrf)('case 48: %s as client_id gets the AS page, no Location, and the canary sees nothing', async (_label, clientId) => {
    const before = canaryHits;
    const answer = await authorizeAs(clientId());
    expect({ status: answer.status, location: answer.location }).toEqual({ status: 400, location: null });
    expect(canaryHits).toBe(before);
  });

  it('case 48: the same targets at /token are 401 invalid_client, and the canary sees nothing', async () => {
    for (const [, clientId] of ssrf) {
      const answer = await redeemCode(ctx, { code: 'x'.repeat(43), pkce, redirectUri: 'https://app.example/cb', params: new URLSearchParams() }, { client_id: clientId() });
      expectOAuthError(answer, 401, 'invalid_client');
    }
    expect(canaryHits).toBe(0);
  });

  it('cases 47-48: the canary was never contacted', () => {
    expect(canaryHits).toBe(0);
  });
});

// Last in this file: it uses up this source address's /register budget for the window.
describe('case 46: flooding', () => {
  it('case 46: registrations from one address past the emulated WAF limit get 429', async () => {
    const url = `http://127.0.0.1:${ctx.stack.ports.authorizationServer}/register`;
    const statuses = await floodUntilBlocked(() => postJson(url, valid()), { batch: 20, maxRequests: REGISTER_LIMIT + 1000 });

    expect(statuses.filter((s) => s !== 201 && s !== 429)).toEqual([]);
    expect(statuses).toContain(429);
    expect(statuses.at(-1)).toBe(429);
  }, 120_000);
});

