/**
 * OidcUpstreamIdp against the real dev IdP (oidc-provider in a child process), driven the
 * way a browser would: fetch with a small cookie jar, following redirects by hand, posting
 * the login form, and landing on a loopback redirect URI that this test hosts.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../local/dynamodb-local';
import { OidcUpstreamIdp, readGroups } from '../../lambda/adapters/upstream-oidc/oidc-upstream-idp';
import { DependencyUnavailableError, OAuthError } from '../../lambda/core/errors';
import { startDevIdpProcess, type DevIdpProcess } from '../support/dev-idp-process';

const localConfig = JSON.parse(readFileSync(join(__dirname, '..', '..', 'config', 'local.json'), 'utf8'));
const CLIENT_ID: string = localConfig.upstream.clientId;
const CLIENT_SECRET: string = localConfig.upstream.clientSecret;

let idp: DevIdpProcess;
let callbackServer: Server;
let redirectUri: string;
const callbacks: URL[] = [];

beforeAll(async () => {
  const port = await freePort();
  redirectUri = `http://127.0.0.1:${port}/upstream-callback`;
  callbackServer = createServer((req, res) => {
    callbacks.push(new URL(req.url ?? '/', redirectUri));
    res.writeHead(200, { 'content-type': 'text/plain' }).end('signed in');
  });
  await new Promise<void>((resolve) => callbackServer.listen(port, '127.0.0.1', resolve));
  idp = await startDevIdpProcess({ extraRedirectUris: [redirectUri] });
}, 60_000);

afterAll(async () => {
  await idp?.stop();
  await new Promise((resolve) => callbackServer?.close(resolve));
});

function upstream(overrides: Partial<ConstructorParameters<typeof OidcUpstreamIdp>[0]> = {}): OidcUpstreamIdp {
  return new OidcUpstreamIdp({ issuer: idp.issuer, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, scopes: ['openid', 'email', 'profile'], groupsClaim: 'groups', ...overrides });
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Just enough of a browser: cookies scoped by origin and path, redirects followed by hand (303 turns POST into GET). */
class Browser {
  private readonly cookies = new Map<string, { origin: string; path: string; name: string; value: string }>();

  async go(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<{ response: Response; url: URL; body: string }> {
    let current = new URL(url);
    let method = init.method ?? 'GET';
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined;
    for (let hop = 0; hop < 10; hop++) {
      const headers: Record<string, string> = {};
      const cookie = this.cookieHeader(current);
      if (cookie) headers.cookie = cookie;
      if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
      const response = await fetch(current, { method, headers, body, redirect: 'manual' });
      this.store(current, response.headers.getSetCookie());
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer();
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          method = 'GET';
          body = undefined;
        }
        current = new URL(location, current);
        continue;
      }
      return { response, url: current, body: await response.text() };
    }
    throw new Error('too many redirects');
  }

  private store(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const attr = new Map(attributes.map((a) => {
        const i = a.indexOf('=');
        return [(i < 0 ? a : a.slice(0, i)).trim().toLowerCase(), i < 0 ? '' : a.slice(i + 1).trim()] as const;
      }));
      const path = attr.get('path') || url.pathname.replace(/\/[^/]*$/, '') || '/';
      const key = `${url.origin} ${path} ${name}`;
      const expires = attr.get('expires');
      const expired = attr.get('max-age') === '0' || (expires !== undefined && Date.parse(expires) < Date.now());
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { origin: url.origin, path, name, value });
    }
  }

  private cookieHeader(url: URL): string {
    return [...this.cookies.values()]
      .filter((c) => c.origin === url.origin && (url.pathname === c.path || url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }
}

function loginForm(html: string): { action: string; fields: string[] } {
  const form = /<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`no login form in:\n${html}`);
  const fields = [...form[2]!.matchAll(/<input[^>]*name="([^"]+)"/g)].map((m) => m[1]!);
  return { action: form[1]!, fields };
}

interface LoginResult {
  readonly callback: URL;
  readonly verifier: string;
  readonly nonce: string;
  readonly state: string;
}

async function login(idpClient: OidcUpstreamIdp, username: string, password: string): Promise<LoginResult> {
  const { verifier, challenge } = pkcePair();
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const browser = new Browser();
  const loginPage = await browser.go(await idpClient.authorizationUrl({ state, nonce, codeChallenge: challenge, redirectUri }));
  expect(loginPage.response.status).toBe(200);
  const form = loginForm(loginPage.body);
  const before = callbacks.length;
  const landed = await browser.go(new URL(form.action, loginPage.url).href, { method: 'POST', form: { username, password } });
  expect(landed.url.href.startsWith(redirectUri)).toBe(true);
  expect(callbacks.length).toBe(before + 1);
  return { callback: callbacks[callbacks.length - 1]!, verifier, nonce, state };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

function expectAccessDenied(error: unknown): void {
  expect(error).toBeInstanceOf(OAuthError);
  expect((error as OAuthError).code).toBe('access_denied');
  // The caller shows the description; it must not say which check failed.
  expect((error as OAuthError).description).toBe('The sign-in with the identity provider failed.');
  expect((error as OAuthError).cause).toBeDefined();
}

describe('OidcUpstreamIdp with the dev IdP', () => {
  it('builds an authorization URL with code, S256 PKCE, state and nonce', async () => {
    const url = new URL(await upstream().authorizationUrl({ state: 'st', nonce: 'no', codeChallenge: 'ch', redirectUri }));
    expect(url.origin).toBe(idp.issuer);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: redirectUri,
      scope: 'openid email profile',
      state: 'st',
      nonce: 'no',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
  });

  it('serves a plain login form with username and password inputs, not frameable, marked as dev only', async () => {
    const { challenge } = pkcePair();
    const page = await new Browser().go(await upstream().authorizationUrl({ state: 's', nonce: 'n', codeChallenge: challenge, redirectUri }));
    expect(page.response.status).toBe(200);
    expect(loginForm(page.body).fields).toEqual(['username', 'password']);
    expect(page.body).toMatch(/<button type="submit">/);
    expect(page.body).not.toMatch(/<script/i);
    expect(page.body).toMatch(/Development IdP/);
    expect(page.response.headers.get('x-frame-options')).toBe('DENY');
    expect(page.response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(page.response.headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['alice', 'alice', ['mcp-users', 'mcp-admins'], 'alice@example.com'],
    ['bob', 'bob', ['mcp-readers'], 'bob@example.com'],
  ])('logs %s in and redeems the code for a verified identity with groups', async (username, password, groups, email) => {
    const client = upstream();
    const { callback, verifier, nonce, state } = await login(client, username, password);
    expect(callback.searchParams.get('state')).toBe(state);
    expect(callback.searchParams.get('iss')).toBe(idp.issuer);
    const code = callback.searchParams.get('code');
    expect(code).toBeTruthy();

    const identity = await client.redeem({ code: code!, codeVerifier: verifier, nonce, redirectUri });
    expect(identity).toEqual({ subject: `dev|${username}`, groups, username, email, authTime: expect.any(Number) });
  });

  it('re-shows the form with an error on a wrong password, and issues no code', async () => {
    const { challenge } = pkcePair();
    const browser = new Browser();
    const page = await browser.go(await upstream().authorizationUrl({ state: 's', nonce: 'n', codeChallenge: challenge, redirectUri }));
    const before = callbacks.length;
    const again = await browser.go(new URL(loginForm(page.body).action, page.url).href, { method: 'POST', form: { username: 'alice', password: 'bob' } });
    expect(again.response.status).toBe(401);
    expect(again.body).toContain('Wrong username or password.');
    expect(loginForm(again.body).fields).toEqual(['username', 'password']);
    expect(callbacks.length).toBe(before);

    // The same interaction still accepts the right password afterwards.
    const landed = await browser.go(new URL(loginForm(again.body).action, again.url).href, { method: 'POST', form: { username: 'alice', password: 'alice' } });
    expect(landed.url.href.startsWith(redirectUri)).toBe(true);
  });

  it('refuses an ID token whose nonce is not the one sent', async () => {
    const client = upstream();
    const { callback, verifier } = await login(client, 'alice', 'alice');
    expectAccessDenied(await rejection(client.redeem({ code: callback.searchParams.get('code')!, codeVerifier: verifier, nonce: 'another-nonce', redirectUri })));
  });

  it('refuses a wrong PKCE verifier, and a replayed code', async () => {
    const client = upstream();
    const first = await login(client, 'alice', 'alice');
    const code = first.callback.searchParams.get('code')!;
    expectAccessDenied(await rejection(client.redeem({ code, codeVerifier: pkcePair().verifier, nonce: first.nonce, redirectUri })));

    const second = await login(client, 'bob', 'bob');
    const code2 = second.callback.searchParams.get('code')!;
    await client.redeem({ code: code2, codeVerifier: second.verifier, nonce: second.nonce, redirectUri });
    expectAccessDenied(await rejection(client.redeem({ code: code2, codeVerifier: second.verifier, nonce: second.nonce, redirectUri })));
  });

  it('refuses a wrong client secret', async () => {
    const client = upstream({ clientSecret: 'not-the-secret' });
    const { callback, verifier, nonce } = await login(client, 'alice', 'alice');
    expectAccessDenied(await rejection(client.redeem({ code: callback.searchParams.get('code')!, codeVerifier: verifier, nonce, redirectUri })));
  });

  const tamperings: [string, (idToken: string) => string][] = [
    ['a payload edited to add a group', (t) => {
      const [h, p, s] = t.split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
      payload.groups = [...payload.groups, 'mcp-admins-forged'];
      return `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${s}`;
    }],
    ['alg none with the signature stripped', (t) => {
      const [, p] = t.split('.');
      return `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${p}.`;
    }],
    ['a flipped signature byte', (t) => {
      const [h, p, s] = t.split('.');
      const sig = Buffer.from(s!, 'base64url');
      sig[10] ^= 0x01;
      return `${h}.${p}.${sig.toString('base64url')}`;
    }],
  ];

  it.each(tamperings)('refuses a tampered ID token: %s', async (_name, tamper) => {
    const tamperingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith('/token') || !response.ok) return response;
      const json = (await response.json()) as { id_token: string };
      json.id_token = tamper(json.id_token);
      return new Response(JSON.stringify(json), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const client = upstream({ fetch: tamperingFetch });
    const { callback, verifier, nonce } = await login(client, 'bob', 'bob');
    expectAccessDenied(await rejection(client.redeem({ code: callback.searchParams.get('code')!, codeVerifier: verifier, nonce, redirectUri })));
  });

  it('refuses a discovery document whose issuer differs by even one character', async () => {
    const client = upstream({ issuer: idp.issuer.replace('localhost', '127.0.0.1') });
    expectAccessDenied(await rejection(client.authorizationUrl({ state: 's', nonce: 'n', codeChallenge: 'c', redirectUri })));
  });

  it('reports an unreachable upstream as a dependency failure, and does not cache it', async () => {
    const port = await freePort();
    let reachable = false;
    const flakyFetch: typeof fetch = (input, init) => (reachable ? fetch(String(input).replace(`:${port}`, `:${idp.port}`), init) : fetch(input, init));
    // The issuer names the dead port; once "reachable", requests go to the dev IdP but discovery still must match the issuer.
    const client = upstream({ issuer: `http://localhost:${port}`, fetch: flakyFetch });
    expect(await rejection(client.authorizationUrl({ state: 's', nonce: 'n', codeChallenge: 'c', redirectUri }))).toBeInstanceOf(DependencyUnavailableError);
    reachable = true;
    // A second attempt goes out again (the failure was not cached) and now fails on the issuer check instead.
    expectAccessDenied(await rejection(client.authorizationUrl({ state: 's', nonce: 'n', codeChallenge: 'c', redirectUri })));
  });
});

describe('readGroups', () => {
  it.each([
    [['a', 'b'], ['a', 'b']],
    ['a b', ['a', 'b']],
    ['a,b, c', ['a', 'b', 'c']],
    [undefined, []],
    [null, []],
    [42, []],
    [['a', 7, '', 'a'], ['a']],
  ])('reads %j as %j', (claim, expected) => {
    expect(readGroups(claim)).toEqual(expected);
  });
});
