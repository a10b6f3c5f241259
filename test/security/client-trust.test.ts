/**
 * docs/security.md, cases 60-62 on the running local stack: what the AS does for clients
 * nobody vetted (dynamic registrations, client ID metadata documents).
 *
 * The metadata documents are served over TLS on loopback under `.localhost` names, from
 * origins this stack's config trusts (the test-only local.trustedMetadataOrigins); every
 * document request is counted, so "fetched nothing" is observed, not assumed.
 * /revoke and /introspect run with AWS WAF's smallest limit (10 per window) so that the
 * last case can flood them; the earlier cases send fewer than that.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, parseForms } from '../support/browser';
import { startMetadataDocumentServer, type MetadataDocumentServer } from '../support/metadata-document-server';
import { rawRequest } from '../support/raw-http';
import { C1, a0Url, basic, newPkce, obtainCode, postForm, postJson, redeemCode, startSecurityStack, statusAtMcpServer, type SecurityStack } from './support/security-stack';
import { floodUntilBlocked } from './support/waf-flood';

const LIMIT = 10;
const CIMD_REDIRECT = 'https://cimd.example/cb';

let ctx: SecurityStack;
let good: MetadataDocumentServer;
let bidi: MetadataDocumentServer;
const hits = { good: 0, bidi: 0 };

beforeAll(async () => {
  [good, bidi] = await Promise.all([
    startMetadataDocumentServer('agent.example.localhost', () => {
      hits.good++;
      return { client_name: 'Acme Agent', redirect_uris: [CIMD_REDIRECT], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] };
    }),
    startMetadataDocumentServer('bidi.example.localhost', () => {
      hits.bidi++;
      return { client_name: 'Evil\u202Eppa.tseT', redirect_uris: [CIMD_REDIRECT], token_endpoint_auth_method: 'none' };
    }),
  ]);
  const bothCertificates = join(mkdtempSync(join(tmpdir(), 'cimd-cas-')), 'cas.pem');
  writeFileSync(bothCertificates, readFileSync(good.caFile, 'utf8') + readFileSync(bidi.caFile, 'utf8'));
  ctx = await startSecurityStack({
    configOverrides: (config) => {
      config.local.trustedMetadataOrigins = [good.origin, bidi.origin];
      // One PEM file may hold several certificates: both servers' self-signed ones.
      config.local.metadataCaFile = bothCertificates;
      config.local.rateLimits = { revoke: LIMIT, introspect: LIMIT };
      // Every resolution reads the document again, so a fetch the AS should not make is counted even after one it should.
      config.registration.metadataDocumentCacheSeconds = 0;
    },
  });
}, 90_000);

afterAll(async () => {
  await ctx?.stop();
  await Promise.all([good?.close(), bidi?.close()]);
});

async function get(url: string, browser?: Browser) {
  if (browser) {
    const page = await browser.send({ url });
    return { status: page.status, location: page.location ?? null, body: page.body };
  }
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), body: await response.text() };
}

describe('case 60: no open redirect for a client that is not pre-registered', () => {
  it('case 60: a malformed request of a dynamic client gets a page and no Location, with or without a login session', async () => {
    const registered = await postJson(`${ctx.issuer}/register`, { redirect_uris: ['https://attacker.example/landing'], token_endpoint_auth_method: 'none', client_name: 'Totally legit' });
    expect(registered.status).toBe(201);
    const signedIn = new Browser();
    await obtainCode(ctx, signedIn); // a login session at the AS
    const malformed = [{ scope: 'bogus' }, { response_type: 'token' }, { code_challenge_method: 'plain' }, { resource: 'https://elsewhere.example/mcp' }];
    for (const changes of malformed) {
      const url = a0Url(ctx, newPkce(), { client_id: registered.json.client_id, redirect_uri: 'https://attacker.example/landing', ...changes });
      for (const browser of [undefined, signedIn]) {
        const answer = await get(url, browser);
        expect({ changes, signedIn: browser !== undefined, status: answer.status, location: answer.location }).toEqual({ changes, signedIn: browser !== undefined, status: 400, location: null });
        expect(answer.body).not.toContain('attacker.example/landing?');
      }
    }
  }, 60_000);

  it('case 60: the same for a metadata document client; a pre-registered client still gets its error redirect', async () => {
    const signedIn = new Browser();
    await obtainCode(ctx, signedIn);
    const cimd = await get(a0Url(ctx, newPkce(), { client_id: good.clientId, redirect_uri: CIMD_REDIRECT, scope: 'bogus' }), signedIn);
    expect({ status: cimd.status, location: cimd.location }).toEqual({ status: 400, location: null });
    const vetted = await get(a0Url(ctx, newPkce(), { scope: 'bogus' }), signedIn);
    expect(vetted.status).toBe(302);
    expect(new URL(vetted.location!).searchParams.get('error')).toBe('invalid_scope');
  }, 60_000);
});

describe('case 62: invisible text', () => {
  it.each([
    ['U+202E', 'Evil\u202Eppa.tseT'],
    ['U+2066', 'Good \u2066App\u2069'],
    ['U+200B', 'Pay\u200BPal'],
    ['U+FEFF', '\uFEFFClaude'],
    ['U+2060', 'Git\u2060Hub'],
  ])('case 62: registration refuses a client_name with %s: invalid_client_metadata', async (_name, clientName) => {
    const answer = await postJson(`${ctx.issuer}/register`, { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none', client_name: clientName });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toBe('invalid_client_metadata');
  });

  it('case 62: a metadata document whose client_name holds U+202E is refused: the unknown-client page, no consent page', async () => {
    const answer = await get(a0Url(ctx, newPkce(), { client_id: bidi.clientId, redirect_uri: CIMD_REDIRECT }));
    expect(hits.bidi).toBeGreaterThanOrEqual(1);
    expect({ status: answer.status, location: answer.location }).toEqual({ status: 400, location: null });
    expect(answer.body).not.toContain('csrf_token');
    expect(answer.body).not.toContain('ppa.tseT');
  });

  it('case 62: the consent page shows a metadata document client’s full client_id URL', async () => {
    const page = await get(a0Url(ctx, newPkce(), { client_id: good.clientId, redirect_uri: CIMD_REDIRECT }));
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<span class="uri">${good.clientId}</span>`);
    expect(parseForms(page.body, `${ctx.issuer}/authorize`).some((f) => f.submitButtons.some((b) => b.name === 'decision'))).toBe(true);
  });
});

describe('case 61: limits before work', () => {
  it('case 61: /introspect and /revoke with a metadata document client_id fetch nothing before the caller authenticates', async () => {
    const before = hits.good;
    const introspection = await postForm(`${ctx.issuer}/introspect`, { token: 'anything' }, basic(good.clientId, 'guessed'));
    expect(introspection.status).toBe(401);
    expect(introspection.json.error).toBe('invalid_client');
    const introspectionAsPublic = await postForm(`${ctx.issuer}/introspect`, { token: 'anything', client_id: good.clientId });
    expect(introspectionAsPublic.status).toBe(401);
    const revocation = await postForm(`${ctx.issuer}/revoke`, { token: 'not-a-token-of-that-client', client_id: good.clientId });
    expect(revocation.status).toBe(401);
    expect(revocation.json.error).toBe('invalid_client');
    expect(hits.good).toBe(before);
  });

  it('case 61: the client’s own token is revoked (the document is read only then)', async () => {
    const issued = await obtainCode(ctx, new Browser(), { clientId: good.clientId, redirectUri: CIMD_REDIRECT });
    const tokens = await redeemCode(ctx, issued, { client_id: good.clientId });
    expect(tokens.status).toBe(200);
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, tokens.json.access_token)).toBe(200);
    const revoked = await postForm(`${ctx.issuer}/revoke`, { token: tokens.json.refresh_token, client_id: good.clientId });
    expect(revoked.status).toBe(200);
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, tokens.json.access_token)).toBe(401);
  }, 60_000);

  it.each([
    ['/revoke', { token: 'garbage', client_id: C1.clientId }],
    ['/introspect', { token: 'garbage' }],
  ])('case 61: %s answers 429 once the WAF estimate passes its limit', async (path, fields) => {
    const url = `http://127.0.0.1:${ctx.stack.ports.authorizationServer}${path}`;
    const headers = path === '/introspect' ? basic('RS', 'rs-introspection-secret-0123456789abcdef') : {};
    const send = () =>
      rawRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() });
    const statuses = await floodUntilBlocked(send, { batch: 5, maxRequests: LIMIT + 500 });
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(statuses).toContain(200);
    expect(statuses.at(-1)).toBe(429);
  }, 90_000);
});
