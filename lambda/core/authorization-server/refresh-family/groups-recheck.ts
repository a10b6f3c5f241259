/**
 * Groups at refresh (docs/operations.md, "Groups at refresh"): a family's scope came from the
 * user's groups when they signed in. Once those were read tokens.groupsRecheckSeconds ago or
 * longer, a refresh reads them again from the upstream IdP and narrows the family to what they
 * allow now, so a user removed from a group loses its scopes within that bound. It never
 * widens: more than the user approved needs a new authorization. An IdP that cannot say, or
 * groups that allow nothing any more, mean a new login.
 */
import type { RefreshFamilyRecord } from '../../ports';
import type { AuthorizationServerDeps } from '../deps';
import { grantedScopeFor } from '../group-scope-policy';

export interface FamilyGroups {
  readonly scope: readonly string[];
  readonly groupsReadAt: number;
}

/** The family's scope after a recheck if one is due, or undefined when the user must sign in again. */
export async function recheckGroups(deps: Pick<AuthorizationServerDeps, 'config' | 'upstreamGroups'>, family: RefreshFamilyRecord, now: number): Promise<FamilyGroups | undefined> {
  // A family not rechecked yet has the groups of its login, which are no younger than the upstream authentication.
  const groupsReadAt = family.groupsReadAt ?? family.authTime;
  if (now < groupsReadAt + deps.config.tokens.groupsRecheckSeconds) return { scope: family.scope, groupsReadAt };
  const groups = await deps.upstreamGroups.currentGroups(family.subject);
  if (groups === undefined) return undefined;
  const scope = grantedScopeFor(deps.config, family.scope, groups);
  return scope.length === 0 ? undefined : { scope, groupsReadAt: now };
}
