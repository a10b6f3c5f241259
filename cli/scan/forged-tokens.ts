/**
 * Tokens that no honest server accepts, built to look as real as the scanner can make them:
 * the advertised issuer, this server as audience, the challenged scopes, a lifetime that is
 * still running and the kid of a live signing key. Only what makes each one invalid
 * differs: no signature, an HMAC keyed with the public key, a foreign key and a past exp.
 */
import { createHmac, createPublicKey, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

export interface ForgeryTarget {
  readonly issuer: string;
  readonly audience: string;
  readonly scope?: string;
  /** The kid of a key in the server's JWKS, so that a key lookup succeeds. */
  readonly kid?: string;
  readonly nowSeconds: number;
}

const b64url = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

function claims(target: ForgeryTarget, lifetime: { iat: number; exp: number }): Record<string, unknown> {
  return {
    iss: target.issuer,
    sub: 'mcp-oauth-scan-forged-subject',
    aud: target.audience,
    client_id: 'mcp-oauth-scan',
    ...(target.scope ? { scope: target.scope } : {}),
    iat: lifetime.iat,
    exp: lifetime.exp,
    jti: randomBytes(12).toString('base64url'),
  };
}

function header(target: ForgeryTarget, alg: string): Record<string, unknown> {
  return { alg, typ: 'at+jwt', ...(target.kid ? { kid: target.kid } : {}) };
}

const live = (target: ForgeryTarget) => ({ iat: target.nowSeconds - 60, exp: target.nowSeconds + 600 });

/** Not a JWT, not base64url of anything: what a confused client might send. */
export function garbageToken(): string {
  return `mcp-oauth-scan.not-a-token.${randomBytes(16).toString('hex')}`;
}

/** RFC 8725 §2.1: "alg": "none" and an empty signature. */
export function unsignedToken(target: ForgeryTarget): string {
  return `${b64url(header(target, 'none'))}.${b64url(claims(target, live(target)))}.`;
}

/**
 * RFC 8725 §2.1 key confusion: HS256 with the server's RSA public key (as PEM, the form a
 * verifier that reads "the key" as bytes would use) as the HMAC secret.
 */
export function publicKeyHmacToken(target: ForgeryTarget, publicKeyPem: string): string {
  const signingInput = `${b64url(header(target, 'HS256'))}.${b64url(claims(target, live(target)))}`;
  return `${signingInput}.${createHmac('sha256', publicKeyPem).update(signingInput).digest('base64url')}`;
}

let foreignKey: KeyObject | undefined;

/** RS256 by a key the server never published, with a lifetime that ended an hour ago. */
export function expiredForeignToken(target: ForgeryTarget): string {
  foreignKey ??= generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const signingInput = `${b64url(header(target, 'RS256'))}.${b64url(claims(target, { iat: target.nowSeconds - 7200, exp: target.nowSeconds - 3600 }))}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(foreignKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

/** The PEM (SPKI) of an RSA JWK, or undefined when it is not one Node can read. */
export function rsaJwkToPem(jwk: Record<string, unknown>): string | undefined {
  if (jwk.kty !== 'RSA' || typeof jwk.n !== 'string' || typeof jwk.e !== 'string') return undefined;
  try {
    return createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  } catch {
    return undefined;
  }
}

/**
 * The token with one character changed, in the middle of its signature when it is a JWT
 * (the last character of a base64url segment can carry only padding bits, so changing it
 * may change nothing), else in the middle of the token.
 */
export function tamperedToken(token: string): { token: string; where: string } {
  const parts = token.split('.');
  if (parts.length === 3 && parts[2]!.length > 4) {
    parts[2] = flipCharAt(parts[2]!, Math.floor(parts[2]!.length / 2));
    return { token: parts.join('.'), where: 'of its signature' };
  }
  return { token: flipCharAt(token, Math.floor(token.length / 2)), where: 'in the middle' };
}

function flipCharAt(text: string, index: number): string {
  const c = text[index]!;
  const replacement = c === 'A' ? 'B' : 'A';
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}

/** The claims of a JWT, unverified, when the token is one; the scanner only reads them to explain a result. */
export function readableClaims(token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
