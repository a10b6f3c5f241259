/**
 * Scope arithmetic for the guard. Scopes are compared as exact strings (RFC 6749 section
 * 3.3); a route or tool that names several scopes needs all of them (AND), which is why
 * aws-jwt-verify's own `scope` option (OR) is not used.
 */

/** The scope claim of an access token as a list; undefined when the claim is not a string. */
export function parseScopeClaim(value: unknown): readonly string[] | undefined {
  if (typeof value !== 'string') return undefined;
  return value.split(' ').filter((s) => s.length > 0);
}

/** The required scopes that `granted` lacks, in the order they were required. */
export function missingScopes(required: readonly string[], granted: readonly string[]): string[] {
  const have = new Set(granted);
  return required.filter((scope) => !have.has(scope));
}

export function hasAllScopes(required: readonly string[], granted: readonly string[]): boolean {
  // Both lists hold a handful of scopes: a linear scan beats building a Set on every request.
  for (const scope of required) if (!granted.includes(scope)) return false;
  return true;
}

/** Union of scope lists, first occurrence wins the position. */
export function unionScopes(...lists: ReadonlyArray<readonly string[]>): string[] {
  return [...new Set(lists.flat())];
}
