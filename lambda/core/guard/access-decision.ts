/**
 * What the guard decides for a request whose token is valid and not revoked (RFC 6750
 * section 3.1, MCP authorization "Scope Challenge Handling"): allow, or a 403 naming the
 * scopes needed. Invalid, expired, revoked or foreign tokens never get here: they are a 401
 * before any scope is looked at.
 *
 * Per-tool decisions from `Mcp-Method`/`Mcp-Name` are made only when API Gateway's result
 * cache is off: the cache is keyed on the Authorization header alone (optional headers
 * cannot be identity sources, a missing one is a 401 without running the authorizer), so a
 * Deny for one tool would be replayed for every other request with the same token.
 */
import type { ResourceConfig, RouteRuleConfig } from '../config';
import { hasAllScopes, unionScopes } from '../scopes';
import type { McpRequestHeaders } from './mcp-request-rules';
import { toolScopesFromHeaders } from './mcp-request-rules';
import { compileRoute, matchCompiledRoute, type CompiledRoute } from './route-rules';

export type AccessDecision =
  | { readonly effect: 'allow' }
  | { readonly effect: 'deny'; readonly requiredScopes: readonly string[] };

export interface AccessRequest {
  readonly method: string;
  readonly path: string;
  readonly grantedScopes: readonly string[];
  readonly mcpHeaders: McpRequestHeaders;
  /** True only when no API Gateway result cache can replay this decision for another request. */
  readonly perRequestDecisions: boolean;
}

/** A resource's route and tool rules, prepared once per authorizer (not per request). */
export interface AccessRules {
  decide(request: AccessRequest): AccessDecision;
}

interface PreparedRoute extends CompiledRoute {
  /** The rule's scopes without repeats. */
  readonly requiredScopes: readonly string[];
}

const ALLOW: AccessDecision = Object.freeze({ effect: 'allow' });

export function compileAccessRules(resource: ResourceConfig): AccessRules {
  const routes: PreparedRoute[] = resource.routes.map((rule) => ({ ...compileRoute(rule), requiredScopes: unionScopes(rule.scopes) }));
  return {
    decide(request) {
      const route = matchCompiledRoute(routes, request.method, request.path);
      // A route the configuration does not name is refused: new routes are closed until an operator opens them.
      if (!route) return { effect: 'deny', requiredScopes: resource.defaultScopes };
      const toolScopes = request.perRequestDecisions ? toolScopesFromHeaders(resource, request.mcpHeaders) : undefined;
      const required = toolScopes?.length ? unionScopes(route.requiredScopes, toolScopes) : route.requiredScopes;
      return hasAllScopes(required, request.grantedScopes) ? ALLOW : { effect: 'deny', requiredScopes: required };
    },
  };
}

/** The resource's route rules split by whether these scopes satisfy them: what a decision reused across routes may open. */
export function routesOpenTo(resource: Pick<ResourceConfig, 'routes'>, grantedScopes: readonly string[]): { readonly open: RouteRuleConfig[]; readonly closed: RouteRuleConfig[] } {
  const open: RouteRuleConfig[] = [];
  const closed: RouteRuleConfig[] = [];
  for (const route of resource.routes) (hasAllScopes(route.scopes, grantedScopes) ? open : closed).push(route);
  return { open, closed };
}
