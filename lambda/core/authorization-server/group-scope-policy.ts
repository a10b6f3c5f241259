/**
 * Scopes belong to resources (MCP servers). A request may only ask for scopes of the
 * resources it names, and a user is granted only what their groups allow: the grant is
 * always a subset of the request, never a superset (RFC 9700 section 2.3).
 */
import type { Config, ResourceConfig } from '../config';

export function findResource(config: Config, uri: string): ResourceConfig | undefined {
  return config.resources.find((r) => r.uri === uri);
}

export function scopeNamesOf(resource: ResourceConfig): string[] {
  return resource.scopes.map((s) => s.name);
}

/** Every scope of every configured resource, in configuration order, without repeats. */
export function allScopeNames(config: Config): string[] {
  return unique(config.resources.flatMap(scopeNamesOf));
}

/** Scope strings are space-separated scope-tokens (RFC 6749 section 3.3); empty tokens from extra spaces are ignored. */
export function parseScopeString(scope: string): string[] {
  return unique(scope.split(' ').filter((s) => s.length > 0));
}

/** The scopes a user's groups entitle them to (the union over all their groups). */
export function scopesAllowedForGroups(config: Config, groups: readonly string[]): Set<string> {
  const allowed = new Set<string>();
  for (const group of groups) {
    if (!Object.prototype.hasOwnProperty.call(config.groupScopes, group)) continue;
    for (const scope of config.groupScopes[group]) allowed.add(scope);
  }
  return allowed;
}

/** requested ∩ what the groups allow, in the order requested. */
export function grantedScopeFor(config: Config, requested: readonly string[], groups: readonly string[]): string[] {
  const allowed = scopesAllowedForGroups(config, groups);
  return requested.filter((s) => allowed.has(s));
}

export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
