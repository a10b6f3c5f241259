/**
 * POST /revoke (RFC 7009), docs/security.md, case 50: revoking a refresh token ends its family and
 * every access token the family minted; revoking an access token ends that token; anything
 * unknown, foreign or garbage is a 200 that changes nothing.
 */
import { serve } from '../support/serve';
import {
  CONFIDENTIAL, CONFIDENTIAL_SECRET, OTHER_PUBLIC, PUBLIC, R1_INTROSPECTOR, R1_INTROSPECTOR_SECRET,
  basicAuth, codeParams, formRequest, json, login, seedCode, snapshot, token, tokenDeps,
} from './token-fixtures';

type Deps = ReturnType<typeof tokenDeps>;

const revoke = (deps: Deps, params: Record<string, string | string[] | undefined>, headers: Record<string, string> = {}) =>
  serve(deps, formRequest('/revoke', { client_id: PUBLIC, ...params }, headers));

const isActive = async (deps: Deps, accessToken: string) =>
  json(await serve(deps, formRequest('/introspect', { token: accessToken }, { authorization: basicAuth(R1_INTROSPECTOR, R1_INTROSPECTOR_SECRET) }))).active as boolean;

describe('/revoke', () => {
  it('case 50: revoking a refresh token kills the grant, and its access tokens', async () => {
    const deps = tokenDeps();
    const first = await login(deps);
    const second = json(await token(deps, { grant_type: 'refresh_token', refresh_token: first.refreshToken, client_id: PUBLIC }));
    const response = await revoke(deps, { token: second.refresh_token, token_type_hint: 'refresh_token' });
    expect(response.status).toBe(200);
    expect(response.headers['Cache-Control']).toBe('no-store');
    expect(await isActive(deps, first.accessToken)).toBe(false);
    expect(await isActive(deps, second.access_token)).toBe(false);
    expect(json(await token(deps, { grant_type: 'refresh_token', refresh_token: second.refresh_token, client_id: PUBLIC })).error).toBe('invalid_grant');
    expect(deps.audit.events).toContainEqual({ type: 'token_revoked', clientId: PUBLIC, what: 'refresh_token' });
  });

  it('revoking the still-redeemable previous refresh token also ends the family', async () => {
    const deps = tokenDeps();
    const first = await login(deps);
    await token(deps, { grant_type: 'refresh_token', refresh_token: first.refreshToken, client_id: PUBLIC });
    await revoke(deps, { token: first.refreshToken });
    expect(deps.families.items.get(first.refreshToken.split('.')[0])?.revokedAt).toBeDefined();
  });

  it('revoking an access token ends that token only, until its own expiry', async () => {
    const deps = tokenDeps();
    const first = await login(deps);
    const second = json(await token(deps, { grant_type: 'refresh_token', refresh_token: first.refreshToken, client_id: PUBLIC }));
    expect((await revoke(deps, { token: first.accessToken, token_type_hint: 'access_token' })).status).toBe(200);
    expect(await isActive(deps, first.accessToken)).toBe(false);
    expect(await isActive(deps, second.access_token)).toBe(true);
    const record = [...deps.revocations.items.values()].find((r) => r.key.kind === 'jti')!;
    expect(record.expiresAt).toBeGreaterThanOrEqual(Math.floor(deps.clock.nowMs() / 1000) + 900);
    expect(deps.audit.events).toContainEqual({ type: 'token_revoked', clientId: PUBLIC, what: 'access_token' });
  });

  it('case 50: token_type_hint=bogus is accepted (200) and the token is still revoked', async () => {
    const deps = tokenDeps();
    const first = await login(deps);
    expect((await revoke(deps, { token: first.refreshToken, token_type_hint: 'bogus' })).status).toBe(200);
    expect(await isActive(deps, first.accessToken)).toBe(false);
  });

  it('a hint that names the wrong kind does not stop the lookup', async () => {
    const deps = tokenDeps();
    const first = await login(deps);
    await revoke(deps, { token: first.accessToken, token_type_hint: 'refresh_token' });
    expect(await isActive(deps, first.accessToken)).toBe(false);
  });

  it('a confidential client revokes its own tokens with Basic auth', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps, { clientId: CONFIDENTIAL });
    const auth = { authorization: basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET) };
    const tokens = json(await token(deps, codeParams(code, { client_id: undefined }), auth));
    expect((await serve(deps, formRequest('/revoke', { token: tokens.refresh_token }, auth))).status).toBe(200);
    expect(await isActive(deps, tokens.access_token)).toBe(false);
  });

  describe('case 50: 200 and nothing changes', () => {
    it.each<[string, (deps: Deps, t: { accessToken: string; refreshToken: string }) => Record<string, string>]>([
      ['a garbage token', () => ({ token: 'garbage' })],
      ['a well-formed refresh token of no family', (_d, t) => ({ token: `AAAAAAAAAAAAAAAAAAAAAA.${t.refreshToken.split('.')[1]}` })],
      ['a refresh token with a wrong secret', (_d, t) => ({ token: `${t.refreshToken.split('.')[0]}.${'A'.repeat(43)}` })],
      ['another client\'s refresh token', (_d, t) => ({ token: t.refreshToken, client_id: OTHER_PUBLIC })],
      ['another client\'s access token', (_d, t) => ({ token: t.accessToken, client_id: OTHER_PUBLIC })],
      ['a tampered access token', (_d, t) => ({ token: `${t.accessToken.slice(0, -4)}AAAA` })],
    ])('%s', async (_name, params) => {
      const deps = tokenDeps();
      const tokens = await login(deps);
      const before = snapshot(deps);
      const response = await revoke(deps, params(deps, tokens));
      expect(response.status).toBe(200);
      expect(snapshot(deps)).toBe(before);
      expect(await isActive(deps, tokens.accessToken)).toBe(true);
      expect(deps.audit.events.map((e) => e.type)).not.toContain('token_revoked');
    });
  });

  it.each<[string, Record<string, string | undefined>, Record<string, string>, number, string]>([
    ['case 50: bad client authentication', { client_id: undefined }, { authorization: basicAuth(CONFIDENTIAL, 'wrong') }, 401, 'invalid_client'],
    ['an unknown client', { client_id: 'nobody' }, {}, 401, 'invalid_client'],
    ['no token parameter', { token: undefined }, {}, 400, 'invalid_request'],
  ])('%s -> %s %s, nothing revoked', async (_name, params, headers, status, error) => {
    const deps = tokenDeps();
    const tokens = await login(deps);
    const before = snapshot(deps);
    const response = await revoke(deps, { token: tokens.refreshToken, ...params }, headers);
    expect(response.status).toBe(status);
    expect(json(response).error).toBe(error);
    if (status === 401) expect(response.headers['WWW-Authenticate']).toMatch(/^Basic /);
    expect(snapshot(deps)).toBe(before);
  });
});
