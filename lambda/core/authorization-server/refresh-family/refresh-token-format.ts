/**
 * The refresh token format: `<familyId>.<secret>` (RFC 6749 section 1.5 leaves the format to
 * the server). The family id finds the record in one read, the secret proves possession;
 * only SHA-256 of the whole token is stored.
 */
import { base64url, randomToken } from '../../crypto';
import type { Random } from '../../ports';

const FAMILY_ID_BYTES = 16;
const SECRET_BYTES = 32;
/** base64url of 16 and of 32 bytes, without padding. */
const REFRESH_TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export function newFamilyId(random: Random): string {
  return base64url(random.bytes(FAMILY_ID_BYTES));
}

export function newRefreshToken(random: Random, familyId: string): string {
  return `${familyId}.${randomToken(random, SECRET_BYTES)}`;
}

/** The family id of a well-formed refresh token, or undefined for anything else. */
export function familyIdOf(token: string): string | undefined {
  return REFRESH_TOKEN.exec(token)?.[1];
}
