import { generateKeyPairSync, sign } from 'node:crypto';
import type { JsonWebKeyConfig } from '../../lambda/core/config';
import { assertionKey, assertionSignatureMatches, assertionTimes, audienceIncludes, decodeSignedAssertion } from '../../lambda/core/tokens/signed-assertion';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsaJwk = { ...(rsa.publicKey.export({ format: 'jwk' }) as JsonWebKeyConfig), kid: 'r1' };
const ecJwk = { ...(ec.publicKey.export({ format: 'jwk' }) as JsonWebKeyConfig), kid: 'e1' };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function jws(header: Record<string, unknown>, payload: Record<string, unknown>, signer: (input: Buffer) => Buffer): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${signer(Buffer.from(input)).toString('base64url')}`;
}
const rs256 = (input: Buffer) => sign('sha256', input, rsa.privateKey);
const es256 = (input: Buffer) => sign('sha256', input, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });

describe('signed-assertion.ts: JWTs others sign (RFC 7515, RFC 7518 sections 3.3-3.4, RFC 8725 section 3.1)', () => {
  it('verifies RS256 and ES256 against the key the kid names', () => {
    for (const [token, keys] of [[jws({ alg: 'RS256', kid: 'r1' }, { a: 1 }, rs256), [rsaJwk, ecJwk]], [jws({ alg: 'ES256', kid: 'e1' }, { a: 1 }, es256), [rsaJwk, ecJwk]]] as const) {
      const decoded = decodeSignedAssertion(token);
      if (!decoded.ok) throw new Error(decoded.reason);
      const key = assertionKey(keys, decoded.value)!;
      expect(assertionSignatureMatches(key, decoded.value)).toBe(true);
    }
  });

  it('without a kid, takes the only key fit for the algorithm, and none when several fit', () => {
    const decoded = decodeSignedAssertion(jws({ alg: 'RS256' }, {}, rs256));
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(assertionKey([rsaJwk, ecJwk], decoded.value)).toBe(rsaJwk);
    expect(assertionKey([rsaJwk, { ...rsaJwk, kid: 'r2' }], decoded.value)).toBeUndefined();
  });

  it('refuses an ES256 signature in DER form (only R || S is JWS)', () => {
    const decoded = decodeSignedAssertion(jws({ alg: 'ES256', kid: 'e1' }, {}, (input) => sign('sha256', input, ec.privateKey)));
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(assertionSignatureMatches(ecJwk, decoded.value)).toBe(false);
  });

  it.each([
    ['alg none', `${b64({ alg: 'none' })}.${b64({})}.`],
    ['alg HS256', jws({ alg: 'HS256' }, {}, rs256)],
    ['an embedded jwk', jws({ alg: 'RS256', jwk: rsaJwk }, {}, rs256)],
    ['a jku', jws({ alg: 'RS256', jku: 'https://evil.example/jwks' }, {}, rs256)],
    ['crit', jws({ alg: 'RS256', crit: ['x'], x: 1 }, {}, rs256)],
    ['two parts', `${b64({ alg: 'RS256' })}.${b64({})}`],
  ])('refuses %s before any key is looked up', (_name, token) => {
    expect(decodeSignedAssertion(token).ok).toBe(false);
  });

  it('never picks a key whose kty or alg does not fit the header', () => {
    const decoded = decodeSignedAssertion(jws({ alg: 'RS256', kid: 'e1' }, {}, rs256));
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(assertionKey([ecJwk], decoded.value)).toBeUndefined();
    expect(assertionKey([{ ...rsaJwk, kid: 'e1', alg: 'ES256' }], decoded.value)).toBeUndefined();
  });

  it.each([
    [{ exp: 1000 }, { maxSecondsAhead: 300 }, true],
    [{}, {}, false],
    [{ exp: 969 }, {}, false],
    [{ exp: 1000 + 301 + 30 }, { maxSecondsAhead: 300 }, false],
    [{ exp: 1100, iat: 1031 }, {}, false],
    [{ exp: 1100, nbf: 1031 }, {}, false],
    [{ exp: 1100, iat: 1030 }, {}, true],
  ])('times %j with %j at now=1000 (skew 30): %s', (payload, rules, ok) => {
    expect(assertionTimes(payload, { now: 1000, clockSkewSeconds: 30, ...rules }).ok).toBe(ok);
  });

  it('reads aud as a string or an array', () => {
    expect(audienceIncludes('a', ['a'])).toBe(true);
    expect(audienceIncludes(['x', 'a'], ['a'])).toBe(true);
    expect(audienceIncludes(['x'], ['a'])).toBe(false);
    expect(audienceIncludes(undefined, ['a'])).toBe(false);
  });
});
