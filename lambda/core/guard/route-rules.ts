/**
 * Which configured route rule a request falls under. Patterns are API Gateway resource
 * paths: exact segments, `{param}` for exactly one segment, a trailing `{proxy+}` for one or
 * more segments. A request no rule names is refused by the caller (fail closed).
 */
import type { RouteRuleConfig } from '../config';

export function pathMatches(pattern: string, path: string): boolean {
  const want = splitPath(pattern);
  const got = splitPath(path);
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    if (/^\{[^}]+\+\}$/.test(segment)) return i === want.length - 1 && got.length > i;
    if (i >= got.length) return false;
    if (/^\{[^}]+\}$/.test(segment)) continue;
    if (segment !== got[i]) return false;
  }
  return want.length === got.length;
}

/**
 * The rule for this method and path. A rule naming the method exactly beats a `*` rule, so
 * an operator can tighten one method of a wildcard route; otherwise the first rule wins.
 */
export function matchRoute(routes: readonly RouteRuleConfig[], method: string, path: string): RouteRuleConfig | undefined {
  const upper = method.toUpperCase();
  const candidates = routes.filter((r) => pathMatches(r.path, path));
  return candidates.find((r) => r.method.toUpperCase() === upper) ?? candidates.find((r) => r.method === '*' || r.method.toUpperCase() === 'ANY');
}

function splitPath(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

/**
 * The execute-api ARN pattern that covers a route rule, given the ARN prefix
 * `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>`. IAM's `*` also matches `/`, so
 * a `{param}` pattern covers deeper paths too; callers pair Allow with explicit Deny
 * statements so that breadth never grants a route whose own rule refuses the token.
 */
export function routeArnPattern(arnPrefix: string, route: RouteRuleConfig): string {
  const method = route.method === '*' || route.method.toUpperCase() === 'ANY' ? '*' : route.method.toUpperCase();
  const path = splitPath(route.path)
    .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '*' : segment))
    .join('/');
  return `${arnPrefix}/${method}/${path}`;
}

/** Splits a methodArn into its `.../<apiId>/<stage>` prefix; undefined if it is not an execute-api method ARN. */
export function methodArnPrefix(methodArn: string): string | undefined {
  const match = /^(arn:[^:]+:execute-api:[^:]*:[^:]*:[^/]+\/[^/]+)\/[^/]+(\/.*)?$/.exec(methodArn);
  return match?.[1];
}
