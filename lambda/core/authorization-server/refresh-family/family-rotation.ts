/**
 * Refresh token rotation (OAuth 2.1 section 4.3.1, RFC 9700 section 4.14.2): each use
 * replaces the family's current token. The token before it stays redeemable until its
 * successor has been used once (a client that lost the response may retry: docs/security.md,
 * the retry rule); any older token is reuse. Rotation is a conditional write on the
 * generation: of parallel requests with the same token exactly one rotates, the others lose
 * and revoke nothing, because losing a race is not evidence of theft.
 */
import { constantTimeEqual, sha256Base64url } from '../../crypto';
import { ConditionFailedError } from '../../errors';
import type { RefreshFamilyRecord, RefreshFamilyStore } from '../../ports';

export type RefreshTokenStanding = 'current' | 'previous' | 'retired';

/** Where a presented token stands in its family; `retired` means someone holds a token that was rotated away. */
export function standingOf(family: Pick<RefreshFamilyRecord, 'currentTokenHash' | 'previousTokenHash'>, token: string): RefreshTokenStanding {
  const presented = sha256Base64url(token);
  if (constantTimeEqual(presented, family.currentTokenHash)) return 'current';
  if (family.previousTokenHash !== undefined && constantTimeEqual(presented, family.previousTokenHash)) return 'previous';
  return 'retired';
}

/**
 * Makes `next` the family's current token and `presented` the previous one, only if no one
 * rotated since `family` was read. Rotating from `previous` (a retry) keeps it as previous and
 * voids the successor that was never used: one live successor at any time, no fork. False
 * when another request won.
 */
export async function rotateFamily(families: Pick<RefreshFamilyStore, 'rotate'>, family: RefreshFamilyRecord, presented: string, next: string, now: number): Promise<boolean> {
  try {
    await families.rotate(family.familyId, family.generation, {
      currentTokenHash: sha256Base64url(next),
      previousTokenHash: sha256Base64url(presented),
      lastUsedAt: now,
      scope: family.scope,
    });
    return true;
  } catch (error) {
    if (error instanceof ConditionFailedError) return false;
    throw error;
  }
}
