/**
 * POST /introspect (RFC 7662), docs/security.md, case 51: only authenticated confidential clients
 * may ask; anything not active for the caller is exactly {"active":false}.
 */
import { serve } from '../support/serve';
import { localTestConfig } from '../support/in-memory-ports';
import {
  CONFIDENTIAL, CONFIDENTIAL_SECRET, OTHER_CONFIDENTIAL, OTHER_CONFIDENTIAL_SECRET, PUBLIC, R1, R1_INTROSPECTOR, R1_INTROSPECTOR_SECRET, R2,
  basicAuth, codeParams, formRequest, json, login, seedCode, token, tokenDeps,
} from './token-fixtures';

type Deps = ReturnType<typeof tokenDeps>;

const asIntrospector = { authorization: basicAuth(R1_INTROSPECTOR, R1_INTROSPECTOR_SECRET) };
const introspect = (deps: Deps, params: Record<string, string | undefined>, headers: Record<string, string> = asIntrospector) =>
  serve(deps, formRequest('/introspect', params, headers));

async function confidentialLogin(deps: Deps) {
  const { code } = await seedCode(deps, { clientId: CONFIDENTIAL });
  return json(await token(deps, codeParams(code, { client_id: undefined }), { authorization: basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET) }));
}

describe('/introspect', () => {
  it('describes an active access token to the resource server allowed for its audience', async () => {
    const deps = tokenDeps();
    const { accessToken } = await login(deps);
    const response = await introspect(deps, { token: accessToken });
    expect(response.status).toBe(200);
    expect(response.headers['Cache-Control']).toBe('no-store');
    const now = Math.floor(deps.clock.nowMs() / 1000);
    expect(json(response)).toEqual({
      active: true, scope: 'tool:read tool:execute', client_id: PUBLIC, sub: 'alice-sub', aud: R1, iss: 'http://localhost:8787',
      exp: now + 900, iat: now, jti: expect.any(String), token_type: 'Bearer',
    });
  });

  it('describes an access token to its own confidential client, with client_secret_post', async () => {
    const deps = tokenDeps();
    const tokens = await confidentialLogin(deps);
    const response = await introspect(deps, { token: tokens.access_token, client_id: CONFIDENTIAL, client_secret: CONFIDENTIAL_SECRET }, {});
    expect(json(response)).toMatchObject({ active: true, client_id: CONFIDENTIAL });
  });

  it('describes a refresh token to its own client only', async () => {
    const deps = tokenDeps();
    const tokens = await confidentialLogin(deps);
    const own = json(await introspect(deps, { token: tokens.refresh_token }, { authorization: basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET) }));
    expect(own).toMatchObject({ active: true, scope: 'tool:read tool:execute', client_id: CONFIDENTIAL, sub: 'alice-sub', exp: expect.any(Number) });
    expect(JSON.stringify(own)).not.toContain(tokens.refresh_token);
    expect(json(await introspect(deps, { token: tokens.refresh_token }))).toEqual({ active: false });
  });

  describe('case 51: {"active":false} and nothing else', () => {
    it.each<[string, (deps: Deps, t: { accessToken: string; refreshToken: string }) => Promise<Record<string, string>> | Record<string, string>, Record<string, string>?]>([
      ['an unknown token', () => ({ token: 'not-a-token' })],
      ['a tampered token', (_d, t) => ({ token: `${t.accessToken.slice(0, -6)}AAAAAA` })],
      ['an expired token', (d, t) => { d.clock.advanceSeconds(901); return { token: t.accessToken }; }],
      ['a token revoked by jti', async (d, t) => {
        const jti = JSON.parse(Buffer.from(t.accessToken.split('.')[1], 'base64url').toString()).jti;
        const now = Math.floor(d.clock.nowMs() / 1000);
        await d.revocations.revoke({ key: { kind: 'jti', value: jti }, revokedAt: now, expiresAt: now + 900, reason: 'test' });
        return { token: t.accessToken };
      }],
      ['a token whose user was revoked', async (d, t) => {
        const now = Math.floor(d.clock.nowMs() / 1000);
        await d.revocations.revoke({ key: { kind: 'subject', value: 'alice-sub' }, revokedAt: now, expiresAt: now + 900, reason: 'test' });
        return { token: t.accessToken };
      }],
      ['a token whose client was revoked', async (d, t) => {
        const now = Math.floor(d.clock.nowMs() / 1000);
        await d.revocations.revoke({ key: { kind: 'client', value: PUBLIC }, revokedAt: now, expiresAt: now + 900, reason: 'test' });
        return { token: t.accessToken };
      }],
      ['a token of a revoked family', async (d, t) => {
        const now = Math.floor(d.clock.nowMs() / 1000);
        await d.revocations.revoke({ key: { kind: 'family', value: t.refreshToken.split('.')[0] }, revokedAt: now, expiresAt: now + 900, reason: 'test' });
        return { token: t.accessToken };
      }],
      ['a token for another resource server', () => ({ token: '' }), { otherResource: 'yes' }],
      ['a token asked about by a confidential client that is neither its client nor its resource server', (_d, t) => ({ token: t.accessToken }), { authorization: basicAuth(OTHER_CONFIDENTIAL, OTHER_CONFIDENTIAL_SECRET) }],
      ['a public client\'s refresh token, asked by a resource server', (_d, t) => ({ token: t.refreshToken })],
    ])('%s', async (_name, arrange, options = {}) => {
      const deps = tokenDeps();
      const tokens = options.otherResource
        ? await login(deps, { resources: [R2], scope: ['r2:read'] }, { resource: R2 })
        : await login(deps);
      const params = await arrange(deps, tokens);
      if (options.otherResource) params.token = tokens.accessToken;
      const headers = options.authorization ? { authorization: options.authorization } : asIntrospector;
      const response = await introspect(deps, params, headers);
      expect(response.status).toBe(200);
      expect(response.body).toBe('{"active":false}');
    });

    it('a revocation from before the token was issued does not deactivate it', async () => {
      const deps = tokenDeps();
      const now = Math.floor(deps.clock.nowMs() / 1000);
      await deps.revocations.revoke({ key: { kind: 'subject', value: 'alice-sub' }, revokedAt: now - 1, expiresAt: now + 900, reason: 'test' });
      const { accessToken } = await login(deps);
      expect(json(await introspect(deps, { token: accessToken })).active).toBe(true);
    });
  });

  it.each<[string, Record<string, string | undefined>, Record<string, string>, number, string]>([
    ['case 51: no authentication', {}, {}, 401, 'invalid_client'],
    ['a public client naming itself', { client_id: PUBLIC }, {}, 401, 'invalid_client'],
    ['a bad secret', {}, { authorization: basicAuth(R1_INTROSPECTOR, 'wrong') }, 401, 'invalid_client'],
    ['no token parameter', { token: undefined }, asIntrospector, 400, 'invalid_request'],
  ])('%s -> %s %s', async (_name, params, headers, status, error) => {
    const deps = tokenDeps();
    const { accessToken } = await login(deps);
    const response = await introspect(deps, { token: accessToken, ...params }, headers);
    expect(response.status).toBe(status);
    expect(json(response).error).toBe(error);
    expect(response.body).not.toContain('active');
  });
});

describe('resources[].introspectionClients configuration', () => {
  it('defaults to none, so only a token\'s own client may introspect it', () => {
    expect(localTestConfig().resources[0].introspectionClients).toEqual([]);
  });

  it('names the option by its path when it is not a list of client ids', () => {
    expect(() => localTestConfig((raw: any) => (raw.resources[0].introspectionClients = ['ok', 7]))).toThrow('resources[0].introspectionClients[1]: must be a non-empty string');
    expect(() => localTestConfig((raw: any) => (raw.resources[0].introspectionClients = 'rs'))).toThrow('resources[0].introspectionClients: must be an array');
  });
});
