/**
 * JWTs that others sign and we verify (RFC 7523 client assertions, ID-JAGs): the compact
 * JWS read strictly before any key is looked up, RS256 or ES256 only (RFC 8725 section 3.1:
 * never `none`, never an HMAC that a public key could be abused as the secret of), a key
 * picked from the signer's JWK set by `kid`, and the signature checked against it.
 */
import { createPublicKey, verify } from 'node:crypto';
import type { JsonWebKeyConfig } from '../config';
import { isCanonicalBase64url, parseJsonObjectSegment } from './access-token-syntax';
import { refused as fail, type TokenRuleResult } from './token-rule-result';

export const ASSERTION_ALGORITHMS = ['RS256', 'ES256'] as const;
export type AssertionAlgorithm = (typeof ASSERTION_ALGORITHMS)[number];

/** Far above any assertion a client or an IdP sends (about 1 KB), far below the form body limit. */
const MAX_ASSERTION_LENGTH = 8192;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const KID_SHAPE = /^[\x21-\x7e]{1,256}$/;
/** Header members that carry or point to a key: the key comes from the signer's registration, never from the token. */
const KEY_BEARING_MEMBERS = ['jwk', 'jku', 'x5u', 'x5c'];

export interface DecodedAssertion {
  readonly alg: AssertionAlgorithm;
  readonly kid?: string;
  readonly header: Readonly<Record<string, unknown>>;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly signingInput: string;
  readonly signatureB64: string;
}

export function decodeSignedAssertion(token: string): TokenRuleResult<DecodedAssertion> {
  if (token.length > MAX_ASSERTION_LENGTH) return fail('assertion too long');
  if (!JWS_COMPACT.test(token)) return fail('not a three-part JWS with a signature');
  const [headerB64, payloadB64, signatureB64] = token.split('.') as [string, string, string];
  if (![headerB64, payloadB64, signatureB64].every(isCanonicalBase64url)) return fail('a segment is not canonical base64url');
  const header = parseJsonObjectSegment(headerB64);
  if (header === undefined) return fail('header is not a JSON object');
  if (!isAssertionAlgorithm(header.alg)) return fail('alg is not RS256 or ES256');
  if ('crit' in header) return fail('crit names extensions we do not understand');
  if (KEY_BEARING_MEMBERS.some((member) => member in header)) return fail('header carries or points to a key');
  if (header.kid !== undefined && (typeof header.kid !== 'string' || !KID_SHAPE.test(header.kid))) return fail('kid malformed');
  const payload = parseJsonObjectSegment(payloadB64);
  if (payload === undefined) return fail('payload is not a JSON object');
  return {
    ok: true,
    value: { alg: header.alg, kid: header.kid as string | undefined, header, payload, signingInput: `${headerB64}.${payloadB64}`, signatureB64 },
  };
}

/**
 * The key of `keys` that may have signed `assertion`: the one with its `kid` when it names
 * one, else the only key fit for its algorithm. An unknown kid, or a choice of several, is none.
 */
export function assertionKey(keys: readonly JsonWebKeyConfig[], assertion: DecodedAssertion): JsonWebKeyConfig | undefined {
  const fit = keys.filter((key) => keyFitsAlgorithm(key, assertion.alg) && (key.use === undefined || key.use === 'sig'));
  if (assertion.kid !== undefined) {
    const named = fit.filter((key) => key.kid === assertion.kid);
    return named.length === 1 ? named[0] : undefined;
  }
  return fit.length === 1 ? fit[0] : undefined;
}

/** Whether `key` signed `assertion` (RFC 7518 sections 3.3 and 3.4; an ES256 signature is R || S, 64 bytes). */
export function assertionSignatureMatches(key: JsonWebKeyConfig, assertion: DecodedAssertion): boolean {
  let publicKey;
  try {
    publicKey = createPublicKey({ key: publicMembers(key), format: 'jwk' });
  } catch {
    return false;
  }
  const signature = Buffer.from(assertion.signatureB64, 'base64url');
  const data = Buffer.from(assertion.signingInput);
  if (assertion.alg === 'ES256') {
    return signature.length === 64 && verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature);
  }
  return verify('sha256', data, publicKey, signature);
}

function isAssertionAlgorithm(alg: unknown): alg is AssertionAlgorithm {
  return typeof alg === 'string' && (ASSERTION_ALGORITHMS as readonly string[]).includes(alg);
}

function keyFitsAlgorithm(key: JsonWebKeyConfig, alg: AssertionAlgorithm): boolean {
  if (key.alg !== undefined && key.alg !== alg) return false;
  return alg === 'RS256' ? key.kty === 'RSA' && !!key.n && !!key.e : key.kty === 'EC' && key.crv === 'P-256' && !!key.x && !!key.y;
}

/** Only the public members: a JWK set that (wrongly) holds a private member must not turn into a private key here. */
function publicMembers(key: JsonWebKeyConfig): Record<string, string> {
  return key.kty === 'RSA' ? { kty: 'RSA', n: key.n!, e: key.e! } : { kty: 'EC', crv: key.crv!, x: key.x!, y: key.y! };
}

export interface AssertionTimeRules {
  readonly now: number;
  readonly clockSkewSeconds: number;
  /** How far ahead `exp` may be (RFC 7523 section 3 item 4 lets the server limit it); absent: no limit. */
  readonly maxSecondsAhead?: number;
}

/**
 * `exp` required and not past, `iat` and `nbf` not in the future, each with the tolerated
 * skew (RFC 7523 section 3 items 4-6, RFC 7519 section 4.1). Returns the `exp` on success.
 */
export function assertionTimes(payload: Readonly<Record<string, unknown>>, rules: AssertionTimeRules): TokenRuleResult<number> {
  const { now, clockSkewSeconds: skew } = rules;
  const { exp, iat, nbf } = payload;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return fail('exp missing');
  if (exp <= now - skew) return fail('expired');
  if (rules.maxSecondsAhead !== undefined && exp > now + rules.maxSecondsAhead + skew) return fail('exp too far ahead');
  if (iat !== undefined && (typeof iat !== 'number' || !Number.isFinite(iat) || iat > now + skew)) return fail('iat in the future');
  if (nbf !== undefined && (typeof nbf !== 'number' || !Number.isFinite(nbf) || nbf > now + skew)) return fail('not yet valid');
  return { ok: true, value: exp };
}

/** Whether the `aud` claim (a string or an array of strings) names one of `accepted`. */
export function audienceIncludes(aud: unknown, accepted: readonly string[]): boolean {
  const values = Array.isArray(aud) ? aud : [aud];
  return values.some((value) => typeof value === 'string' && accepted.includes(value));
}
