/**
 * grant_type=refresh_token: rotation, the retry rule, reuse detection and docs/security.md cases
 * 29-33 and 56-57 by number. Every refusal asserts that nothing was issued or rotated.
 */
import { serve } from '../support/serve';
import { sha256Base64url } from '../../lambda/core/crypto';
import { RETIRED_TOKENS_KEPT } from '../../lambda/core/authorization-server/refresh-family/token-standing';
import {
  CONFIDENTIAL, CONFIDENTIAL_SECRET, OTHER_CONFIDENTIAL, OTHER_CONFIDENTIAL_SECRET, OTHER_PUBLIC, PUBLIC, R1, R1_INTROSPECTOR, R1_INTROSPECTOR_SECRET, R2,
  basicAuth, codeParams, formRequest, json, login, seedCode, snapshot, token, tokenDeps, verifyWithJose,
} from './token-fixtures';

type Deps = ReturnType<typeof tokenDeps>;

const refresh = (deps: Deps, refreshToken: string, extra: Record<string, string | string[] | undefined> = {}, headers: Record<string, string> = {}) =>
  token(deps, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: PUBLIC, ...extra }, headers);

const introspect = async (deps: Deps, accessToken: string) =>
  json(await serve(deps, formRequest('/introspect', { token: accessToken }, { authorization: basicAuth(R1_INTROSPECTOR, R1_INTROSPECTOR_SECRET) }))).active as boolean;

const familyOf = (deps: Deps, refreshToken: string) => deps.families.items.get(refreshToken.split('.')[0])!;

describe('refresh_token grant', () => {
  it('rotates: a new refresh token, a new access token for the same family, generation + 1', async () => {
    const deps = tokenDeps();
    const rt0 = (await login(deps)).refreshToken;
    deps.clock.advanceSeconds(60);
    const response = await refresh(deps, rt0);
    expect(response.status).toBe(200);
    expect(response.headers['Cache-Control']).toBe('no-store');
    const body = json(response);
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'tool:read tool:execute', refresh_token: expect.any(String) });
    expect(body.refresh_token).not.toBe(rt0);
    expect(body.refresh_token.split('.')[0]).toBe(rt0.split('.')[0]);
    const claims = await verifyWithJose(deps, body.access_token);
    expect(claims).toMatchObject({ sub: 'alice-sub', client_id: PUBLIC, aud: R1, fid: rt0.split('.')[0] });
    expect(familyOf(deps, rt0)).toMatchObject({ generation: 1, currentTokenHash: sha256Base64url(body.refresh_token), previousTokenHash: sha256Base64url(rt0), lastUsedAt: Math.floor(deps.clock.nowMs() / 1000) });
    expect(deps.audit.events).toContainEqual({ type: 'token_issued', grantType: 'refresh_token', clientId: PUBLIC, subject: 'alice-sub' });
  });

  it('works for a confidential client with Basic auth', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps, { clientId: CONFIDENTIAL });
    const first = json(await token(deps, codeParams(code, { client_id: undefined }), { authorization: basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET) }));
    const response = await token(deps, { grant_type: 'refresh_token', refresh_token: first.refresh_token }, { authorization: basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET) });
    expect(response.status).toBe(200);
    const stolen = await token(deps, { grant_type: 'refresh_token', refresh_token: json(response).refresh_token }, { authorization: basicAuth(OTHER_CONFIDENTIAL, OTHER_CONFIDENTIAL_SECRET) });
    expect(json(stolen).error).toBe('invalid_grant');
  });

  it('retry rule: the previous token is redeemable within the window while its successor is unused, and that voids the successor', async () => {
    const deps = tokenDeps();
    const first = await login(deps);
    const rt1 = json(await refresh(deps, first.refreshToken)).refresh_token; // answer "lost" by the client
    deps.clock.advanceSeconds(deps.config.tokens.refreshRetryWindowSeconds);
    const retry = await refresh(deps, first.refreshToken);
    expect(retry.status).toBe(200);
    const rt2 = json(retry).refresh_token;
    expect(familyOf(deps, rt2).revokedAt).toBeUndefined();
    // The voided successor is now a retired token: presenting it is reuse.
    expect(json(await refresh(deps, rt1)).error).toBe('invalid_grant');
    expect(familyOf(deps, rt2).revokedAt).toBeDefined();
    expect(json(await refresh(deps, rt2)).error).toBe('invalid_grant');
  });

  it('case 57: the previous token one second after the window is reuse: the family and its access tokens die', async () => {
    const deps = tokenDeps();
    const first = await login(deps);
    const lost = json(await refresh(deps, first.refreshToken));
    deps.clock.advanceSeconds(deps.config.tokens.refreshRetryWindowSeconds + 1);
    expect(json(await refresh(deps, first.refreshToken)).error).toBe('invalid_grant');
    const familyId = first.refreshToken.split('.')[0];
    expect(familyOf(deps, first.refreshToken).revokedAt).toBeDefined();
    expect(deps.audit.events).toContainEqual({ type: 'refresh_reuse_detected', clientId: PUBLIC, familyId });
    expect(json(await refresh(deps, lost.refresh_token)).error).toBe('invalid_grant');
    expect(await introspect(deps, lost.access_token)).toBe(false);
  });

  it('case 57: the window counts from the rotation that replaced the token, not from a retry', async () => {
    const deps = tokenDeps();
    const first = await login(deps);
    await refresh(deps, first.refreshToken);
    const rotatedAt = Math.floor(deps.clock.nowMs() / 1000);
    deps.clock.advanceSeconds(deps.config.tokens.refreshRetryWindowSeconds - 1);
    expect((await refresh(deps, first.refreshToken)).status).toBe(200);
    expect(familyOf(deps, first.refreshToken).previousReplacedAt).toBe(rotatedAt);
    deps.clock.advanceSeconds(2); // one second past the window that started at the rotation
    expect(json(await refresh(deps, first.refreshToken)).error).toBe('invalid_grant');
    expect(familyOf(deps, first.refreshToken).revokedAt).toBeDefined();
  });

  it('case 57: a retry never moves the idle or the absolute end of the family', async () => {
    const deps = tokenDeps();
    const first = await login(deps);
    await refresh(deps, first.refreshToken);
    const before = familyOf(deps, first.refreshToken);
    deps.clock.advanceSeconds(deps.config.tokens.refreshRetryWindowSeconds);
    expect((await refresh(deps, first.refreshToken)).status).toBe(200);
    const after = familyOf(deps, first.refreshToken);
    expect({ lastUsedAt: after.lastUsedAt, expiresAt: after.expiresAt }).toEqual({ lastUsedAt: before.lastUsedAt, expiresAt: before.expiresAt });
    expect(after.generation).toBe(before.generation + 1);
  });

  it('case 57: with refreshRetryWindowSeconds 0 the previous token is reuse at once', async () => {
    const deps = tokenDeps();
    (deps.config.tokens as { refreshRetryWindowSeconds: number }).refreshRetryWindowSeconds = 0;
    const first = await login(deps);
    await refresh(deps, first.refreshToken);
    expect(json(await refresh(deps, first.refreshToken)).error).toBe('invalid_grant');
    expect(familyOf(deps, first.refreshToken).revokedAt).toBeDefined();
  });

  it('case 56: a secret never issued for a real family is invalid_grant, counted as forged, and changes nothing', async () => {
    const deps = tokenDeps();
    const first = await login(deps);
    const familyId = first.refreshToken.split('.')[0];
    const before = snapshot(deps);
    const forged = await refresh(deps, `${familyId}.${'A'.repeat(43)}`);
    expect(forged.status).toBe(400);
    expect(json(forged)).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    expect(snapshot(deps)).toBe(before);
    expect(deps.audit.events).toContainEqual({ type: 'refresh_forged', clientId: PUBLIC, familyId });
    expect(deps.audit.events.map((e) => e.type)).not.toContain('refresh_reuse_detected');
    expect(await introspect(deps, first.accessToken)).toBe(true);
    expect((await refresh(deps, first.refreshToken)).status).toBe(200);
  });

  it('case 56: a forged secret after rotations is still no reuse; every token issued and rotated away still is', async () => {
    const deps = tokenDeps();
    const issued = [(await login(deps)).refreshToken];
    for (let i = 0; i < 3; i++) issued.push(json(await refresh(deps, issued[issued.length - 1])).refresh_token);
    const familyId = issued[0].split('.')[0];
    expect(json(await refresh(deps, `${familyId}.${'B'.repeat(43)}`)).error).toBe('invalid_grant');
    expect(familyOf(deps, issued[0]).revokedAt).toBeUndefined();
    expect(json(await refresh(deps, issued[1])).error).toBe('invalid_grant');
    expect(familyOf(deps, issued[0]).revokedAt).toBeDefined();
    expect(deps.audit.events).toContainEqual({ type: 'refresh_reuse_detected', clientId: PUBLIC, familyId });
  });

  it(`case 56: a token more than ${RETIRED_TOKENS_KEPT} rotations old can no longer be told from a guess: refused like one, nothing revoked`, async () => {
    const deps = tokenDeps();
    const issued = [(await login(deps)).refreshToken];
    for (let i = 0; i < RETIRED_TOKENS_KEPT + 2; i++) issued.push(json(await refresh(deps, issued[issued.length - 1])).refresh_token);
    expect(familyOf(deps, issued[0]).retiredTokenHashes).toHaveLength(RETIRED_TOKENS_KEPT);
    const before = snapshot(deps);
    expect(json(await refresh(deps, issued[0])).error).toBe('invalid_grant');
    expect(snapshot(deps)).toBe(before);
    expect(deps.audit.events.map((e) => e.type)).toContain('refresh_forged');
    // The oldest one still remembered is reuse.
    expect(json(await refresh(deps, issued[1])).error).toBe('invalid_grant');
    expect(familyOf(deps, issued[0]).revokedAt).toBeDefined();
  });

  it('case 29: reuse of a rotated-away token revokes the family and every access token it minted', async () => {
    const deps = tokenDeps();
    const rt0 = (await login(deps)).refreshToken;
    const step1 = json(await refresh(deps, rt0));
    const step2 = json(await refresh(deps, step1.refresh_token)); // RT1 used: RT0 is now retired
    expect(await introspect(deps, step2.access_token)).toBe(true);

    const reuse = await refresh(deps, rt0);
    expect(reuse.status).toBe(400);
    expect(json(reuse).error).toBe('invalid_grant');
    const familyId = rt0.split('.')[0];
    expect(deps.audit.events).toContainEqual({ type: 'refresh_reuse_detected', clientId: PUBLIC, familyId });
    expect(deps.revocations.items.get(`family#${familyId}`)?.expiresAt).toBeGreaterThanOrEqual(Math.floor(deps.clock.nowMs() / 1000) + 900);

    expect(json(await refresh(deps, step2.refresh_token)).error).toBe('invalid_grant');
    expect(await introspect(deps, step1.access_token)).toBe(false);
    expect(await introspect(deps, step2.access_token)).toBe(false);
  });

  it('case 30: ten parallel refreshes with one token -> exactly one 200, no fork', async () => {
    const deps = tokenDeps();
    const rt0 = (await login(deps)).refreshToken;
    const responses = await Promise.all(Array.from({ length: 10 }, () => refresh(deps, rt0)));
    const winners = responses.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(responses.filter((r) => r.status !== 200).map((r) => json(r).error)).toEqual(Array(9).fill('invalid_grant'));
    const family = familyOf(deps, rt0);
    expect(family.generation).toBe(1);
    expect(family.currentTokenHash).toBe(sha256Base64url(json(winners[0]).refresh_token));
    // Losing a race is not reuse: nothing was revoked, and the winner's token works.
    expect(family.revokedAt).toBeUndefined();
    expect(deps.audit.events.map((e) => e.type)).not.toContain('refresh_reuse_detected');
    expect((await refresh(deps, json(winners[0]).refresh_token)).status).toBe(200);
  });

  it('case 31: narrowing scope narrows the access token only; the family keeps the original scope', async () => {
    const deps = tokenDeps();
    const rt0 = (await login(deps)).refreshToken;
    const narrowed = json(await refresh(deps, rt0, { scope: 'tool:read' }));
    expect(narrowed.scope).toBe('tool:read');
    expect((await verifyWithJose(deps, narrowed.access_token)).scope).toBe('tool:read');
    expect(familyOf(deps, rt0).scope).toEqual(['tool:read', 'tool:execute']);
    const full = json(await refresh(deps, narrowed.refresh_token));
    expect(full.scope).toBe('tool:read tool:execute');
  });

  it('uses the first granted resource when none is named, and another granted one on request', async () => {
    const deps = tokenDeps();
    const rt0 = (await login(deps, { resources: [R1, R2], scope: ['tool:read', 'r2:read'] }, { resource: R1 })).refreshToken;
    const toR2 = json(await refresh(deps, rt0, { resource: R2 }));
    expect((await verifyWithJose(deps, toR2.access_token, R2)).scope).toBe('tool:read r2:read');
    const toDefault = json(await refresh(deps, toR2.refresh_token));
    expect((await verifyWithJose(deps, toDefault.access_token, R1)).aud).toBe(R1);
  });

  describe('groups at refresh (tokens.groupsRecheckSeconds)', () => {
    const ALL = ['tool:read', 'tool:execute', 'admin'];

    it('reads nothing upstream while the groups are younger than the bound', async () => {
      const deps = tokenDeps();
      const rt0 = (await login(deps, { scope: ALL })).refreshToken;
      deps.clock.advanceSeconds(deps.config.tokens.groupsRecheckSeconds - 10);
      expect((await refresh(deps, rt0)).status).toBe(200);
      expect(deps.upstreamGroups.reads).toBe(0);
    });

    it('a user removed from mcp-admins loses admin at the first refresh past the bound, in the access token and in the family', async () => {
      const deps = tokenDeps();
      const rt0 = (await login(deps, { scope: ALL })).refreshToken;
      deps.upstreamGroups.groups.set('alice-sub', ['mcp-users']);
      deps.clock.advanceSeconds(deps.config.tokens.groupsRecheckSeconds);
      const answer = json(await refresh(deps, rt0));
      expect(answer.scope).toBe('tool:read tool:execute');
      expect((await verifyWithJose(deps, answer.access_token)).scope).toBe('tool:read tool:execute');
      const now = Math.floor(deps.clock.nowMs() / 1000);
      expect(familyOf(deps, rt0)).toMatchObject({ scope: ['tool:read', 'tool:execute'], groupsReadAt: now });
      expect(json(await refresh(deps, answer.refresh_token, { scope: 'admin' })).error).toBe('invalid_scope');
      // Read once per bound, not per refresh.
      expect((await refresh(deps, answer.refresh_token)).status).toBe(200);
      expect(deps.upstreamGroups.reads).toBe(1);
    });

    it('never widens: a group added upstream grants nothing without a new authorization', async () => {
      const deps = tokenDeps();
      const rt0 = (await login(deps, { scope: ['tool:read'] })).refreshToken;
      deps.clock.advanceSeconds(deps.config.tokens.groupsRecheckSeconds);
      expect(json(await refresh(deps, rt0)).scope).toBe('tool:read');
    });

    it.each<[string, (deps: Deps) => void, number, string]>([
      ['the IdP cannot tell (a new login is needed)', (d) => d.upstreamGroups.groups.delete('alice-sub'), 400, 'invalid_grant'],
      ['the groups allow nothing any more', (d) => d.upstreamGroups.groups.set('alice-sub', ['someone-else']), 400, 'invalid_grant'],
      ['the IdP is unreachable', (d) => { d.upstreamGroups.unreachable = true; }, 503, 'temporarily_unavailable'],
    ])('%s: %i %s, and nothing changes', async (_name, arrange, status, error) => {
      const deps = tokenDeps();
      const rt0 = (await login(deps, { scope: ALL })).refreshToken;
      deps.clock.advanceSeconds(deps.config.tokens.groupsRecheckSeconds);
      arrange(deps);
      const before = snapshot(deps);
      const response = await refresh(deps, rt0);
      expect({ status: response.status, error: json(response).error }).toEqual({ status, error });
      expect(snapshot(deps)).toBe(before);
      deps.upstreamGroups.unreachable = false;
      deps.upstreamGroups.groups.set('alice-sub', ['mcp-users']);
      expect((await refresh(deps, rt0)).status).toBe(200);
    });
  });

  describe('refusals change nothing', () => {
    it.each<[string, string, (deps: Deps, rt: string) => Promise<[string, Record<string, string | string[] | undefined>, Record<string, string>?]>]>([
      ['refresh_token missing', 'invalid_request', async (_d, rt) => [rt, { refresh_token: undefined }]],
      ['malformed token', 'invalid_grant', async () => ['not-a-refresh-token', {}]],
      ['unknown family', 'invalid_grant', async (_d, rt) => [`AAAAAAAAAAAAAAAAAAAAAA.${rt.split('.')[1]}`, {}]],
      ['case 31: expanding scope', 'invalid_scope', async (_d, rt) => [rt, { scope: 'tool:read admin' }]],
      ['case 32: a resource outside the grant', 'invalid_target', async (_d, rt) => [rt, { resource: R2 }]],
      ['two resources', 'invalid_target', async (_d, rt) => [rt, { resource: [R1, R1] }]],
      ['case 33: presented by another client', 'invalid_grant', async (_d, rt) => [rt, { client_id: OTHER_PUBLIC }]],
      ['case 33: idle past its lifetime', 'invalid_grant', async (d, rt) => { d.clock.advanceSeconds(d.config.tokens.refreshTokenIdleSeconds + 1); return [rt, {}]; }],
      ['past the family\'s absolute end', 'invalid_grant', async (d, rt) => {
        const f = familyOf(d, rt);
        d.families.items.set(f.familyId, { ...f, expiresAt: Math.floor(d.clock.nowMs() / 1000) - 1 });
        return [rt, {}];
      }],
      ['the family was revoked', 'invalid_grant', async (d, rt) => { await d.families.markRevoked(rt.split('.')[0], 1); return [rt, {}]; }],
      ['an operator revoked the client', 'invalid_grant', async (d, rt) => {
        const now = Math.floor(d.clock.nowMs() / 1000);
        await d.revocations.revoke({ key: { kind: 'client', value: PUBLIC }, revokedAt: now, expiresAt: now + 1000, reason: 'incident' });
        return [rt, {}];
      }],
    ])('%s -> %s', async (_name, error, arrange) => {
      const deps = tokenDeps();
      const rt = (await login(deps)).refreshToken;
      const [presented, extra] = await arrange(deps, rt);
      const before = snapshot(deps);
      const response = await refresh(deps, presented, extra);
      expect(response.status).toBe(400);
      expect(json(response)).toEqual({ error, error_description: expect.any(String) });
      expect(snapshot(deps)).toBe(before);
      expect(deps.audit.events.map((e) => e.type)).not.toContain('refresh_reuse_detected');
    });
  });

  it('an operator revoked the user -> invalid_grant, no token, and the family is marked revoked so a repeat signs nothing', async () => {
    const deps = tokenDeps();
    const rt = (await login(deps)).refreshToken;
    const now = Math.floor(deps.clock.nowMs() / 1000);
    await deps.revocations.revoke({ key: { kind: 'subject', value: 'alice-sub' }, revokedAt: now, expiresAt: now + 1000, reason: 'incident' });
    const issued = () => deps.audit.events.filter((e) => e.type === 'token_issued').length;
    const issuedBefore = issued();
    const generation = familyOf(deps, rt).generation;
    // The user's row is checked in the rotation's write, which comes after the signature.
    expect(json(await refresh(deps, rt))).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    expect(familyOf(deps, rt)).toMatchObject({ generation, revokedAt: now });
    const signed = deps.signer.signCalls;
    expect(json(await refresh(deps, rt)).error).toBe('invalid_grant');
    expect(deps.signer.signCalls).toBe(signed);
    expect(issued()).toBe(issuedBefore);
    expect(deps.audit.events.map((e) => e.type)).not.toContain('refresh_reuse_detected');
  });

  it('case 33: another client presenting the token revokes nothing; the owner keeps refreshing', async () => {
    const deps = tokenDeps();
    const rt0 = (await login(deps)).refreshToken;
    expect(json(await refresh(deps, rt0, { client_id: OTHER_PUBLIC })).error).toBe('invalid_grant');
    expect(familyOf(deps, rt0).revokedAt).toBeUndefined();
    expect((await refresh(deps, rt0)).status).toBe(200);
  });

  it('an operator revocation older than the family does not touch it (the user logged in again after it)', async () => {
    const deps = tokenDeps();
    const now = Math.floor(deps.clock.nowMs() / 1000);
    await deps.revocations.revoke({ key: { kind: 'subject', value: 'alice-sub' }, revokedAt: now - 1, expiresAt: now + 1000, reason: 'incident' });
    const rt0 = (await login(deps)).refreshToken;
    expect((await refresh(deps, rt0)).status).toBe(200);
  });

  it('a token used just inside the idle window keeps the family alive', async () => {
    const deps = tokenDeps();
    const rt0 = (await login(deps)).refreshToken;
    deps.clock.advanceSeconds(deps.config.tokens.refreshTokenIdleSeconds);
    expect((await refresh(deps, rt0)).status).toBe(200);
  });
});
