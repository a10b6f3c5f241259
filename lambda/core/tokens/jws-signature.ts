/**
 * JWTs of our own: RS256 signing through the Signer port (one digest, one Sign call per
 * token) and verification of tokens we issued, for /revoke and /introspect. Verification
 * accepts exactly what we produce and nothing else: RS256 only, a kid we publish, the
 * expected typ, our issuer, not expired. Any doubt is "not a valid token", never a throw,
 * so a hostile token cannot turn into a 500.
 */
import { constants, createPublicKey, verify as verifyRsaSignature } from 'node:crypto';
import { base64url, sha256 } from '../crypto';
import type { PublicJwk, Signer } from '../ports';

/** Our tokens are a few hundred bytes; anything much larger is not ours. */
const MAX_TOKEN_CHARS = 8 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export type JwtPayload = Record<string, unknown>;

export async function signJwt(signer: Signer, typ: string, payload: JwtPayload): Promise<string> {
  const kid = await signer.currentKeyId();
  const signingInput = `${encodeJson({ alg: 'RS256', typ, kid })}.${encodeJson(payload)}`;
  const signature = await signer.signDigest(kid, sha256(signingInput));
  return `${signingInput}.${base64url(signature)}`;
}

export interface JwtExpectations {
  readonly typ: string;
  readonly issuer: string;
  readonly nowSeconds: number;
  /** Tolerance for iat in the future (clocks of our own instances drift a little). */
  readonly clockSkewSeconds: number;
}

/** The payload of a token we issued and that is still alive, or undefined. */
export async function verifyOwnJwt(signer: Signer, token: string, expected: JwtExpectations): Promise<JwtPayload | undefined> {
  try {
    if (token.length > MAX_TOKEN_CHARS) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) return undefined;
    const [encodedHeader, encodedPayload, encodedSignature] = parts;

    const header = decodeJson(encodedHeader);
    if (!header || header.alg !== 'RS256' || header.typ !== expected.typ || typeof header.kid !== 'string') return undefined;
    // We never set crit, jku, x5u or an embedded jwk; a token that does was not made here.
    if (['crit', 'jku', 'jwk', 'x5u', 'x5c'].some((name) => name in header)) return undefined;

    const key = (await signer.publicKeys()).find((k) => k.kid === header.kid);
    if (!key || !signatureMatches(key, `${encodedHeader}.${encodedPayload}`, encodedSignature)) return undefined;

    const payload = decodeJson(encodedPayload);
    if (!payload || payload.iss !== expected.issuer) return undefined;
    if (typeof payload.exp !== 'number' || payload.exp <= expected.nowSeconds) return undefined;
    if (typeof payload.iat !== 'number' || payload.iat > expected.nowSeconds + expected.clockSkewSeconds) return undefined;
    if (payload.nbf !== undefined && (typeof payload.nbf !== 'number' || payload.nbf > expected.nowSeconds + expected.clockSkewSeconds)) return undefined;
    return payload;
  } catch {
    return undefined;
  }
}

function signatureMatches(jwk: PublicJwk, signingInput: string, encodedSignature: string): boolean {
  if (jwk.kty !== 'RSA' || jwk.alg !== 'RS256') return false;
  const publicKey = createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e }, format: 'jwk' });
  return verifyRsaSignature('sha256', Buffer.from(signingInput), { key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(encodedSignature, 'base64url'));
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
