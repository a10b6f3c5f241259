/**
 * The syntax of an access token, checked before any key is looked up (RFC 7515 section 7.1,
 * RFC 8725 sections 2 and 3.1): so odd kids, embedded keys and oversized input never reach
 * the JWKS cache, the network or a signature check. Both the guard and the authorization
 * server (/revoke, /introspect) read tokens through here.
 */
import { isAccessTokenType } from './access-token-type';
import { refused as fail, type TokenRuleResult } from './token-rule-result';

/**
 * The one size limit of an access token. 4 KB: far above any token we mint (about 1 KB),
 * far below API Gateway's 10 KB header budget, and the guard and the authorization server
 * must agree, or /introspect could call active a token every protected API refuses.
 */
export const MAX_ACCESS_TOKEN_LENGTH = 4096;
const MAX_HEADER_SEGMENT_LENGTH = 1024;
const JWS_COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** Our kids are RFC 7638 thumbprints; anything outside this shape cannot be one of our keys. */
const KID_SHAPE = /^[A-Za-z0-9._-]{1,128}$/;
/** Header members that name or carry a key: we verify only against our own JWKS. */
const KEY_BEARING_MEMBERS = ['jwk', 'jku', 'x5u', 'x5c'];

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
export function isCanonicalBase64url(segment: string): boolean {
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
export function parseJsonObjectSegment(segment: string): Record<string, unknown> | undefined {
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
