/**
 * An operator's revocation at T holds even for what its listings missed (docs/security.md,
 * cases 58 and 59): a login session, a remembered consent or an authorization code from
 * before T is not honoured, and an upstream authentication from before T starts nothing.
 * The rows here survive on purpose, as a row written a moment before T can survive the
 * eventually consistent index the revocation reads.
 */
import { sha256Base64url } from '../../lambda/core/crypto';
import { a0, authorize, browserTestDeps, cookieValues, csrfTokenOf, fullFlow, postConsent, R1, redirectTarget, signedIn, upstreamCallback, browserCookies } from '../support/browser-flow';
import type { InMemoryDeps } from '../support/in-memory-ports';
import { codeParams, json, seedCode, token, tokenDeps } from './token-fixtures';

const nowOf = (deps: InMemoryDeps) => Math.floor(deps.clock.nowMs() / 1000);

async function revoke(deps: InMemoryDeps, kind: 'subject' | 'client', value: string, at = nowOf(deps)) {
  await deps.revocations.revoke({ key: { kind, value }, revokedAt: at, expiresAt: at + 86_400, reason: 'test' });
}

async function rememberedConsent(deps: InMemoryDeps, grantedAt: number) {
  await deps.sessions.putConsent({ subject: 'alice-sub', clientId: 'C1', resource: R1, scope: ['tool:read', 'tool:execute'], grantedAt, expiresAt: grantedAt + 86_400 });
}

describe('a login session from before a revocation of its user', () => {
  it('is not honoured even though its row survived: the browser sees the consent page, signed out', async () => {
    const deps = browserTestDeps();
    const cookie = await signedIn(deps, { authTime: nowOf(deps) - 60 });
    await rememberedConsent(deps, nowOf(deps) - 60);
    deps.clock.advanceSeconds(5);
    await revoke(deps, 'subject', 'alice-sub');

    const page = await authorize(deps, a0(), cookie);
    expect(page.status).toBe(200);
    expect(page.body).toContain('csrf_token');
    expect(deps.codes.items.size).toBe(0);
  });

  it('a session whose sign-in came after the revocation counts', async () => {
    const deps = browserTestDeps();
    await revoke(deps, 'subject', 'alice-sub', nowOf(deps) - 100);
    const cookie = await signedIn(deps, { authTime: nowOf(deps) - 60 });
    await rememberedConsent(deps, nowOf(deps) - 60);
    const answer = await authorize(deps, a0(), cookie);
    expect(answer.status).toBe(302);
    expect(redirectTarget(answer).params.get('code')).toBeTruthy();
  });

  it('sends the browser that still holds its cookie to the upstream IdP with prompt=login and max_age=0', async () => {
    const deps = browserTestDeps();
    const cookie = await signedIn(deps, { authTime: nowOf(deps) - 60 });
    deps.clock.advanceSeconds(5);
    await revoke(deps, 'subject', 'alice-sub');
    const page = await authorize(deps, a0(), cookie);
    const pendingCookie = `__Host-mcp_authz=${cookieValues(page)['__Host-mcp_authz']}`;
    await postConsent(deps, { csrf_token: csrfTokenOf(page), decision: 'approve' }, `${pendingCookie}; ${cookie}`);
    expect(deps.upstream.lastAuthorization).toMatchObject({ prompt: 'login', maxAge: 0 });
  });

  it('a browser without a session cookie goes upstream without either (single sign-on allowed)', async () => {
    const deps = browserTestDeps();
    await fullFlow(deps);
    expect(deps.upstream.lastAuthorization?.prompt).toBeUndefined();
    expect(deps.upstream.lastAuthorization?.maxAge).toBeUndefined();
  });
});

describe('a remembered consent from before a revocation', () => {
  it.each(['subject', 'client'] as const)('of its %s is forgotten: the signed-in user is asked again', async (kind) => {
    const deps = browserTestDeps();
    await rememberedConsent(deps, nowOf(deps) - 60);
    await revoke(deps, kind, kind === 'subject' ? 'alice-sub' : 'C1', nowOf(deps) - 30);
    const cookie = await signedIn(deps, { authTime: nowOf(deps) - 10 });
    const page = await authorize(deps, a0(), cookie);
    expect(page.status).toBe(200);
    expect(page.body).toContain('csrf_token');
    expect(deps.codes.items.size).toBe(0);
  });

  it('is not merged into the consent given after it', async () => {
    const deps = browserTestDeps();
    await rememberedConsent(deps, nowOf(deps) - 60);
    await revoke(deps, 'client', 'C1', nowOf(deps) - 30);
    await fullFlow(deps, a0({ scope: 'tool:read' }));
    expect(deps.sessions.consents.get(`alice-sub|C1|${R1}`)?.scope).toEqual(['tool:read']);
  });
});

describe('the upstream callback after a revocation of the user', () => {
  it('refuses an ID token whose auth_time is at or before T: no session, no code; the user is sent back once with prompt=login and max_age=0', async () => {
    const deps = browserTestDeps();
    const T = nowOf(deps);
    await revoke(deps, 'subject', 'alice-sub', T);
    deps.upstream.identity = { subject: 'alice-sub', groups: ['mcp-users'], authTime: T - 3_600 };
    const { callback, upstreamCookie } = await fullFlow(deps);

    expect(callback.status).toBe(303);
    expect(redirectTarget(callback).base).toBe('https://idp.example/authorize');
    expect(deps.upstream.lastAuthorization).toMatchObject({ prompt: 'login', maxAge: 0 });
    expect(deps.sessions.logins.size).toBe(0);
    expect(deps.codes.items.size).toBe(0);
    expect(deps.audit.events).toContainEqual({ type: 'request_rejected', endpoint: 'callback', error: 'authentication_before_revocation' });

    // The IdP ignores prompt=login and answers with the old sign-in again: refused outright.
    const again = await upstreamCallback(deps, { code: 'upstream-code-2', state: deps.upstream.lastAuthorization!.state }, browserCookies(upstreamCookie, callback));
    expect(again.status).toBe(403);
    expect(deps.sessions.logins.size).toBe(0);
    expect(deps.codes.items.size).toBe(0);
  });

  it('accepts the fresh sign-in that answers the second trip, and finishes the authorization', async () => {
    const deps = browserTestDeps();
    const T = nowOf(deps);
    await revoke(deps, 'subject', 'alice-sub', T);
    deps.upstream.identity = { subject: 'alice-sub', groups: ['mcp-users'], authTime: T - 3_600 };
    const { callback, upstreamCookie } = await fullFlow(deps);
    deps.clock.advanceSeconds(20);
    deps.upstream.identity = { subject: 'alice-sub', groups: ['mcp-users'], authTime: T + 15 };
    const fresh = await upstreamCallback(deps, { code: 'upstream-code-2', state: deps.upstream.lastAuthorization!.state }, browserCookies(upstreamCookie, callback));
    expect(fresh.status).toBe(303);
    expect(redirectTarget(fresh).params.get('code')).toBeTruthy();
    expect([...deps.sessions.logins.values()].map((s) => s.authTime)).toEqual([T + 15]);
  });

  it('a revocation of another user changes nothing', async () => {
    const deps = browserTestDeps();
    await revoke(deps, 'subject', 'bob-sub');
    deps.upstream.identity = { subject: 'alice-sub', groups: ['mcp-users'], authTime: nowOf(deps) - 3_600 };
    const { callback } = await fullFlow(deps);
    expect(redirectTarget(callback).params.get('code')).toBeTruthy();
  });
});

describe('an authorization code minted before a revocation', () => {
  it.each(['subject', 'client'] as const)('of its %s is invalid_grant at /token and consumes nothing', async (kind) => {
    const deps = tokenDeps();
    const { code, record } = await seedCode(deps);
    deps.clock.advanceSeconds(10);
    await revoke(deps, kind, kind === 'subject' ? record.subject : record.clientId);
    const response = await token(deps, codeParams(code));
    expect(response.status).toBe(400);
    expect(json(response).error).toBe('invalid_grant');
    expect(deps.codes.items.get(sha256Base64url(code))?.redeemedAt).toBeUndefined();
    expect(deps.families.items.size).toBe(0);
  });
});
