/**
 * Client authentication at /token (shared with /revoke and /introspect): docs/security.md, case 27
 * and the RFC 6749 section 2.3.1 encoding of Basic credentials. Every failure is the same
 * 401 invalid_client with WWW-Authenticate: Basic, and consumes nothing.
 */
import { sha256Base64url } from '../../lambda/core/crypto';
import {
  CONFIDENTIAL, CONFIDENTIAL_SECRET, OTHER_CONFIDENTIAL, PUBLIC,
  basicAuth, codeParams, json, seedCode, snapshot, token, tokenDeps,
} from './token-fixtures';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('client authentication', () => {
  it.each<[string, Record<string, string | undefined>, Record<string, string | string[]>]>([
    ['client_secret_basic', { client_id: undefined }, { authorization: basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET) }],
    ['client_secret_basic with a matching client_id in the body', { client_id: CONFIDENTIAL }, { authorization: basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET) }],
    ['client_secret_basic with a lower-case scheme', { client_id: undefined }, { authorization: basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET).replace('Basic', 'basic') }],
    ['client_secret_post', { client_id: CONFIDENTIAL, client_secret: CONFIDENTIAL_SECRET }, {}],
  ])('accepts %s', async (_name, params, headers) => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps, { clientId: CONFIDENTIAL });
    const response = await token(deps, codeParams(code, params), headers);
    expect(response.status).toBe(200);
    expect(response.headers['Cache-Control']).toBe('no-store');
  });

  it('decodes form-encoded Basic credentials (RFC 6749 section 2.3.1), so a secret with : + & works', async () => {
    const deps = tokenDeps();
    const id = 'odd id+with&percent%';
    const secret = 'p%ss:w+rd &x';
    deps.clients.items.set(id, { ...deps.clients.items.get(CONFIDENTIAL)!, clientId: id, clientSecretHash: sha256Base64url(secret) });
    const { code } = await seedCode(deps, { clientId: id });
    expect((await token(deps, codeParams(code, { client_id: undefined }), { authorization: basicAuth(id, secret) })).status).toBe(200);
    // The same credentials not form-encoded decode to something else, and fail.
    const { code: code2 } = await seedCode(deps, { clientId: id });
    expect((await token(deps, codeParams(code2, { client_id: undefined }), { authorization: `Basic ${b64(`${id}:${secret}`)}` })).status).toBe(401);
  });

  it('accepts a public client that only names itself', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps);
    expect((await token(deps, codeParams(code, { client_id: PUBLIC }))).status).toBe(200);
  });

  describe('case 27: 401 invalid_client with WWW-Authenticate: Basic, nothing consumed', () => {
    it.each<[string, Record<string, string | undefined>, Record<string, string | string[]>]>([
      ['Basic with a bad secret', { client_id: undefined }, { authorization: basicAuth(CONFIDENTIAL, 'wrong') }],
      ['post with a bad secret', { client_id: CONFIDENTIAL, client_secret: 'wrong' }, {}],
      ['a confidential client with no authentication', { client_id: CONFIDENTIAL }, {}],
      ['an unknown client', { client_id: 'nobody' }, {}],
      ['an unknown client with Basic', { client_id: undefined }, { authorization: basicAuth('nobody', 'x') }],
      ['no client identification at all', { client_id: undefined }, {}],
      ['Basic without a colon', { client_id: undefined }, { authorization: `Basic ${b64(CONFIDENTIAL)}` }],
      ['Basic with an empty secret', { client_id: undefined }, { authorization: `Basic ${b64(`${CONFIDENTIAL}:`)}` }],
      ['Basic that is not base64', { client_id: undefined }, { authorization: 'Basic %%%' }],
      ['Basic with broken percent-encoding', { client_id: undefined }, { authorization: `Basic ${b64(`${CONFIDENTIAL}:%E0%A4%A`)}` }],
      ['a Bearer token instead of credentials', { client_id: undefined }, { authorization: 'Bearer abc' }],
      ['another confidential client\'s secret', { client_id: undefined }, { authorization: basicAuth(OTHER_CONFIDENTIAL, CONFIDENTIAL_SECRET) }],
    ])('%s', async (_name, params, headers) => {
      const deps = tokenDeps();
      const { code } = await seedCode(deps, { clientId: CONFIDENTIAL });
      const before = snapshot(deps);
      const response = await token(deps, codeParams(code, params), headers);
      expect(response.status).toBe(401);
      expect(json(response)).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed.' });
      expect(response.headers['WWW-Authenticate']).toMatch(/^Basic /);
      expect(snapshot(deps)).toBe(before);
    });

    it('a public client that sends a secret', async () => {
      const deps = tokenDeps();
      const { code } = await seedCode(deps);
      const before = snapshot(deps);
      const response = await token(deps, codeParams(code, { client_secret: 'anything' }));
      expect(response.status).toBe(401);
      expect(snapshot(deps)).toBe(before);
    });

    it('a dynamic client past its expiry', async () => {
      const deps = tokenDeps();
      deps.clients.items.set(PUBLIC, { ...deps.clients.items.get(PUBLIC)!, expiresAt: Math.floor(deps.clock.nowMs() / 1000) - 1 });
      const { code } = await seedCode(deps);
      expect((await token(deps, codeParams(code))).status).toBe(401);
    });
  });

  describe('400 invalid_request, nothing consumed', () => {
    it.each<[string, Record<string, string | undefined>, Record<string, string | string[]>]>([
      ['case 27: Basic auth plus client_secret in the body', { client_id: undefined, client_secret: CONFIDENTIAL_SECRET }, { authorization: basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET) }],
      ['a body client_id that differs from the Basic id', { client_id: OTHER_CONFIDENTIAL }, { authorization: basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET) }],
      ['two Authorization headers', { client_id: undefined }, { authorization: [basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET), basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET)] }],
    ])('%s', async (_name, params, headers) => {
      const deps = tokenDeps();
      const { code } = await seedCode(deps, { clientId: CONFIDENTIAL });
      const before = snapshot(deps);
      const response = await token(deps, codeParams(code, params), headers);
      expect(response.status).toBe(400);
      expect(json(response).error).toBe('invalid_request');
      expect(response.headers['WWW-Authenticate']).toBeUndefined();
      expect(snapshot(deps)).toBe(before);
    });
  });
});
