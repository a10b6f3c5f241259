/**
 * The rules an access token must pass at the guard beyond what aws-jwt-verify checks. Two
 * halves: a cheap pre-check of the raw token before any key is looked up (so odd kids,
 * embedded keys and oversized input never reach the JWKS cache or the network), and the
 * claim rules of RFC 9068 once the signature is verified. Each failure has a reason for the
 * log; callers answer every one of them with the same 401.
 */
import type { RevocationKey, RevocationRecord } from '../ports';

/** Far above any token we mint (about 1 KB), far below API Gateway's 10 KB header budget. */
export const MAX_ACCESS_TOKEN_LENGTH = 4096;
const MAX_HEADER_SEGMENT_LENGTH = 1024;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Our kids are RFC 7638 thumbprints; anything outside this shape cannot be one of our keys. */
const KID_SHAPE = /^[A-Za-z0-9._-]{1,128}$/;
/** Header members that name or carry a key: we verify only against our own JWKS. */
const KEY_BEARING_MEMBERS = ['jwk', 'jku', 'x5u', 'x5c'];

export type TokenRuleResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const fail = (reason: string) => ({ ok: false as const, reason });

/** Accepts `at+jwt` and its full media type, case-insensitively (RFC 7515 section 4.1.9, RFC 9068 section 2.1). */
export function isAccessTokenType(typ: unknown): boolean {
  return typeof typ === 'string' && ['at+jwt', 'application/at+jwt'].includes(typ.toLowerCase());
}

/** The Bearer token of an Authorization header value; undefined for any other shape. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
  return match?.[1];
}

export function precheckAccessToken(token: string): TokenRuleResult<{ readonly kid: string }> {
  if (token.length > MAX_ACCESS_TOKEN_LENGTH) return fail('token too long');
  if (!JWS_COMPACT.test(token)) return fail('not a three-part JWS with a signature');
  const headerSegment = token.slice(0, token.indexOf('.'));
  if (headerSegment.length > MAX_HEADER_SEGMENT_LENGTH) return fail('header too long');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(headerSegment, 'base64url').toString('utf8'));
  } catch {
    return fail('header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return fail('header is not an object');
  const h = header as Record<string, unknown>;
  if (h.alg !== 'RS256') return fail('alg is not RS256');
  if (!isAccessTokenType(h.typ)) return fail('typ is not at+jwt');
  if ('crit' in h) return fail('crit names extensions we do not understand');
  if (KEY_BEARING_MEMBERS.some((member) => member in h)) return fail('header carries or points to a key');
  if (typeof h.kid !== 'string' || !KID_SHAPE.test(h.kid)) return fail('kid missing or malformed');
  return { ok: true, value: { kid: h.kid } };
}

export interface AccessTokenClaims {
  readonly issuer: string;
  readonly subject: string;
  readonly clientId: string;
  readonly audience: string;
  readonly scope: readonly string[];
  readonly jti: string;
  readonly familyId?: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

export interface ClaimExpectations {
  readonly issuer: string;
  readonly audience: string;
  readonly nowSeconds: number;
  readonly skewSeconds: number;
}

/** RFC 9068 section 2.2 and 4, applied after the signature is verified. */
export function checkAccessTokenClaims(payload: Readonly<Record<string, unknown>>, expect: ClaimExpectations): TokenRuleResult<AccessTokenClaims> {
  const { nowSeconds: now, skewSeconds: skew } = expect;
  if (payload.iss !== expect.issuer) return fail('iss');
  const aud = payload.aud;
  const audience = Array.isArray(aud) && aud.length === 1 ? aud[0] : aud;
  if (audience !== expect.audience) return fail('aud');
  if (!isNumericDate(payload.exp) || payload.exp <= now - skew) return fail('exp');
  if (!isNumericDate(payload.iat) || payload.iat > now + skew) return fail('iat');
  if (payload.nbf !== undefined && (!isNumericDate(payload.nbf) || payload.nbf > now + skew)) return fail('nbf');
  for (const claim of ['sub', 'client_id', 'jti'] as const) {
    if (!isNonEmptyString(payload[claim])) return fail(claim);
  }
  if (typeof payload.scope !== 'string') return fail('scope');
  if (payload.fid !== undefined && !isNonEmptyString(payload.fid)) return fail('fid');
  return {
    ok: true,
    value: {
      issuer: payload.iss,
      subject: payload.sub as string,
      clientId: payload.client_id as string,
      audience,
      scope: payload.scope.split(' ').filter((s) => s.length > 0),
      jti: payload.jti as string,
      familyId: payload.fid as string | undefined,
      issuedAt: payload.iat,
      expiresAt: payload.exp,
    },
  };
}

/** Every revocation key of a token: one BatchGetItem answers them all. */
export function revocationKeysFor(claims: Pick<AccessTokenClaims, 'jti' | 'familyId' | 'subject' | 'clientId'>): RevocationKey[] {
  const keys: RevocationKey[] = [{ kind: 'jti', value: claims.jti }];
  if (claims.familyId) keys.push({ kind: 'family', value: claims.familyId });
  keys.push({ kind: 'subject', value: claims.subject }, { kind: 'client', value: claims.clientId });
  return keys;
}

/** A revocation covers every token issued at or before it (ports.ts: revokedAt >= iat). */
export function isRevoked(records: readonly RevocationRecord[], issuedAt: number): boolean {
  return records.some((record) => record.revokedAt >= issuedAt);
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 1024;
}
