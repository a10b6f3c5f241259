/**
 * A refresh token is `<familyId>.<secret>`: the family id finds the record in one read,
 * the secret proves possession. Only SHA-256 of the whole token is stored.
 */
import { base64url, constantTimeEqual, randomToken, sha256Base64url } from '../crypto';
import type { Random, RefreshFamilyRecord } from '../ports';

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

export type RefreshTokenStanding = 'current' | 'previous' | 'retired';

/**
 * Where a presented token stands in its family. `previous` is still redeemable (the retry
 * rule of SECURITY-CASES.md); `retired` means someone holds a token that was rotated away:
 * reuse.
 */
export function standingOf(family: Pick<RefreshFamilyRecord, 'currentTokenHash' | 'previousTokenHash'>, token: string): RefreshTokenStanding {
  const presented = sha256Base64url(token);
  if (constantTimeEqual(presented, family.currentTokenHash)) return 'current';
  if (family.previousTokenHash !== undefined && constantTimeEqual(presented, family.previousTokenHash)) return 'previous';
  return 'retired';
}
