import { createHash } from 'node:crypto';
import type { HttpResponse } from '../../lambda/core/http';
import {
  a0,
  authorize,
  browserTestDeps,
  cookieValues,
  csrfTokenOf,
  ISSUER,
  postConsent,
  R1,
  redirectTarget,
  setCookies,
  signedIn,
  upstreamCallback,
  browserCookies,
  pendingIn,
} from '../support/browser-flow';
import type { InMemoryDeps } from '../support/in-memory-ports';

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/** A browser that has just been shown the consent page: its cookie header and the form's token. */
async function atConsentPage(deps: InMemoryDeps, query = a0(), sessionCookie?: string) {
  const page = await authorize(deps, query, sessionCookie);
  expect(page.status).toBe(200);
  const pending = (await pendingIn(deps, page))!;
  const cookie = browserCookies(sessionCookie, page);
  return { page, pendingId: pending.id, cookie, csrf: csrfTokenOf(page) };
}

function expectRefusedPage(response: HttpResponse, status: number, deps: InMemoryDeps): void {
  expect(response.status).toBe(status);
  expect(response.headers.Location).toBeUndefined();
  expect(response.headers['X-Frame-Options']).toBe('DENY');
  expect(deps.codes.items.size).toBe(0);
  expect(deps.upstream.lastAuthorization).toBeUndefined();
}

describe('POST /consent: refused forms change nothing', () => {
  it('without the pending-request cookie -> 400', async () => {
    const deps = browserTestDeps();
    const { csrf } = await atConsentPage(deps);
    expectRefusedPage(await postConsent(deps, { csrf_token: csrf, decision: 'approve' }), 400, deps);
    expect(deps.commits.commits).toEqual([]);
  });

  it('with a cookie that is not a sealed pending request -> 400', async () => {
    const deps = browserTestDeps();
    const { csrf } = await atConsentPage(deps);
    expectRefusedPage(await postConsent(deps, { csrf_token: csrf, decision: 'approve' }, '__Host-mcp_authz=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'), 400, deps);
  });

  it('after the pending request expired -> 400', async () => {
    const deps = browserTestDeps();
    const { cookie, csrf } = await atConsentPage(deps);
    deps.clock.advanceSeconds(deps.config.tokens.pendingAuthorizationSeconds);
    expectRefusedPage(await postConsent(deps, { csrf_token: csrf, decision: 'approve' }, cookie), 400, deps);
  });

  it('case 14: no CSRF token -> 403, no code, the request is still pending', async () => {
    const deps = browserTestDeps();
    const { cookie, pendingId, csrf } = await atConsentPage(deps);
    const refused = await postConsent(deps, { decision: 'approve' }, cookie);
    expectRefusedPage(refused, 403, deps);
    expect(setCookies(refused)).toEqual([]);
    expect(deps.sessions.used.has(pendingId)).toBe(false);
    expect((await postConsent(deps, { csrf_token: csrf, decision: 'approve' }, cookie)).status).toBe(303);
    expect(deps.audit.events).toContainEqual({ type: 'request_rejected', endpoint: 'consent', error: 'csrf' });
  });

  it('case 14: another session\'s CSRF token -> 403, no code', async () => {
    const deps = browserTestDeps();
    const victim = await atConsentPage(deps);
    const attacker = await atConsentPage(deps);
    expectRefusedPage(await postConsent(deps, { csrf_token: attacker.csrf, decision: 'approve' }, victim.cookie), 403, deps);
    expect(deps.commits.commits).toEqual([]);
  });

  it('case 14: a signed-in victim is not made to approve by a forged form', async () => {
    const deps = browserTestDeps();
    const session = await signedIn(deps);
    const victim = await atConsentPage(deps, a0(), session);
    const response = await postConsent(deps, { csrf_token: 'forged-token-forged-token-forged-token-000', decision: 'approve' }, victim.cookie);
    expectRefusedPage(response, 403, deps);
    expect(deps.sessions.consents.size).toBe(0);
  });

  it.each([
    ['two CSRF tokens', (csrf: string) => ({ csrf_token: [csrf, csrf], decision: 'approve' }), 403],
    ['an empty CSRF token', () => ({ csrf_token: '', decision: 'approve' }), 403],
    ['no decision', (csrf: string) => ({ csrf_token: csrf }), 400],
    ['an unknown decision', (csrf: string) => ({ csrf_token: csrf, decision: 'allow-all' }), 400],
    ['two decisions', (csrf: string) => ({ csrf_token: csrf, decision: ['deny', 'approve'] }), 400],
  ])('%s -> %i', async (_name, form, status) => {
    const deps = browserTestDeps();
    const { cookie, csrf } = await atConsentPage(deps);
    expectRefusedPage(await postConsent(deps, form(csrf), cookie), status, deps);
    expect(deps.commits.commits).toEqual([]);
  });
});

describe('POST /consent: deny', () => {
  it('sends access_denied to the client (303, state, one iss), ends the pending request and clears its cookie', async () => {
    const deps = browserTestDeps();
    const { cookie, csrf, pendingId } = await atConsentPage(deps);
    const response = await postConsent(deps, { csrf_token: csrf, decision: 'deny' }, cookie);
    expect(response.status).toBe(303);
    const { base, params } = redirectTarget(response);
    expect(base).toBe('https://c1.example/cb');
    expect(params.get('error')).toBe('access_denied');
    expect(params.getAll('state')).toEqual(['S']);
    expect(params.getAll('iss')).toEqual([ISSUER]);
    expect([...deps.sessions.used.keys()]).toEqual([pendingId]);
    expect(setCookies(response)).toEqual([expect.stringMatching(/^__Host-mcp_authz=; .*Max-Age=0/)]);
    expect(deps.codes.items.size).toBe(0);
    expect(deps.sessions.consents.size).toBe(0);
  });

  it('a second submit of the same form finds nothing', async () => {
    const deps = browserTestDeps();
    const { cookie, csrf } = await atConsentPage(deps);
    await postConsent(deps, { csrf_token: csrf, decision: 'deny' }, cookie);
    expectRefusedPage(await postConsent(deps, { csrf_token: csrf, decision: 'deny' }, cookie), 400, deps);
  });

  it('a replay of the sealed cookie after deny cannot approve with a session: the marker is taken, no code', async () => {
    const deps = browserTestDeps();
    const session = await signedIn(deps);
    const { cookie, csrf } = await atConsentPage(deps, a0(), session);
    expect((await postConsent(deps, { csrf_token: csrf, decision: 'deny' }, cookie)).status).toBe(303);
    expectRefusedPage(await postConsent(deps, { csrf_token: csrf, decision: 'approve' }, cookie), 400, deps);
    expect(deps.sessions.consents.size).toBe(0);
  });
});

describe('POST /consent: approve without a login session', () => {
  it('marks the request consented and sends the browser to the upstream IdP (303) with fresh state, nonce and S256 PKCE', async () => {
    const deps = browserTestDeps();
    const { cookie, csrf, pendingId } = await atConsentPage(deps);
    const response = await postConsent(deps, { csrf_token: csrf, decision: 'approve' }, cookie);
    expect(response.status).toBe(303);
    expect(response.headers.Location).toMatch(/^https:\/\/idp\.example\/authorize\?/);
    const upstream = deps.upstream.lastAuthorization!;
    expect(upstream.redirectUri).toBe(`${ISSUER}/callback`);
    const pending = (await pendingIn(deps, response))!;
    expect(pending.id).toBe(pendingId);
    expect(deps.commits.commits).toEqual([]);
    expect(pending).toMatchObject({ consentedAt: Math.floor(deps.clock.nowMs() / 1000), upstreamStateHash: sha256(upstream.state), upstreamNonce: upstream.nonce });
    expect(upstream.codeChallenge).toBe(sha256(pending.upstreamCodeVerifier!));
    expect(upstream.state).not.toBe(upstream.nonce);
    expect(JSON.stringify(pending)).not.toContain(upstream.state);
    expect(deps.codes.items.size).toBe(0);
  });

  it('the same form cannot send a second upstream request from the cookie the browser now holds', async () => {
    const deps = browserTestDeps();
    const { cookie, csrf } = await atConsentPage(deps);
    const approved = await postConsent(deps, { csrf_token: csrf, decision: 'approve' }, cookie);
    const first = deps.upstream.lastAuthorization;
    const again = await postConsent(deps, { csrf_token: csrf, decision: 'approve' }, browserCookies(cookie, approved));
    expect(again.status).toBe(400);
    expect(deps.upstream.lastAuthorization).toBe(first);
  });

  it('a replay of the older cookie starts a second sign-in, but only one of the two callbacks is answered: one code', async () => {
    const deps = browserTestDeps();
    const { cookie, csrf } = await atConsentPage(deps);
    const first = await postConsent(deps, { csrf_token: csrf, decision: 'approve' }, cookie);
    const firstState = deps.upstream.lastAuthorization!.state;
    const replay = await postConsent(deps, { csrf_token: csrf, decision: 'approve' }, cookie);
    const replayState = deps.upstream.lastAuthorization!.state;
    expect(replay.status).toBe(303);
    const answered = await upstreamCallback(deps, { code: 'upstream-code', state: firstState }, browserCookies(cookie, first));
    expect(answered.status).toBe(303);
    const refused = await upstreamCallback(deps, { code: 'upstream-code', state: replayState }, browserCookies(cookie, replay));
    expect(refused.status).toBe(400);
    expect(deps.codes.items.size).toBe(1);
    expect(deps.sessions.logins.size).toBe(1);
  });
});

describe('POST /consent: approve with a login session', () => {
  it('remembers the consent, issues a code for the granted scope and redirects to the client (303, never 307)', async () => {
    const deps = browserTestDeps();
    const session = await signedIn(deps, { subject: 'bob-sub', groups: ['mcp-readers'] });
    const { cookie, csrf, pendingId } = await atConsentPage(deps, a0({ scope: 'tool:read tool:execute' }), session);
    const response = await postConsent(deps, { csrf_token: csrf, decision: 'approve' }, cookie);
    expect(response.status).toBe(303);
    const { base, params } = redirectTarget(response);
    expect(base).toBe('https://c1.example/cb');
    expect(params.getAll('iss')).toEqual([ISSUER]);
    expect(params.get('state')).toBe('S');
    const record = deps.codes.items.get(sha256(params.get('code')!));
    expect(record).toMatchObject({ clientId: 'C1', subject: 'bob-sub', scope: ['tool:read'], resources: [R1] });
    expect(deps.sessions.consents.get(`bob-sub|C1|${R1}`)).toMatchObject({ scope: ['tool:read'], expiresAt: Math.floor(deps.clock.nowMs() / 1000) + deps.config.tokens.consentSeconds });
    expect(deps.audit.events).toContainEqual({ type: 'consent_granted', subject: 'bob-sub', clientId: 'C1' });
    // Marker, consent and code in one commit: all or nothing.
    expect(deps.commits.commits).toHaveLength(1);
    expect(deps.commits.commits[0]).toMatchObject({ singleUse: { pendingId }, code: record, consents: [{ record: deps.sessions.consents.get(`bob-sub|C1|${R1}`) }] });
    expect(deps.upstream.lastAuthorization).toBeUndefined();
  });

  it('a double submit yields one code only', async () => {
    const deps = browserTestDeps();
    const session = await signedIn(deps);
    const { cookie, csrf } = await atConsentPage(deps, a0(), session);
    const [first, second] = await Promise.all([
      postConsent(deps, { csrf_token: csrf, decision: 'approve' }, cookie),
      postConsent(deps, { csrf_token: csrf, decision: 'approve' }, cookie),
    ]);
    expect([first.status, second.status].sort()).toEqual([303, 400]);
    expect(deps.codes.items.size).toBe(1);
  });

  it('the next request of the same client needs no consent; a wider one does', async () => {
    const deps = browserTestDeps();
    const session = await signedIn(deps);
    const { cookie, csrf } = await atConsentPage(deps, a0(), session);
    await postConsent(deps, { csrf_token: csrf, decision: 'approve' }, cookie);
    expect((await authorize(deps, a0(), session)).status).toBe(302);
    expect((await authorize(deps, a0({ scope: 'tool:read admin' }), session)).status).toBe(200);
  });
});

describe('POST /consent: "not you?" (decision=switch_account)', () => {
  it('the signed-in consent page names the account and offers to switch', async () => {
    const deps = browserTestDeps();
    const session = await signedIn(deps, { accountName: 'alice@example.com' });
    const { page } = await atConsentPage(deps, a0({ scope: 'tool:read admin' }), session);
    expect(page.body).toContain('Signed in as <strong>alice@example.com</strong>.');
    expect(page.body).toContain('<button type="submit" name="decision" value="switch_account" class="link">Not you? Sign in as someone else</button>');
  });

  it('ends the login session, keeps the request unconsented and sends the browser to sign in again (prompt=login)', async () => {
    const deps = browserTestDeps();
    const session = await signedIn(deps);
    const { cookie, csrf, pendingId } = await atConsentPage(deps, a0({ scope: 'tool:read admin' }), session);
    const response = await postConsent(deps, { csrf_token: csrf, decision: 'switch_account' }, cookie);
    expect(response.status).toBe(303);
    expect(response.headers.Location).toMatch(/^https:\/\/idp\.example\/authorize\?/);
    expect(deps.upstream.lastAuthorization?.prompt).toBe('login');
    expect(deps.sessions.logins.size).toBe(0);
    expect(setCookies(response)).toContainEqual(expect.stringMatching(/^__Host-mcp_session=; .*Max-Age=0/));
    const pending = (await pendingIn(deps, response))!;
    expect(pending.id).toBe(pendingId);
    expect(pending.consentedAt).toBeUndefined();
    expect(pending.upstreamStateHash).toBe(sha256(deps.upstream.lastAuthorization!.state));
    expect(deps.codes.items.size).toBe(0);
    expect(deps.sessions.consents.size).toBe(0);
  });

  it('whoever signs in then sees their own consent page: the callback asks /authorize again with the same request', async () => {
    const deps = browserTestDeps();
    const { cookie, csrf } = await atConsentPage(deps, a0({ scope: 'tool:read tool:execute' }), await signedIn(deps));
    const switched = await postConsent(deps, { csrf_token: csrf, decision: 'switch_account' }, cookie);
    deps.upstream.identity = { subject: 'bob-sub', groups: ['mcp-readers'], authTime: 0, username: 'bob', email: 'bob@example.com' };
    const callback = await upstreamCallback(deps, { code: 'upstream-code', state: deps.upstream.lastAuthorization!.state }, browserCookies(cookie, switched));
    expect(callback.status).toBe(303);
    const again = new URL(callback.headers.Location!);
    expect(`${again.origin}${again.pathname}`).toBe(`${ISSUER}/authorize`);
    expect(Object.fromEntries(again.searchParams)).toEqual({ ...a0({ scope: 'tool:read tool:execute' }), resource: R1 });
    expect(deps.codes.items.size).toBe(0);
    expect(deps.sessions.consents.size).toBe(0);

    const bobSession = `__Host-mcp_session=${cookieValues(callback)['__Host-mcp_session']}`;
    const bobsPage = await authorize(deps, Object.fromEntries(again.searchParams), bobSession);
    expect(bobsPage.status).toBe(200);
    expect(bobsPage.body).toContain('Signed in as <strong>bob@example.com</strong>.');
    expect(bobsPage.body).toContain('See which tools exist');
    expect(bobsPage.body).not.toContain('Run tools on your behalf');
  });

  it('ends the session server-side: its sealed cookie sent again (a replay, another tab) is no session', async () => {
    const deps = browserTestDeps();
    const session = await signedIn(deps, { accountName: 'alice@example.com' });
    await deps.sessions.putConsent({ subject: 'alice-sub', clientId: 'C1', resource: R1, scope: ['tool:read'], grantedAt: Math.floor(deps.clock.nowMs() / 1000) - 10, expiresAt: Math.floor(deps.clock.nowMs() / 1000) + 3600 });
    expect((await authorize(deps, a0(), session)).status).toBe(302);
    const { cookie, csrf } = await atConsentPage(deps, a0({ scope: 'tool:read admin' }), session);
    await postConsent(deps, { csrf_token: csrf, decision: 'switch_account' }, cookie);
    expect([...deps.revocations.items.keys()]).toEqual([expect.stringMatching(/^session#/)]);
    const codes = deps.codes.items.size;
    const replayed = await authorize(deps, a0(), session);
    expect(replayed.status).toBe(200);
    expect(replayed.body).not.toContain('Signed in as');
    expect(deps.codes.items.size).toBe(codes);
    // And an approve with it must sign in anew, not ride the IdP's single sign-on.
    const page = await authorize(deps, a0(), session);
    await postConsent(deps, { csrf_token: csrfTokenOf(page), decision: 'approve' }, browserCookies(session, page));
    expect(deps.upstream.lastAuthorization).toMatchObject({ prompt: 'login', maxAge: 0 });
  });

  it('needs the form\'s CSRF token like any other decision', async () => {
    const deps = browserTestDeps();
    const session = await signedIn(deps);
    const { cookie } = await atConsentPage(deps, a0({ scope: 'tool:read admin' }), session);
    const response = await postConsent(deps, { csrf_token: 'forged', decision: 'switch_account' }, cookie);
    expect(response.status).toBe(403);
    expect(deps.sessions.logins.size).toBe(1);
    expect(deps.upstream.lastAuthorization).toBeUndefined();
  });
});

describe('POST /consent: a redirect_uri the page CSP cannot name (IPv6 loopback)', () => {
  it('is answered with a page that links there (and refreshes to it) instead of a 303 the browser would block', async () => {
    const deps = browserTestDeps((raw) => raw.clients.push({ clientId: 'V6', clientName: 'IPv6 app', redirectUris: ['http://[::1]/cb'], tokenEndpointAuthMethod: 'none' }));
    const { cookie, csrf } = await atConsentPage(deps, a0({ client_id: 'V6', redirect_uri: 'http://[::1]:5000/cb' }));
    const response = await postConsent(deps, { csrf_token: csrf, decision: 'deny' }, cookie);
    expect(response.status).toBe(200);
    expect(response.headers.Location).toBeUndefined();
    const href = /<a class="button primary" href="([^"]+)">Continue<\/a>/.exec(response.body)?.[1].replace(/&#38;/g, '&');
    expect(href).toMatch(/^http:\/\/\[::1\]:5000\/cb\?error=access_denied&/);
    expect(new URL(href!).searchParams.get('state')).toBe('S');
    expect(response.body).toContain(`<meta http-equiv="refresh" content="0;url=${href!.replace(/&/g, '&#38;')}">`);
    expect(response.headers['Content-Security-Policy']).toContain("form-action 'none'");
    expect(response.headers['Referrer-Policy']).toBe('no-referrer');
  });
});
