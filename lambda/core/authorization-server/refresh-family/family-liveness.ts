/**
 * Whether a refresh family still lives (OAuth 2.1 section 4.3.1, RFC 9700 section 4.14.2):
 * not revoked, inside its absolute and idle lifetimes, and not caught by an operator's
 * revocation of the family, the user or the client since the family began.
 */
import type { RefreshFamilyRecord, RevocationRecord } from '../../ports';
import { familyRevocationKeys, isRevoked } from '../../tokens/revocation-check';
import type { AuthorizationServerDeps } from '../deps';

export async function isFamilyAlive(deps: Pick<AuthorizationServerDeps, 'config' | 'revocations'>, family: RefreshFamilyRecord, now: number): Promise<boolean> {
  return isFamilyLive(deps, family, now) && !isFamilyRevoked(family, await deps.revocations.find(familyRevocationKeys(family)));
}

/** The family's own state: not marked revoked, not past its absolute or its idle end. */
export function isFamilyLive(deps: Pick<AuthorizationServerDeps, 'config'>, family: RefreshFamilyRecord, now: number): boolean {
  if (family.revokedAt !== undefined || family.expiresAt < now) return false;
  return family.lastUsedAt + deps.config.tokens.refreshTokenIdleSeconds >= now;
}

/** Whether any of `records` (rows of the family's revocation keys) was written since the family began. */
export function isFamilyRevoked(family: Pick<RefreshFamilyRecord, 'createdAt'>, records: readonly RevocationRecord[]): boolean {
  return isRevoked(records, family.createdAt);
}

/** When the family dies if nothing else happens: its absolute end or its idle end, whichever comes first. */
export function familyExpiresAt(deps: Pick<AuthorizationServerDeps, 'config'>, family: RefreshFamilyRecord): number {
  return Math.min(family.expiresAt, family.lastUsedAt + deps.config.tokens.refreshTokenIdleSeconds);
}
