/**
 * grant_type=authorization_code at the core: docs/security.md, case 17-26 by number, plus the
 * issued token's shape proven with an independent JOSE library.
 */
import { serve } from '../support/serve';
import { DependencyUnavailableError } from '../../lambda/core/errors';
import { sha256Base64url } from '../../lambda/core/crypto';
import {
  CONFIDENTIAL, CONFIDENTIAL_SECRET, CODE_ONLY, OTHER_CONFIDENTIAL, OTHER_CONFIDENTIAL_SECRET, OTHER_PUBLIC, PUBLIC, R1, R2, REDIRECT_URI, VERIFIER,
  basicAuth, codeParams, formRequest, json, login, seedCode, snapshot, token, tokenDeps, verifyWithJose,
} from './token-fixtures';

describe('authorization_code grant', () => {
  it('issues an RFC 9068 access token that a JOSE library verifies against our JWKS, and a refresh token', async () => {
    const deps = tokenDeps();
    const { code, record } = await seedCode(deps);
    const response = await token(deps, codeParams(code));

    expect(response.status).toBe(200);
    expect(response.headers['Cache-Control']).toBe('no-store');
    const body = json(response);
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'tool:read tool:execute', refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/) });

    const claims = await verifyWithJose(deps, body.access_token);
    const now = Math.floor(deps.clock.nowMs() / 1000);
    expect(claims).toEqual({
      iss: 'http://localhost:8787', sub: 'alice-sub', aud: R1, client_id: PUBLIC, scope: 'tool:read tool:execute',
      iat: now, exp: now + 900, jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/), fid: body.refresh_token.split('.')[0], auth_time: record.authTime,
    });
    expect(deps.codes.items.get(record.codeHash)?.redeemedAt).toBe(now);
    const family = deps.families.items.get(body.refresh_token.split('.')[0])!;
    expect(family).toMatchObject({ clientId: PUBLIC, subject: 'alice-sub', generation: 0, currentTokenHash: sha256Base64url(body.refresh_token), scope: ['tool:read', 'tool:execute'], resources: [R1] });
    expect(JSON.stringify([...deps.families.items.values()])).not.toContain(body.refresh_token);
    expect(deps.audit.events).toContainEqual({ type: 'token_issued', grantType: 'authorization_code', clientId: PUBLIC, subject: 'alice-sub' });
  });

  it('gives no refresh token to a client not registered for refresh_token', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps, { clientId: CODE_ONLY });
    const body = json(await token(deps, codeParams(code, { client_id: CODE_ONLY })));
    expect(body.access_token).toEqual(expect.any(String));
    expect(body).not.toHaveProperty('refresh_token');
  });

  it('authenticates a confidential client with client_secret_basic', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps, { clientId: CONFIDENTIAL });
    const response = await token(deps, codeParams(code, { client_id: undefined }), { authorization: basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET) });
    expect(response.status).toBe(200);
    expect((await verifyWithJose(deps, json(response).access_token)).client_id).toBe(CONFIDENTIAL);
  });

  it('accepts a missing redirect_uri when the authorization request carried none', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps, { redirectUriWasSent: false });
    expect((await token(deps, codeParams(code, { redirect_uri: undefined }))).status).toBe(200);
  });

  it('narrows scope on request, never widens it', async () => {
    const deps = tokenDeps();
    const narrowed = await login(deps, {}, { scope: 'tool:read' });
    expect(narrowed.body.scope).toBe('tool:read');
    expect((await verifyWithJose(deps, narrowed.accessToken)).scope).toBe('tool:read');

    const { code, record } = await seedCode(deps);
    const before = snapshot(deps);
    const response = await token(deps, codeParams(code, { scope: 'tool:read admin' }));
    expect(json(response).error).toBe('invalid_scope');
    expect(snapshot(deps)).toBe(before);
    expect(deps.codes.items.get(record.codeHash)?.redeemedAt).toBeUndefined();
  });

  describe('failures consume nothing and issue nothing', () => {
    const longAgo = 61;
    it.each<[string, string, (deps: ReturnType<typeof tokenDeps>, code: string) => Promise<Record<string, string | string[] | undefined>>]>([
      ['code missing', 'invalid_request', async () => ({ code: undefined })],
      ['unknown code', 'invalid_grant', async () => ({ code: 'not-a-code-we-issued-xxxxxxxxxxxxxxxxxxxx' })],
      ['case 20: wrong verifier', 'invalid_grant', async () => ({ code_verifier: 'w'.repeat(43) })],
      ['case 21: missing verifier', 'invalid_grant', async () => ({ code_verifier: undefined })],
      ['case 22: verifier of 42 characters', 'invalid_grant', async () => ({ code_verifier: VERIFIER.slice(0, 42) })],
      ['case 22: verifier with $', 'invalid_grant', async () => ({ code_verifier: `${VERIFIER.slice(0, 44)}$` })],
      ['verifier of 129 characters', 'invalid_grant', async () => ({ code_verifier: 'a'.repeat(129) })],
      ['case 23: another public client names itself', 'invalid_grant', async () => ({ client_id: OTHER_PUBLIC })],
      ['case 26: mismatched redirect_uri', 'invalid_grant', async () => ({ redirect_uri: `${REDIRECT_URI}/x` })],
      ['redirect_uri omitted although the authorization request sent it', 'invalid_grant', async () => ({ redirect_uri: undefined })],
      ['case 24: resource the code was not issued for', 'invalid_target', async () => ({ resource: R2 })],
      ['two resource values', 'invalid_target', async () => ({ resource: [R1, R1] })],
      ['a parameter sent twice', 'invalid_request', async (_deps, code) => ({ code: [code, code] })],
      ['scope beyond the code', 'invalid_scope', async () => ({ scope: 'admin' })],
      ['case 26: code past its lifetime', 'invalid_grant', async (deps) => { deps.clock.advanceSeconds(longAgo); return {}; }],
    ])('%s -> %s', async (_name, error, mutate) => {
      const deps = tokenDeps();
      const { code, record } = await seedCode(deps);
      const overrides = await mutate(deps, code);
      const before = snapshot(deps);
      const response = await token(deps, codeParams(code, overrides));
      expect(response.status).toBe(400);
      expect(json(response)).toEqual({ error, error_description: expect.any(String) });
      expect(response.headers['Cache-Control']).toBe('no-store');
      expect(snapshot(deps)).toBe(before);
      // The legitimate client can still redeem the code afterwards, unless time ran out.
      if (deps.clock.nowMs() / 1000 <= record.expiresAt) expect((await token(deps, codeParams(code))).status).toBe(200);
    });
  });

  it.each([
    ['42 characters', 'a'.repeat(42)],
    ['129 characters', 'a'.repeat(129)],
    ['a $ sign', `${'a'.repeat(43)}$`],
    ['a space', `${'a'.repeat(22)} ${'a'.repeat(22)}`],
  ])('case 22: a verifier with %s is refused even when its hash matches the challenge', async (_name, verifier) => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps, { codeChallenge: sha256Base64url(verifier) });
    const before = snapshot(deps);
    expect(json(await token(deps, codeParams(code, { code_verifier: verifier }))).error).toBe('invalid_grant');
    expect(snapshot(deps)).toBe(before);
  });

  it('case 23: a code of one confidential client presented with Basic auth of another -> invalid_grant, not consumed', async () => {
    const deps = tokenDeps();
    const { code, record } = await seedCode(deps, { clientId: CONFIDENTIAL });
    const before = snapshot(deps);
    const response = await token(deps, codeParams(code, { client_id: undefined }), { authorization: basicAuth(OTHER_CONFIDENTIAL, OTHER_CONFIDENTIAL_SECRET) });
    expect(json(response).error).toBe('invalid_grant');
    expect(snapshot(deps)).toBe(before);
    expect(deps.codes.items.get(record.codeHash)?.redeemedAt).toBeUndefined();
  });

  it('case 25: a code for R1 and R2 redeemed for R1 carries aud R1 only, and the scopes R1 defines', async () => {
    const deps = tokenDeps();
    const { accessToken, body } = await login(deps, { resources: [R1, R2], scope: ['tool:read', 'r2:read'] }, { resource: R1 });
    const claims = await verifyWithJose(deps, accessToken, R1);
    expect(claims.aud).toBe(R1);
    expect(body.scope).toBe('tool:read');
    await expect(verifyWithJose(deps, accessToken, R2)).rejects.toThrow();
  });

  it('a code for two resources without a resource parameter -> invalid_target, not consumed', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps, { resources: [R1, R2] });
    const before = snapshot(deps);
    expect(json(await token(deps, codeParams(code, { resource: undefined }))).error).toBe('invalid_target');
    expect(snapshot(deps)).toBe(before);
  });

  it('a code for one resource without a resource parameter is for that resource', async () => {
    const deps = tokenDeps();
    const { accessToken } = await login(deps, {}, { resource: undefined });
    expect((await verifyWithJose(deps, accessToken)).aud).toBe(R1);
  });

  it('case 17: a replay with verifier and client -> invalid_grant, and the first tokens die', async () => {
    const deps = tokenDeps();
    const first = await login(deps);
    const familyId = first.refreshToken.split('.')[0];
    const replay = await token(deps, codeParams(first.code));
    expect(replay.status).toBe(400);
    expect(json(replay).error).toBe('invalid_grant');
    expect(deps.audit.events).toContainEqual({ type: 'code_replay_detected', clientId: PUBLIC });
    expect(deps.families.items.get(familyId)?.revokedAt).toBeDefined();
    expect(deps.revocations.items.get(`family#${familyId}`)).toMatchObject({ key: { kind: 'family', value: familyId } });

    const refreshed = await token(deps, { grant_type: 'refresh_token', refresh_token: first.refreshToken, client_id: PUBLIC });
    expect(json(refreshed).error).toBe('invalid_grant');
    const introspected = await serve(deps, formRequest('/introspect', { token: first.accessToken }, { authorization: basicAuth('r1-resource-server', 'r1-rs-secret') }));
    expect(json(introspected)).toEqual({ active: false });
  });

  it.each([
    ['wrong verifier', { code_verifier: 'w'.repeat(43) }],
    ['wrong client', { client_id: OTHER_PUBLIC }],
  ])('case 18: a replay with a %s revokes nothing', async (_name, overrides) => {
    const deps = tokenDeps();
    const first = await login(deps);
    const before = snapshot(deps);
    expect(json(await token(deps, codeParams(first.code, overrides))).error).toBe('invalid_grant');
    expect(snapshot(deps)).toBe(before);
    expect(deps.audit.events.map((e) => e.type)).not.toContain('code_replay_detected');
    const introspected = await serve(deps, formRequest('/introspect', { token: first.accessToken }, { authorization: basicAuth('r1-resource-server', 'r1-rs-secret') }));
    expect(json(introspected).active).toBe(true);
  });

  it('case 19: twenty parallel redemptions of one code -> exactly one token, the losers get invalid_grant', async () => {
    const deps = tokenDeps();
    const { code, record } = await seedCode(deps);
    const responses = await Promise.all(Array.from({ length: 20 }, () => token(deps, codeParams(code))));
    const winners = responses.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(responses.filter((r) => r.status === 400).map((r) => json(r).error)).toEqual(Array(19).fill('invalid_grant'));
    const winningFamily = json(winners[0]).refresh_token.split('.')[0];
    expect(deps.codes.items.get(record.codeHash)?.familyId).toBe(winningFamily);
    // Only the winner's family is alive: the losers' families never reached anyone.
    const alive = [...deps.families.items.values()].filter((f) => f.revokedAt === undefined);
    expect(alive.map((f) => f.familyId)).toEqual([winningFamily]);
    expect((await token(deps, { grant_type: 'refresh_token', refresh_token: json(winners[0]).refresh_token, client_id: PUBLIC })).status).toBe(200);
  });

  it('a signer outage -> 503 temporarily_unavailable, and the code is still redeemable', async () => {
    const deps = tokenDeps();
    const { code, record } = await seedCode(deps);
    const realSign = deps.signer.signDigest.bind(deps.signer);
    deps.signer.signDigest = async () => { throw new DependencyUnavailableError('kms'); };
    const response = await token(deps, codeParams(code));
    expect(response.status).toBe(503);
    expect(json(response)).toEqual({ error: 'temporarily_unavailable', error_description: expect.any(String) });
    expect(response.headers['Retry-After']).toBe('1');
    expect(deps.codes.items.get(record.codeHash)?.redeemedAt).toBeUndefined();
    expect(deps.families.items.size).toBe(0);
    deps.signer.signDigest = realSign;
    expect((await token(deps, codeParams(code))).status).toBe(200);
  });
});
