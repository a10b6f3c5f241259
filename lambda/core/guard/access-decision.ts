/**
 * What the guard decides for a request whose token is valid and not revoked (RFC 6750
 * section 3.1, MCP authorization "Scope Challenge Handling"): allow, or a 403 naming the
 * scopes needed. Invalid, expired, revoked or foreign tokens never get here: they are a 401
 * before any scope is looked at.
 *
 * The decision depends on the token's scopes and on the route API Gateway matched (REST
 * resource and method) and on nothing else, so an answer API Gateway caches under a key
 * that holds the token, the resource and the method is right for every request it is
 * replayed for (docs/design.md, "Policies that are right when cached"). Tool-level rules
 * need the JSON-RPC body, which the authorizer never sees: the MCP step decides them
 * (mcp-request-rules.ts).
 */
import type { ResourceConfig, RouteRuleConfig } from '../config';
import { hasAllScopes, unionScopes } from '../scopes';
import { indexRouteRules } from './route-rules';

export type AccessDecision =
  | { readonly effect: 'allow'; readonly route: RouteRuleConfig }
  /** requiredScopes: the route's; empty when no rule names the route (then no scope opens it). */
  | { readonly effect: 'deny'; readonly requiredScopes: readonly string[]; readonly route?: RouteRuleConfig };

export interface AccessRequest {
  /** The REST resource API Gateway matched (`event.resource`, e.g. `/mcp/{tenant}`). */
  readonly resourcePath: string | null | undefined;
  readonly method: string;
  readonly grantedScopes: readonly string[];
}

/** A resource's route rules, prepared once per authorizer (not per request). */
export interface AccessRules {
  decide(request: AccessRequest): AccessDecision;
  /** The rule for a REST resource and method, or undefined when none names them. */
  routeFor(resourcePath: string | null | undefined, method: string): RouteRuleConfig | undefined;
}

export function compileAccessRules(resource: Pick<ResourceConfig, 'routes'>): AccessRules {
  const index = indexRouteRules(resource.routes.map((rule) => ({ ...rule, scopes: unionScopes(rule.scopes) })));
  return {
    routeFor: (resourcePath, method) => index.ruleFor(resourcePath, method),
    decide(request) {
      const route = index.ruleFor(request.resourcePath, request.method);
      // A route the configuration does not name is refused, and no scope opens it: new routes are closed until an operator opens them.
      if (!route) return { effect: 'deny', requiredScopes: [] };
      return hasAllScopes(route.scopes, request.grantedScopes) ? { effect: 'allow', route } : { effect: 'deny', requiredScopes: route.scopes, route };
    },
  };
}
