/**
 * Scopes (RFC 6749 section 3.3): space-separated scope-tokens, compared as exact strings.
 * A route or tool that names several scopes needs all of them (AND), which is why
 * aws-jwt-verify's own `scope` option (OR) is not used.
 */

/** RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

export function isScopeToken(value: string): boolean {
  return SCOPE_TOKEN.test(value);
}

/** A scope string as a list, without repeats; empty tokens from extra spaces are ignored. */
export function parseScopeString(scope: string): string[] {
  return unionScopes(scope.split(' ').filter((s) => s.length > 0));
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
