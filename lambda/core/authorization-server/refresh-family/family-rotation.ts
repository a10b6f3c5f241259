/**
 * Refresh token rotation (OAuth 2.1 section 4.3.1, RFC 9700 section 4.14.2): each use of the
 * current token replaces it, and the token it replaced becomes the previous one. A retry with
 * the previous token (docs/security.md, decision f) issues a new current token and voids the
 * unused one, but moves no clock: not the retry window (it still counts from the rotation that
 * replaced the previous token), not the idle lifetime (lastUsedAt stays), not the absolute end.
 *
 * Rotation is a conditional write on the generation (GrantWriter.rotateFamily): of parallel
 * requests with the same token exactly one rotates, the others lose and revoke nothing, because
 * losing a race is not evidence of theft.
 */
import { sha256Base64url } from '../../crypto';
import type { FamilyRotation, RefreshFamilyRecord } from '../../ports';
import type { FamilyGroups } from './groups-recheck';
import { RETIRED_TOKENS_KEPT } from './token-standing';

/** What the family looks like after `next` is issued for a presented current or previous token. */
export function rotationOf(family: RefreshFamilyRecord, presentedAs: 'current' | 'previous', next: string, now: number, groups: FamilyGroups): FamilyRotation {
  const { scope, groupsReadAt } = groups;
  const retire = (hash: string | undefined) => (hash === undefined ? family.retiredTokenHashes : [hash, ...family.retiredTokenHashes]).slice(0, RETIRED_TOKENS_KEPT);
  if (presentedAs === 'current') {
    return {
      currentTokenHash: sha256Base64url(next),
      previousTokenHash: family.currentTokenHash,
      previousReplacedAt: now,
      retiredTokenHashes: retire(family.previousTokenHash),
      lastUsedAt: now,
      scope,
      groupsReadAt,
    };
  }
  // The client never received the current token (that is why it retries): it is void now.
  return {
    currentTokenHash: sha256Base64url(next),
    previousTokenHash: family.previousTokenHash!,
    previousReplacedAt: family.previousReplacedAt!,
    retiredTokenHashes: retire(family.currentTokenHash),
    lastUsedAt: family.lastUsedAt,
    scope,
    groupsReadAt,
  };
}
