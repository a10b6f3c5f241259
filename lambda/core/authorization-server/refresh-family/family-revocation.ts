/**
 * Ending a refresh family and every access token it minted (RFC 7009 section 2.1, OAuth 2.1
 * section 4.1.3 code replay, RFC 9700 section 4.14.2 reuse). The revocation row carries the
 * family id that access tokens hold in `fid`; it must outlive the youngest of them.
 */
import type { AuthorizationServerDeps } from '../deps';

export type FamilyRevocationReason = 'code_replay' | 'refresh_reuse' | 'revoked_by_client';

export async function revokeFamily(deps: Pick<AuthorizationServerDeps, 'config' | 'families' | 'revocations'>, familyId: string, now: number, reason: FamilyRevocationReason): Promise<void> {
  await deps.families.markRevoked(familyId, now);
  await deps.revocations.revoke({
    key: { kind: 'family', value: familyId },
    revokedAt: now,
    expiresAt: now + deps.config.tokens.accessTokenSeconds + deps.config.guard.clockSkewSeconds,
    reason,
  });
}
