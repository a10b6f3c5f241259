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

/**
 * A token split and parsed exactly once, before any key is looked up: the pre-check's
 * header rules, then the payload as a JSON object whose registered claims have the JSON
 * types RFC 7519 gives them. Nothing here is trusted until the signature over
 * `headerB64.payloadB64` is verified; the shape is aws-jwt-verify's `DecomposedJwt`, so the
 * verifier can take it as is instead of parsing the token a second time.
 */
export interface DecodedAccessToken {
  readonly kid: string;
  readonly header: Readonly<Record<string, unknown>>;
  readonly headerB64: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly payloadB64: string;
  readonly signatureB64: string;
}

export function decodeAccessToken(token: string): TokenRuleResult<DecodedAccessToken> {
  if (token.length > MAX_ACCESS_TOKEN_LENGTH) return fail('token too long');
  if (!JWS_COMPACT.test(token)) return fail('not a three-part JWS with a signature');
  const firstDot = token.indexOf('.');
  const secondDot = token.indexOf('.', firstDot + 1);
  const headerB64 = token.slice(0, firstDot);
  if (headerB64.length > MAX_HEADER_SEGMENT_LENGTH) return fail('header too long');
  const h = parseJsonObjectSegment(headerB64);
  if (h === undefined) return fail('header is not a JSON object');
  if (h.alg !== 'RS256') return fail('alg is not RS256');
  if (!isAccessTokenType(h.typ)) return fail('typ is not at+jwt');
  if ('crit' in h) return fail('crit names extensions we do not understand');
  if (KEY_BEARING_MEMBERS.some((member) => member in h)) return fail('header carries or points to a key');
  if (typeof h.kid !== 'string' || !KID_SHAPE.test(h.kid)) return fail('kid missing or malformed');
  const payloadB64 = token.slice(firstDot + 1, secondDot);
  const signatureB64 = token.slice(secondDot + 1);
  if (!isCanonicalBase64url(headerB64) || !isCanonicalBase64url(payloadB64) || !isCanonicalBase64url(signatureB64)) return fail('a segment is not canonical base64url');
  const payload = parseJsonObjectSegment(payloadB64);
  if (payload === undefined) return fail('payload is not a JSON object');
  const badType = registeredClaimWithWrongType(payload);
  if (badType) return fail(`payload claim ${badType} has the wrong JSON type`);
  return { ok: true, value: { kid: h.kid, header: h, headerB64, payload, payloadB64, signatureB64 } };
}

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Whether a segment is the one base64url spelling of its bytes: a length that unpadded
 * base64url can have, and zero bits after the last byte (RFC 4648 section 3.5). Decoders
 * ignore those bits, so without this check a token's last signature character could be
 * swapped for up to 15 others and still verify: one token, many texts, each a new entry
 * for every per-token cache and a way around any look-up by token text.
 */
function isCanonicalBase64url(segment: string): boolean {
  const rest = segment.length % 4;
  if (rest === 0) return true;
  if (rest === 1) return false;
  const lastValue = BASE64URL_ALPHABET.indexOf(segment[segment.length - 1]!);
  return (lastValue & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

/**
 * A base64url segment parsed as a JSON object, or undefined. Own `__proto__` and
 * `constructor` members are dropped at every depth, as aws-jwt-verify's own parser does,
 * so that no later spread or merge of a claim can reach a prototype; walking the parsed
 * value afterwards costs far less than a JSON.parse reviver called on every value.
 */
function parseJsonObjectSegment(segment: string): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  dropPrototypeMembers(value);
  return value as Record<string, unknown>;
}

function dropPrototypeMembers(value: object): void {
  if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'object' && item !== null) dropPrototypeMembers(item);
    return;
  }
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, '__proto__')) delete record['__proto__'];
  if (Object.hasOwn(record, 'constructor')) delete record['constructor'];
  for (const key of Object.keys(record)) {
    const member = record[key];
    if (typeof member === 'object' && member !== null) dropPrototypeMembers(member);
  }
}

/** The JSON types aws-jwt-verify requires of registered claims before it compares them (its own parser refuses the same). */
function registeredClaimWithWrongType(payload: Readonly<Record<string, unknown>>): string | undefined {
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    if (payload[claim] !== undefined && !Number.isFinite(payload[claim])) return claim;
  }
  for (const claim of ['iss', 'sub', 'scope', 'jti'] as const) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'string') return claim;
  }
  const aud = payload.aud;
  if (aud !== undefined && typeof aud !== 'string' && (!Array.isArray(aud) || aud.some((a) => typeof a !== 'string'))) return 'aud';
  return undefined;
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
  readonly notBefore?: number;
}

export interface ClaimExpectations {
  readonly issuer: string;
  readonly audience: string;
}

export interface ClaimClock {
  readonly nowSeconds: number;
  readonly skewSeconds: number;
}

/**
 * The RFC 9068 claim rules (sections 2.2 and 4) that do not depend on the time: the same
 * answer for every request that carries the token, so a caller may remember it with the
 * token. Trusted only once the signature is verified; accessTokenTimeFailure does the rest.
 */
export function readAccessTokenClaims(payload: Readonly<Record<string, unknown>>, expect: ClaimExpectations): TokenRuleResult<AccessTokenClaims> {
  if (payload.iss !== expect.issuer) return fail('iss');
  const aud = payload.aud;
  const audience = Array.isArray(aud) && aud.length === 1 ? aud[0] : aud;
  if (audience !== expect.audience) return fail('aud');
  if (!isNumericDate(payload.exp)) return fail('exp');
  if (!isNumericDate(payload.iat)) return fail('iat');
  if (payload.nbf !== undefined && !isNumericDate(payload.nbf)) return fail('nbf');
  if (!isNonEmptyString(payload.sub)) return fail('sub');
  if (!isNonEmptyString(payload.client_id)) return fail('client_id');
  if (!isNonEmptyString(payload.jti)) return fail('jti');
  if (typeof payload.scope !== 'string') return fail('scope');
  if (payload.fid !== undefined && !isNonEmptyString(payload.fid)) return fail('fid');
  return {
    ok: true,
    value: {
      issuer: payload.iss,
      subject: payload.sub,
      clientId: payload.client_id,
      audience,
      scope: payload.scope.split(' ').filter((s) => s.length > 0),
      jti: payload.jti,
      familyId: payload.fid,
      issuedAt: payload.iat,
      expiresAt: payload.exp,
      notBefore: payload.nbf,
    },
  };
}

/** Which time claim fails at `nowSeconds`, allowing `skewSeconds` either way; undefined when the token is current. */
export function accessTokenTimeFailure(claims: Pick<AccessTokenClaims, 'expiresAt' | 'issuedAt' | 'notBefore'>, clock: ClaimClock): 'exp' | 'iat' | 'nbf' | undefined {
  const { nowSeconds: now, skewSeconds: skew } = clock;
  if (claims.expiresAt <= now - skew) return 'exp';
  if (claims.issuedAt > now + skew) return 'iat';
  if (claims.notBefore !== undefined && claims.notBefore > now + skew) return 'nbf';
  return undefined;
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
