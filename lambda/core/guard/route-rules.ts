/**
 * Which configured route rule governs a request (the scope a resource server requires per
 * request: RFC 6750 section 3.1). The guard does not match paths itself: API Gateway has
 * already chosen the REST resource (a literal segment before `{param}` before `{proxy+}`)
 * and hands its template to the authorizer and the integration as `event.resource`. Each
 * rule's path is one such resource (the CDK app creates exactly these), so the rule is the
 * one whose path is that resource, with a rule for the exact method before an ANY rule. A
 * request no rule names is refused by the caller (fail closed).
 *
 * That a route table means what API Gateway routes is the validator's job
 * (route-table.ts); this file only looks up.
 */
import type { RouteRuleConfig } from '../config';

/** A rule's method: `*` and ANY both stand for every method. */
export function isAnyMethod(method: string): boolean {
  return method === '*' || method.toUpperCase() === 'ANY';
}

/** The route rules of one resource, indexed once by REST resource path (not per request). */
export interface RouteRuleIndex {
  /** The rule for this REST resource and HTTP method, or undefined when none names them. */
  ruleFor(resourcePath: string | null | undefined, method: string): RouteRuleConfig | undefined;
}

export function indexRouteRules(routes: readonly RouteRuleConfig[]): RouteRuleIndex {
  const byPath = new Map<string, RouteRuleConfig[]>();
  for (const route of routes) {
    const onPath = byPath.get(route.path);
    if (onPath) onPath.push(route);
    else byPath.set(route.path, [route]);
  }
  return {
    ruleFor(resourcePath, method) {
      const onPath = resourcePath ? byPath.get(resourcePath) : undefined;
      if (!onPath) return undefined;
      const upper = method.toUpperCase();
      return onPath.find((route) => route.method.toUpperCase() === upper) ?? onPath.find((route) => isAnyMethod(route.method));
    },
  };
}
