/**
 * Which configured route rule a request falls under (the scope a resource server requires
 * per request: RFC 6750 section 3.1). Patterns are API Gateway resource paths: exact segments, `{param}` for exactly one segment, a trailing `{proxy+}` for one or
 * more segments. A request no rule names is refused by the caller (fail closed).
 */
import type { RouteRuleConfig } from '../config';

type SegmentMatcher =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'param' }
  | { readonly kind: 'proxy' }
  /** `{name+}` anywhere but last: API Gateway does not allow it, so it matches nothing. */
  | { readonly kind: 'misplaced-proxy' };

/** A route rule with its path pattern parsed once, when the authorizer is created. */
export interface CompiledRoute {
  readonly rule: RouteRuleConfig;
  readonly method: string;
  readonly anyMethod: boolean;
  readonly segments: readonly SegmentMatcher[];
}

export function compileRoute(rule: RouteRuleConfig): CompiledRoute {
  const upper = rule.method.toUpperCase();
  const parts = splitPath(rule.path);
  const segments = parts.map((segment, i): SegmentMatcher => {
    if (/^\{[^}]+\+\}$/.test(segment)) return i === parts.length - 1 ? { kind: 'proxy' } : { kind: 'misplaced-proxy' };
    if (/^\{[^}]+\}$/.test(segment)) return { kind: 'param' };
    return { kind: 'literal', text: segment };
  });
  return { rule, method: upper, anyMethod: rule.method === '*' || upper === 'ANY', segments };
}

function compiledPathMatches(want: readonly SegmentMatcher[], got: readonly string[]): boolean {
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    if (segment.kind === 'proxy') return got.length > i;
    if (segment.kind === 'misplaced-proxy') return false;
    if (i >= got.length) return false;
    if (segment.kind === 'literal' && segment.text !== got[i]) return false;
  }
  return want.length === got.length;
}

/**
 * The rule for this method and path. A rule naming the method exactly beats a `*` rule, so
 * an operator can tighten one method of a wildcard route; otherwise the first rule wins.
 */
export function matchCompiledRoute<R extends CompiledRoute>(routes: readonly R[], method: string, path: string): R | undefined {
  const upper = method.toUpperCase();
  const got = splitPath(path);
  let wildcard: R | undefined;
  for (const route of routes) {
    const exact = route.method === upper;
    if (!exact && !route.anyMethod) continue;
    if (!compiledPathMatches(route.segments, got)) continue;
    if (exact) return route;
    wildcard ??= route;
  }
  return wildcard;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

