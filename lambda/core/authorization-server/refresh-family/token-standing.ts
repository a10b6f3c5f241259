/**
 * Where a presented refresh token stands in its family (RFC 9700 section 4.14.2). The family id
 * is public (every access token carries it in `fid`), so a secret alone must decide: the family
 * keeps the SHA-256 of its current token, of the one before it, and of the last
 * RETIRED_TOKENS_KEPT tokens it rotated away or voided (docs/design.md, "Refresh token
 * families"). A secret matching none of them was never issued for this family: not reuse.
 */
import { constantTimeEqual, sha256Base64url } from '../../crypto';
import type { RefreshFamilyRecord } from '../../ports';
import type { AuthorizationServerDeps } from '../deps';

/**
 * How many rotated-away tokens a family remembers. An issued token older than that can no
 * longer be told from a guess: it is refused like one (invalid_grant, nothing revoked). Sixteen
 * full hashes keep the item near 1.5 KB, so a rotation stays one read and one small write.
 */
export const RETIRED_TOKENS_KEPT = 16;

export type RefreshTokenStanding = 'current' | 'previous' | 'retired' | 'never_issued';

type IssuedHashes = Pick<RefreshFamilyRecord, 'currentTokenHash' | 'previousTokenHash' | 'retiredTokenHashes'>;

export function standingOf(family: IssuedHashes, token: string): RefreshTokenStanding {
  const presented = sha256Base64url(token);
  // Every stored hash is compared, each in constant time: timing says nothing about any of them.
  const isCurrent = constantTimeEqual(presented, family.currentTokenHash);
  const isPrevious = family.previousTokenHash !== undefined && constantTimeEqual(presented, family.previousTokenHash);
  const isRetired = family.retiredTokenHashes.map((hash) => constantTimeEqual(presented, hash)).includes(true);
  if (isCurrent) return 'current';
  if (isPrevious) return 'previous';
  return isRetired ? 'retired' : 'never_issued';
}

/**
 * The retry rule (docs/security.md, decision f): the token a rotation replaced may be redeemed
 * again only within tokens.refreshRetryWindowSeconds after that rotation, and only while its
 * successor is unused (once it is used, the previous token is retired).
 */
export function isWithinRetryWindow(deps: Pick<AuthorizationServerDeps, 'config'>, family: Pick<RefreshFamilyRecord, 'previousReplacedAt'>, now: number): boolean {
  const window = deps.config.tokens.refreshRetryWindowSeconds;
  return window > 0 && family.previousReplacedAt !== undefined && now <= family.previousReplacedAt + window;
}

/** Whether /token would rotate this token (liveness of the family aside): the current one, or the previous one inside the retry window. */
export function isRedeemable(deps: Pick<AuthorizationServerDeps, 'config'>, family: IssuedHashes & Pick<RefreshFamilyRecord, 'previousReplacedAt'>, token: string, now: number): boolean {
  const standing = standingOf(family, token);
  return standing === 'current' || (standing === 'previous' && isWithinRetryWindow(deps, family, now));
}
