/**
 * The group -> scope policy: a user is granted only what their groups allow, so the grant is
 * always a subset of the request, never a superset (RFC 9700 section 2.3).
 */
import type { Config } from '../config';

/** requested ∩ what the user's groups allow (the union over all their groups), in the order requested. */
export function grantedScopeFor(config: Pick<Config, 'groupScopes'>, requested: readonly string[], groups: readonly string[]): string[] {
  const allowed = new Set<string>();
  for (const group of groups) {
    if (!Object.prototype.hasOwnProperty.call(config.groupScopes, group)) continue;
    for (const scope of config.groupScopes[group]) allowed.add(scope);
  }
  return requested.filter((s) => allowed.has(s));
}
