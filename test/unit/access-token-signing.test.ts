/**
 * jws-signature.ts, access-token-issuing.ts and access-token-verification.ts: our RS256
 * tokens verify with an independent library, and the authorization server's own reading of
 * its tokens accepts exactly what it issues. Every hostile variant is `undefined`, never a throw.
 */
import { createHmac, sign as rsaSign } from 'node:crypto';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { signJwt } from '../../lambda/core/tokens/jws-signature';
import { issueAccessToken } from '../../lambda/core/authorization-server/access-token-issuing';
import { verifyIssuedAccessToken } from '../../lambda/core/authorization-server/access-token-verification';
import { handleJwks } from '../../lambda/core/authorization-server/jwks';
import { TestRsaSigner } from '../support/in-memory-ports';
import { ISSUER, R1, json, tokenDeps } from './token-fixtures';

const NOW = 1_767_268_800;
const claims = { iss: ISSUER, sub: 's', aud: R1, client_id: 'c', scope: 'tool:read', iat: NOW, exp: NOW + 900, jti: 'j' };
/** The same claims as the authorization server reads them. */
const read = { issuer: ISSUER, subject: 's', audience: R1, clientId: 'c', scope: ['tool:read'], issuedAt: NOW, expiresAt: NOW + 900, jti: 'j' };

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('access token signing and verification', () => {
  const { signer, config } = tokenDeps();
  const verify = (token: string, s: typeof signer = signer) => verifyIssuedAccessToken({ config, signer: s }, token, NOW);
  /** A token signed with our real private key but with a header and payload of the test's choosing. */
  const forge = (header: Record<string, unknown>, payload: Record<string, unknown> = claims, key = signer.privateKey) => {
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${rsaSign('sha256', Buffer.from(input), key).toString('base64url')}`;
  };
  const goodHeader = { alg: 'RS256', typ: 'at+jwt', kid: signer.kid };

  it('signs RS256 with typ and kid in the header, verifiable by jose against the published JWKS', async () => {
    const jwt = await signJwt(signer, 'at+jwt', claims);
    expect(JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString())).toEqual(goodHeader);
    const jwks = json(await handleJwks({ signer }, { method: 'GET', path: '/.well-known/jwks.json', query: {}, headers: {} }));
    const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(jwks), { typ: 'at+jwt', issuer: ISSUER, audience: R1, currentDate: new Date(NOW * 1000) });
    expect(payload).toEqual(claims);
    expect(protectedHeader.kid).toBe(signer.kid);
    expect(await verify(jwt)).toEqual(read);
  });

  it('costs one Sign call per token', async () => {
    const before = signer.signCalls;
    await signJwt(signer, 'at+jwt', claims);
    expect(signer.signCalls - before).toBe(1);
  });

  it('accepts a forged-by-us token identical to what we sign (the forge helper is sound)', async () => {
    expect(await verify(forge(goodHeader))).toEqual(read);
  });

  const otherKey = new TestRsaSigner('other');
  it.each<[string, () => string]>([
    ['case 34: alg none with an empty signature', () => `${b64({ alg: 'none', typ: 'at+jwt', kid: signer.kid })}.${b64(claims)}.`],
    ['case 35: HS256 keyed with the public key PEM', () => {
      const header = b64({ alg: 'HS256', typ: 'at+jwt', kid: signer.kid });
      const input = `${header}.${b64(claims)}`;
      const pem = signer.publicKey.export({ type: 'spki', format: 'pem' });
      return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    }],
    ['RS384', () => forge({ ...goodHeader, alg: 'RS384' })],
    ['case 38: typ JWT', () => forge({ ...goodHeader, typ: 'JWT' })],
    ['case 38: typ absent', () => forge({ alg: 'RS256', kid: signer.kid })],
    ['case 38: typ dpop+jwt', () => forge({ ...goodHeader, typ: 'dpop+jwt' })],
    ['case 36: unknown kid', () => forge({ ...goodHeader, kid: 'x' })],
    ['case 36: kid with path traversal', () => forge({ ...goodHeader, kid: '../../x' })],
    ['case 36: kid of 10 KB', () => forge({ ...goodHeader, kid: 'k'.repeat(10_000) })],
    ['no kid', () => forge({ alg: 'RS256', typ: 'at+jwt' })],
    ['case 37: an embedded jwk', () => forge({ ...goodHeader, jwk: { kty: 'RSA' } })],
    ['case 37: jku', () => forge({ ...goodHeader, jku: 'http://127.0.0.1:9/jwks' })],
    ['case 39: crit', () => forge({ ...goodHeader, crit: ['urn:x'], 'urn:x': 1 })],
    ['signed by a key we do not publish', () => forge(goodHeader, claims, otherKey.privateKey)],
    ['case 38: iss with a trailing slash', () => forge(goodHeader, { ...claims, iss: `${ISSUER}/` })],
    ['case 38: expired', () => forge(goodHeader, { ...claims, exp: NOW - 120 })],
    ['expiring this very second', () => forge(goodHeader, { ...claims, exp: NOW })],
    ['case 38: nbf in the future', () => forge(goodHeader, { ...claims, nbf: NOW + 300 })],
    ['case 38: iat an hour ahead', () => forge(goodHeader, { ...claims, iat: NOW + 3600 })],
    ['exp not a number', () => forge(goodHeader, { ...claims, exp: String(NOW + 900) })],
    ['a payload that is not an object', () => forge(goodHeader, [1, 2] as unknown as Record<string, unknown>)],
    ['one changed payload byte', () => {
      const [h, p, s] = forge(goodHeader).split('.');
      return `${h}.${p.slice(0, 5)}${p[5] === 'A' ? 'B' : 'A'}${p.slice(6)}.${s}`;
    }],
    ['case 40: two segments', () => forge(goodHeader).split('.').slice(0, 2).join('.')],
    ['case 40: four segments', () => `${forge(goodHeader)}.x`],
    ['case 40: non-base64url characters', () => forge(goodHeader).replace('.', '.+/')],
    ['case 40: a 16 KB header', () => forge({ ...goodHeader, pad: 'x'.repeat(16_000) })],
    ['a header that is not JSON', () => `${b64('{not json')}.${b64(claims)}.AAAA`],
    ['an empty string', () => ''],
  ])('rejects %s without throwing', async (_name, make) => {
    await expect(verify(make())).resolves.toBeUndefined();
  });

  it('a signer whose key listing fails yields undefined, not a throw', async () => {
    const broken = { ...signer, currentKeyId: signer.currentKeyId.bind(signer), signDigest: signer.signDigest.bind(signer), publicKeys: async () => { throw new Error('down'); } };
    await expect(verify(forge(goodHeader), broken as typeof signer)).resolves.toBeUndefined();
  });

  describe('access tokens', () => {
    it('issue and verify round-trip with every RFC 9068 claim', async () => {
      const deps = tokenDeps();
      const now = Math.floor(deps.clock.nowMs() / 1000);
      const issued = await issueAccessToken(deps, { subject: 'alice-sub', clientId: 'c1', audience: R1, scope: ['tool:read', 'admin'], familyId: 'fam', authTime: now - 10 }, now);
      const payload = JSON.parse(Buffer.from(issued.token.split('.')[1]!, 'base64url').toString('utf8'));
      expect(payload).toEqual({ iss: ISSUER, sub: 'alice-sub', aud: R1, client_id: 'c1', scope: 'tool:read admin', iat: now, exp: now + 900, jti: expect.any(String), fid: 'fam', auth_time: now - 10 });
      expect(issued.claims).toEqual({ issuer: ISSUER, subject: 'alice-sub', audience: R1, clientId: 'c1', scope: ['tool:read', 'admin'], issuedAt: now, expiresAt: now + 900, jti: payload.jti, familyId: 'fam', authTime: now - 10 });
      expect(await verifyIssuedAccessToken(deps, issued.token, now)).toEqual(issued.claims);
      expect(await verifyIssuedAccessToken(deps, issued.token, now + 900)).toBeUndefined();
    });

    it('jti values differ between tokens', async () => {
      const deps = tokenDeps();
      const grant = { subject: 's', clientId: 'c', audience: R1, scope: ['tool:read'], familyId: 'f', authTime: 0 };
      const a = await issueAccessToken(deps, grant, 1_767_268_800);
      const b = await issueAccessToken(deps, grant, 1_767_268_800);
      expect(a.claims.jti).not.toBe(b.claims.jti);
    });

    it.each(['sub', 'aud', 'client_id', 'scope', 'jti'])('case 38: a token without %s is not an access token', async (claim) => {
      const deps = tokenDeps();
      const now = Math.floor(deps.clock.nowMs() / 1000);
      const payload: Record<string, unknown> = { ...claims, iat: now, exp: now + 900 };
      delete payload[claim];
      const jwt = await signJwt(deps.signer, 'at+jwt', payload);
      expect(await verifyIssuedAccessToken(deps, jwt, now)).toBeUndefined();
    });

    it('an array aud is not one of ours', async () => {
      const deps = tokenDeps();
      const now = Math.floor(deps.clock.nowMs() / 1000);
      const jwt = await signJwt(deps.signer, 'at+jwt', { ...claims, aud: [R1, 'https://evil.example'], iat: now, exp: now + 900 });
      expect(await verifyIssuedAccessToken(deps, jwt, now)).toBeUndefined();
    });
  });

  it('the JWKS is publicly cacheable and publishes only public members', async () => {
    const response = await handleJwks({ signer }, { method: 'GET', path: '/.well-known/jwks.json', query: {}, headers: {} });
    expect(response.status).toBe(200);
    expect(response.headers['Cache-Control']).toMatch(/^public, max-age=\d+$/);
    const { keys } = json(response);
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0]).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(keys[0]).toMatchObject({ kty: 'RSA', kid: signer.kid, alg: 'RS256', use: 'sig' });
  });
});
