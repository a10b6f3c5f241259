/**
 * UpstreamGroups for an OpenID Connect provider that offers no way to read a user's groups
 * without the user (Okta, Entra ID and others, as configured here): it never knows, so once the
 * groups are older than tokens.groupsRecheckSeconds the refresh is refused and the user signs in
 * again (docs/operations.md, "Groups at refresh").
 */
import type { UpstreamGroups } from '../../core/ports';

export const noUpstreamGroups: UpstreamGroups = {
  currentGroups: async () => undefined,
};
