import { createHash } from 'node:crypto';
import { DependencyUnavailableError, OAuthError } from '../../lambda/core/errors';
import {
  a0,
  authorize,
  browserTestDeps,
  cookieValues,
  csrfTokenOf,
  fullFlow,
  ISSUER,
  postConsent,
  R1,
  redirectTarget,
  setCookies,
  upstreamCallback,
  browserCookies,
} from '../support/browser-flow';
import { openCookie } from '../../lambda/core/authorization-server/sealed-cookie';
import type { InMemoryDeps } from '../support/in-memory-ports';

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');

/** A browser that approved and was sent to the upstream IdP: what it holds and the state the IdP will return. */
async function atUpstreamLogin(deps: InMemoryDeps, query = a0()) {
  const page = await authorize(deps, query);
  const approved = await postConsent(deps, { csrf_token: csrfTokenOf(page), decision: 'approve' }, browserCookies(undefined, page));
  return { cookie: browserCookies(undefined, approved), state: deps.upstream.lastAuthorization!.state };
}

function expectNothingIssued(deps: InMemoryDeps): void {
  expect(deps.codes.items.size).toBe(0);
  expect(deps.sessions.logins.size).toBe(0);
  expect(deps.sessions.consents.size).toBe(0);
}

describe('the whole journey: authorize, consent, upstream sign-in, callback', () => {
  it('ends with a 303 to the client carrying code, state and one iss, a hashed login session and a remembered consent', async () => {
    const deps = browserTestDeps();
    deps.upstream.identity = { subject: 'alice-sub', groups: ['mcp-users'], authTime: 1_767_268_000 };
    const { callback } = await fullFlow(deps, a0({ scope: 'tool:read tool:execute admin' }));

    expect(callback.status).toBe(303);
    const { base, params } = redirectTarget(callback);
    expect(base).toBe('https://c1.example/cb');
    expect(params.get('state')).toBe('S');
    expect(params.getAll('iss')).toEqual([ISSUER]);
    const record = deps.codes.items.get(sha256(params.get('code')!))!;
    // admin was asked for but mcp-users does not grant it: a subset, never a superset.
    expect(record).toMatchObject({ clientId: 'C1', subject: 'alice-sub', scope: ['tool:read', 'tool:execute'], resources: [R1], authTime: 1_767_268_000, redirectUriWasSent: true });

    const cookies = setCookies(callback);
    const sessionCookie = cookies.find((c) => c.startsWith('__Host-mcp_session='))!;
    expect(sessionCookie.split('; ').slice(1).sort()).toEqual(['HttpOnly', `Max-Age=${deps.config.tokens.loginSessionSeconds}`, 'Path=/', 'SameSite=Lax', 'Secure']);
    expect(cookies).toContainEqual(expect.stringMatching(/^__Host-mcp_authz=; .*Max-Age=0/));
    const sessionValue = cookieValues(callback)['__Host-mcp_session'];
    // The cookie is the session, sealed; the table holds its listing under the same hash, and never the cookie.
    const session = openCookie(await deps.cookieKeys.keyRing(), '__Host-mcp_session', sessionValue, Math.floor(deps.clock.nowMs() / 1000)) as { sessionHash: string };
    expect(session).toMatchObject({ subject: 'alice-sub', groups: ['mcp-users'], authTime: 1_767_268_000 });
    expect(deps.sessions.logins.get(session.sessionHash)).toEqual(session);
    expect(Buffer.from(sessionValue, 'base64url').toString('latin1')).not.toContain('alice-sub');
    expect(JSON.stringify([...deps.sessions.logins.values()])).not.toContain(sessionValue);
    // Marker, session listing, consent and code: one commit.
    expect(deps.commits.commits).toHaveLength(1);
    expect(Object.keys(deps.commits.commits[0]).sort()).toEqual(['code', 'consents', 'loginSession', 'singleUse']);

    expect(deps.sessions.consents.get(`alice-sub|C1|${R1}`)?.scope).toEqual(['tool:read', 'tool:execute']);
    expect(deps.audit.events).toEqual(expect.arrayContaining([
      { type: 'login_completed', subject: 'alice-sub' },
      { type: 'consent_granted', subject: 'alice-sub', clientId: 'C1' },
    ]));

    // The same browser, the same client, the same scope: straight back with a code.
    const again = await authorize(deps, a0({ scope: 'tool:read' }), `__Host-mcp_session=${sessionValue}`);
    expect(again.status).toBe(302);
    expect(redirectTarget(again).params.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('an IdP that reports no auth_time: the session starts now', async () => {
    const deps = browserTestDeps();
    const { callback } = await fullFlow(deps);
    const record = deps.codes.items.get(sha256(redirectTarget(callback).params.get('code')!))!;
    expect(record.authTime).toBe(Math.floor(deps.clock.nowMs() / 1000));
  });

  it('a user whose groups grant nothing asked for gets invalid_scope at the client, and no code', async () => {
    const deps = browserTestDeps();
    deps.upstream.identity = { subject: 'bob-sub', groups: ['mcp-readers'], authTime: 0 };
    const { callback } = await fullFlow(deps, a0({ scope: 'tool:execute' }));
    expect(callback.status).toBe(303);
    const { params } = redirectTarget(callback);
    expect(params.get('error')).toBe('invalid_scope');
    expect(params.getAll('iss')).toEqual([ISSUER]);
    expect(deps.codes.items.size).toBe(0);
    expect(deps.sessions.consents.size).toBe(0);
  });
});

describe('case 16: GET /callback refuses a missing, unknown or reused state', () => {
  it.each([
    ['no state', () => ({ code: 'c' })],
    ['an empty state', () => ({ code: 'c', state: '' })],
    ['an unknown state', () => ({ code: 'c', state: 'made-up-state' })],
    ['two states', (state: string) => ({ code: 'c', state: [state, state] })],
  ])('%s -> 400 page, nothing issued', async (_name, query) => {
    const deps = browserTestDeps();
    const { cookie, state } = await atUpstreamLogin(deps);
    const response = await upstreamCallback(deps, query(state), cookie);
    expect(response.status).toBe(400);
    expect(response.headers.Location).toBeUndefined();
    expectNothingIssued(deps);
  });

  it('a reused state with the replayed sealed cookie -> 400 the second time, and only one code, session and consent exist', async () => {
    const deps = browserTestDeps();
    const { callback, upstreamState, upstreamCookie } = await fullFlow(deps);
    expect(callback.status).toBe(303);
    const replay = await upstreamCallback(deps, { code: 'upstream-code', state: upstreamState }, upstreamCookie);
    expect(replay.status).toBe(400);
    expect(setCookies(replay)).toEqual([]);
    expect(deps.codes.items.size).toBe(1);
    expect(deps.sessions.logins.size).toBe(1);
    expect(deps.commits.commits).toHaveLength(1);
  });

  it('two parallel callbacks with one state and cookie: one code', async () => {
    const deps = browserTestDeps();
    const { cookie, state } = await atUpstreamLogin(deps);
    const answers = await Promise.all([upstreamCallback(deps, { code: 'upstream-code', state }, cookie), upstreamCallback(deps, { code: 'upstream-code', state }, cookie)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([303, 400]);
    expect(deps.codes.items.size).toBe(1);
  });

  it('swapped cookies: the state of one pending request with the sealed cookie of another -> 400', async () => {
    const deps = browserTestDeps();
    const first = await atUpstreamLogin(deps);
    const second = await atUpstreamLogin(deps, a0({ state: 'S2' }));
    expect((await upstreamCallback(deps, { code: 'c', state: first.state }, second.cookie)).status).toBe(400);
    expect((await upstreamCallback(deps, { code: 'c', state: second.state }, first.cookie)).status).toBe(400);
    expectNothingIssued(deps);
    expect(deps.audit.events.filter((event) => event.type === 'request_rejected' && event.error === 'browser_mismatch')).toHaveLength(2);
  });

  it('a pending cookie sealed under another key, or under the session cookie\'s name, is no pending request -> 400', async () => {
    const deps = browserTestDeps();
    const { cookie, state } = await atUpstreamLogin(deps);
    const sealedValue = cookie.split('=')[1];
    // Opened under the session cookie's name, the pending request's seal does not verify (the name is authenticated).
    const asSession = await authorize(deps, a0(), `__Host-mcp_session=${sealedValue}`);
    expect(asSession.body).not.toContain('Signed in as');
    deps.cookieKeys.rotate({ id: 'other', secret: new Uint8Array(32).fill(9) }, false);
    expect((await upstreamCallback(deps, { code: 'c', state }, cookie)).status).toBe(400);
    expectNothingIssued(deps);
  });

  it('login CSRF: a valid state arriving in a browser without that request\'s cookie -> 400', async () => {
    const deps = browserTestDeps();
    const attacker = await atUpstreamLogin(deps);
    const victim = await authorize(deps, a0());
    const victimCookie = `__Host-mcp_authz=${cookieValues(victim)['__Host-mcp_authz']}`;
    for (const cookie of [undefined, victimCookie]) {
      const response = await upstreamCallback(deps, { code: 'attacker-code', state: attacker.state }, cookie);
      expect(response.status).toBe(400);
    }
    expectNothingIssued(deps);
    expect(deps.audit.events).toContainEqual({ type: 'request_rejected', endpoint: 'callback', error: 'browser_mismatch' });
  });

  it('a sign-in that took longer than the pending request lives -> 400', async () => {
    const deps = browserTestDeps();
    const { cookie, state } = await atUpstreamLogin(deps);
    deps.clock.advanceSeconds(deps.config.tokens.pendingAuthorizationSeconds + 1);
    expect((await upstreamCallback(deps, { code: 'c', state }, cookie)).status).toBe(400);
    expectNothingIssued(deps);
  });
});

describe('GET /callback: the upstream IdP says no', () => {
  it('an error from the IdP -> access_denied at the client (303, state, one iss)', async () => {
    const deps = browserTestDeps();
    const { cookie, state } = await atUpstreamLogin(deps);
    const response = await upstreamCallback(deps, { error: 'access_denied', state }, cookie);
    expect(response.status).toBe(303);
    const { base, params } = redirectTarget(response);
    expect(base).toBe('https://c1.example/cb');
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('S');
    expect(params.getAll('iss')).toEqual([ISSUER]);
    expectNothingIssued(deps);
  });

  it('an ID token the upstream adapter rejects -> access_denied', async () => {
    const deps = browserTestDeps();
    deps.upstream.redeem = async () => {
      throw new OAuthError('access_denied', 'ID token nonce mismatch');
    };
    const { cookie, state } = await atUpstreamLogin(deps);
    const response = await upstreamCallback(deps, { code: 'c', state }, cookie);
    expect(redirectTarget(response).params.get('error')).toBe('access_denied');
    expectNothingIssued(deps);
  });

  it('redeems with the stored verifier and nonce and our callback URI', async () => {
    const deps = browserTestDeps();
    const seen: unknown[] = [];
    const original = deps.upstream.redeem.bind(deps.upstream);
    deps.upstream.redeem = async (params) => {
      seen.push(params);
      return original(params);
    };
    const { cookie, state } = await atUpstreamLogin(deps);
    const challenge = deps.upstream.lastAuthorization!.codeChallenge;
    const nonce = deps.upstream.lastAuthorization!.nonce;
    await upstreamCallback(deps, { code: 'the-upstream-code', state }, cookie);
    expect(seen).toEqual([{ code: 'the-upstream-code', codeVerifier: expect.any(String), nonce, redirectUri: `${ISSUER}/callback` }]);
    expect(sha256((seen[0] as { codeVerifier: string }).codeVerifier)).toBe(challenge);
  });

  it('an unreachable IdP is a 503 page, not a stack trace', async () => {
    const deps = browserTestDeps();
    deps.upstream.redeem = async () => {
      throw new DependencyUnavailableError('upstream token endpoint');
    };
    const { cookie, state } = await atUpstreamLogin(deps);
    const response = await upstreamCallback(deps, { code: 'c', state }, cookie);
    expect(response.status).toBe(503);
    expect(response.body).not.toContain('upstream token endpoint');
    expectNothingIssued(deps);
  });
});
