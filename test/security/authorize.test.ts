/**
 * docs/security.md, case 1-16: the authorization endpoint, attacked over real HTTP on the local
 * stack (the real CLI, DynamoDB Local, the dev IdP). A0 is the shared valid request; each
 * case changes one thing. The demo resource's scopes stand in for the document's mcp:*
 * names: tool:read for mcp:read, admin for mcp:admin.
 *
 * NR = HTTP 400, no Location (and no cookie: nothing was started).
 * ER(e) = 302 to the registered redirect URI with error=e, the request's state and iss.
 *
 * Decisions encoded here (docs/security.md):
 * - Case 4, two state values: the error redirect carries no state at all (echoing one of
 *   two would be a guess).
 * - Case 12: the AS shows its own error page (400, no redirect) rather than a login; what
 *   matters is that the victim never bounces to the attacker's page.
 * - Case 13: local mode's issuer is http://localhost, where Secure and therefore
 *   `__Host-` cookies are impossible; the prefix on an https issuer is proven in
 *   test/unit/authorize.test.ts. Here: HttpOnly, SameSite=Lax, and the binding.
 */
import { Browser, authorizeInBrowser, parseForms, formFields } from '../support/browser';
import { C1, C2, LOOP, a0Url, newPkce, obtainCode, postJson, redeemCode, startSecurityStack, type Pkce, type SecurityStack } from './support/security-stack';

let ctx: SecurityStack;
const pkce: Pkce = newPkce();

beforeAll(async () => {
  ctx = await startSecurityStack();
}, 90_000);

afterAll(async () => {
  await ctx?.stop();
});

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { redirect: 'manual', headers });
  return { status: response.status, location: response.headers.get('location'), headers: response.headers, body: await response.text() };
}

async function expectNoRedirect(url: string): Promise<void> {
  const answer = await get(url);
  expect({ status: answer.status, location: answer.location }).toEqual({ status: 400, location: null });
  expect(answer.headers.getSetCookie()).toEqual([]);
  expect(answer.body).not.toMatch(/code=|\bat \w+ \(|node_modules/);
}

async function expectErrorRedirect(url: string, error: string, redirectUri: string = C1.redirectUri, state: string | null = 'S'): Promise<URLSearchParams> {
  const answer = await get(url);
  expect(answer.status).toBe(302);
  const location = new URL(answer.location!);
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  expect(location.searchParams.get('error')).toBe(error);
  expect(location.searchParams.get('state')).toBe(state);
  expect(location.searchParams.getAll('iss')).toEqual([ctx.issuer]);
  expect(location.searchParams.get('code')).toBeNull();
  return location.searchParams;
}

describe('case 1: unregistered redirect_uri', () => {
  it('case 1: https://evil.example/cb gets the AS error page, no redirect', async () => {
    await expectNoRedirect(a0Url(ctx, pkce, { redirect_uri: 'https://evil.example/cb' }));
  });
});

describe('case 2: redirect URIs that almost match', () => {
  const nearMisses = [
    'https://c1.example/cb/',
    'https://C1.EXAMPLE/cb',
    'HTTPS://c1.example/cb',
    'https://c1.example/cb?x=1',
    'https://c1.example/cb/../evil',
    'https://c1.example/cb%2F..%2Fevil',
    'https://c1.example@evil.example/cb',
    'https://c1.example.evil.example/cb',
    'https://c1.example:444/cb',
    'https://c1.example/cb#f',
  ];
  it.each(nearMisses)('case 2: %s gets no redirect', async (redirectUri) => {
    await expectNoRedirect(a0Url(ctx, pkce, { redirect_uri: redirectUri }));
  });
});

describe('case 3: loopback redirect URIs (RFC 8252)', () => {
  it('case 3: any port on the registered loopback URI gets the code there', async () => {
    const flow = await authorizeInBrowser(a0Url(ctx, pkce, { client_id: LOOP.clientId, redirect_uri: 'http://127.0.0.1:51004/cb' }), { username: 'alice', password: 'alice' });
    const location = new URL(flow.redirectUrl);
    expect(location.host).toBe('127.0.0.1:51004');
    expect(location.pathname).toBe('/cb');
    expect(location.searchParams.get('code')).toEqual(expect.any(String));
  });

  it('case 3: another path on the loopback host (:51004/cb2) gets no redirect', async () => {
    await expectNoRedirect(a0Url(ctx, pkce, { client_id: LOOP.clientId, redirect_uri: 'http://127.0.0.1:51004/cb2' }));
  });
});

describe('case 4: client and redirect problems', () => {
  it('case 4: an unknown client_id gets no redirect', async () => {
    await expectNoRedirect(a0Url(ctx, pkce, { client_id: 'no-such-client' }));
  });

  it('case 4: a missing client_id gets no redirect', async () => {
    await expectNoRedirect(a0Url(ctx, pkce, { client_id: undefined }));
  });

  it('case 4: redirect_uri omitted when the client registered two gets no redirect', async () => {
    await expectNoRedirect(a0Url(ctx, pkce, { client_id: C2.clientId, redirect_uri: undefined }));
  });

  it('case 4: two redirect_uri values get no redirect', async () => {
    await expectNoRedirect(a0Url(ctx, pkce, { redirect_uri: [C1.redirectUri, C1.redirectUri] }));
  });

  it('case 4: two state values get an invalid_request redirect that echoes neither', async () => {
    await expectErrorRedirect(a0Url(ctx, pkce, { state: ['S', 'T'] }), 'invalid_request', C1.redirectUri, null);
  });
});

describe('cases 5-9: PKCE, response_type and resource', () => {
  it('case 5: no code_challenge from a public client is invalid_request', async () => {
    await expectErrorRedirect(a0Url(ctx, pkce, { code_challenge: undefined, code_challenge_method: undefined }), 'invalid_request');
  });

  it('case 6: code_challenge_method=plain is invalid_request', async () => {
    await expectErrorRedirect(a0Url(ctx, pkce, { code_challenge: pkce.verifier, code_challenge_method: 'plain' }), 'invalid_request');
  });

  it('case 6: an omitted method (which would default to plain) is invalid_request', async () => {
    await expectErrorRedirect(a0Url(ctx, pkce, { code_challenge_method: undefined }), 'invalid_request');
  });

  it.each([
    ['42 characters', 'a'.repeat(42)],
    ['129 characters', 'a'.repeat(129)],
    ['an = sign', `${'a'.repeat(42)}=`],
  ])('case 7: a challenge of %s is invalid_request', async (_label, challenge) => {
    await expectErrorRedirect(a0Url(ctx, pkce, { code_challenge: challenge }), 'invalid_request');
  });

  it.each(['token', 'code id_token'])('case 8: response_type=%s is unsupported_response_type', async (responseType) => {
    await expectErrorRedirect(a0Url(ctx, pkce, { response_type: responseType }), 'unsupported_response_type');
  });

  it('case 8: a missing response_type is invalid_request', async () => {
    await expectErrorRedirect(a0Url(ctx, pkce, { response_type: undefined }), 'invalid_request');
  });

  it.each([
    ['another server', 'https://other.example/mcp'],
    ['a fragment', 'FRAGMENT'],
    ['a relative URI', '/mcp'],
  ])('case 9: a resource naming %s is invalid_target', async (_label, resource) => {
    await expectErrorRedirect(a0Url(ctx, pkce, { resource: resource === 'FRAGMENT' ? `${ctx.r1}#x` : resource }), 'invalid_target');
  });
});

describe('case 10: scope not allowed', () => {
  it('case 10: a scope the resource does not offer is invalid_scope', async () => {
    await expectErrorRedirect(a0Url(ctx, pkce, { scope: 'mcp:admin' }), 'invalid_scope');
  });

  it('case 10: bob asking for admin only is refused with invalid_scope after sign-in, never granted', async () => {
    const flow = await authorizeInBrowser(a0Url(ctx, pkce, { scope: 'admin' }), { username: 'bob', password: 'bob' });
    expect(flow.params.get('error')).toBe('invalid_scope');
    expect(flow.params.get('code')).toBeNull();
  });

  it('case 10: bob asking for admin and tool:read gets the documented subset (tool:read), never a superset', async () => {
    const issued = await obtainCode(ctx, new Browser(), { scope: 'admin tool:read', user: 'bob' });
    const tokens = await redeemCode(ctx, issued);
    expect(tokens.status).toBe(200);
    expect(tokens.json.scope).toBe('tool:read');
  });
});

describe('case 11: mix-up defence (RFC 9207)', () => {
  it('case 11: the metadata promises iss in authorization responses', async () => {
    const metadata = await (await fetch(`${ctx.issuer}/.well-known/oauth-authorization-server`)).json();
    expect(metadata.issuer).toBe(ctx.issuer);
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
  });

  it('case 11: a success redirect has exactly one iss, equal to the issuer', async () => {
    const issued = await obtainCode(ctx, new Browser());
    expect(issued.params.getAll('iss')).toEqual([ctx.issuer]);
  });

  it('case 11: an error redirect has exactly one iss, equal to the issuer', async () => {
    const params = await expectErrorRedirect(a0Url(ctx, pkce, { response_type: 'token' }), 'unsupported_response_type');
    expect(params.getAll('iss')).toEqual([ctx.issuer]);
  });
});

describe('case 12: phishing through an error redirect', () => {
  it('case 12: a DCR client with an attacker redirect URI and scope=bogus, no session: the AS page, no 302', async () => {
    const registered = await postJson(`${ctx.issuer}/register`, { redirect_uris: ['https://attacker.example/landing'], token_endpoint_auth_method: 'none', client_name: 'Totally legit' });
    expect(registered.status).toBe(201);
    const answer = await get(a0Url(ctx, pkce, { client_id: registered.json.client_id, redirect_uri: 'https://attacker.example/landing', scope: 'bogus' }));
    expect(answer.status).toBe(400);
    expect(answer.location).toBeNull();
    expect(answer.headers.get('content-type')).toContain('text/html');
    expect(answer.body).not.toContain('attacker.example/landing?');
  });
});

describe('case 13: confused deputy', () => {
  it('case 13: consent for client A does not carry over to a new DCR client B: B gets its own consent page, no code, no IdP redirect', async () => {
    const browser = new Browser();
    await obtainCode(ctx, browser); // consent for C1 (A), and a login session
    const registered = await postJson(`${ctx.issuer}/register`, { redirect_uris: ['https://b.example/cb'], token_endpoint_auth_method: 'none', client_name: 'Client B' });
    const page = await browser.send({ url: a0Url(ctx, pkce, { client_id: registered.json.client_id, redirect_uri: 'https://b.example/cb' }) });
    expect(page.status).toBe(200);
    expect(page.location).toBeUndefined();
    expect(page.body).toContain('Client B');
    expect(parseForms(page.body, page.url).some((f) => f.submitButtons.some((b) => b.name === 'decision'))).toBe(true);
    expect(page.body).not.toContain(`localhost:${ctx.stack.ports.devIdp}`);
  });

  it('case 13: the cookie that binds a browser to its pending request is HttpOnly and SameSite=Lax', async () => {
    const answer = await get(a0Url(ctx, pkce));
    expect(answer.status).toBe(200);
    const cookies = answer.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
      expect(cookie).toMatch(/;\s*Path=\//i);
    }
  });
});

describe('case 14: consent POST without the right CSRF token', () => {
  async function consentPageIn(browser: Browser) {
    const page = await browser.send({ url: a0Url(ctx, pkce) });
    expect(page.status).toBe(200);
    const form = parseForms(page.body, page.url).find((f) => f.submitButtons.some((b) => b.name === 'decision'))!;
    const approve = form.submitButtons.find((b) => b.name === 'decision' && ['approve', 'allow'].includes(b.value.toLowerCase()))!;
    return { form, fields: formFields(form, {}, approve), origin: new URL(page.url).origin };
  }

  it('case 14: no CSRF token: 400 or 403, and no code', async () => {
    const browser = new Browser();
    const { form, fields, origin } = await consentPageIn(browser);
    fields.delete('csrf_token');
    const answer = await browser.send({ url: form.action, method: 'POST', body: fields, initiator: origin });
    expect([400, 403]).toContain(answer.status);
    expect(answer.location ?? '').not.toMatch(/code=/);
  });

  it("case 14: another session's CSRF token: 400 or 403, and no code", async () => {
    const victim = new Browser();
    const attacker = new Browser();
    const victimPage = await consentPageIn(victim);
    const attackerPage = await consentPageIn(attacker);
    const fields = new URLSearchParams(victimPage.fields);
    fields.set('csrf_token', attackerPage.fields.get('csrf_token')!);
    const answer = await victim.send({ url: victimPage.form.action, method: 'POST', body: fields, initiator: victimPage.origin });
    expect([400, 403]).toContain(answer.status);
    expect(answer.location ?? '').not.toMatch(/code=/);
  });
});

describe('case 15: headers', () => {
  it('case 15: the consent page and the dev IdP login page cannot be framed', async () => {
    const flow = await authorizeInBrowser(a0Url(ctx, pkce), { username: 'alice', password: 'alice' });
    const pages = flow.pages.filter((p) => p.status === 200);
    const consent = pages.find((p) => /name=["']?decision/.test(p.body));
    const login = pages.find((p) => /name=["']?password/.test(p.body));
    expect(consent).toBeDefined();
    expect(login).toBeDefined();
    for (const page of [consent!, login!]) {
      const csp = page.headers.get('content-security-policy') ?? '';
      const xfo = page.headers.get('x-frame-options') ?? '';
      expect(/frame-ancestors 'none'/.test(csp) || xfo.toUpperCase() === 'DENY').toBe(true);
    }
  });

  it('case 15: OPTIONS /authorize with an evil Origin gets no Access-Control-Allow-Origin', async () => {
    const response = await fetch(`${ctx.issuer}/authorize`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    await response.arrayBuffer();
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('case 15: no redirect after a credential or consent POST is a 307', async () => {
    const flow = await authorizeInBrowser(a0Url(ctx, pkce), { username: 'alice', password: 'alice' });
    const postRedirects = flow.pages.filter((p) => p.method === 'POST' && p.status >= 300 && p.status < 400);
    expect(postRedirects.length).toBeGreaterThan(0);
    for (const page of postRedirects) expect(page.status).not.toBe(307);
  });
});

describe('case 16: the upstream callback', () => {
  it('case 16: a callback with no state is 400', async () => {
    const answer = await get(`${ctx.issuer}/callback?code=upstream-code`);
    expect(answer.status).toBe(400);
    expect(answer.location).toBeNull();
  });

  it('case 16: a callback with a state nobody issued is 400', async () => {
    const answer = await get(`${ctx.issuer}/callback?code=upstream-code&state=forged-state-0123456789`);
    expect(answer.status).toBe(400);
    expect(answer.location).toBeNull();
  });

  it('case 16: replaying a callback that already completed is 400 and issues no second code', async () => {
    const flow = await authorizeInBrowser(a0Url(ctx, pkce), { username: 'alice', password: 'alice' });
    const callback = flow.pages.find((p) => new URL(p.url).pathname === '/callback' && new URL(p.url).origin === ctx.issuer);
    expect(callback).toBeDefined();
    const replay = await flow.browser.send({ url: callback!.url });
    expect(replay.status).toBe(400);
    expect(replay.location).toBeUndefined();
  });
});
