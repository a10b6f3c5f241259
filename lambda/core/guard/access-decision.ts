/**
 * What the authorizer answers for a request whose token is valid and not revoked: Allow,
 * or a 403 naming the scopes needed. Invalid, expired, revoked or foreign tokens never get
 * here: they are a 401 before any scope is looked at.
 *
 * Per-tool decisions from `Mcp-Method`/`Mcp-Name` are made only when API Gateway's result
 * cache is off: the cache is keyed on the Authorization header alone (optional headers
 * cannot be identity sources, a missing one is a 401 without running the authorizer), so a
 * Deny for one tool would be replayed for every other request with the same token.
 */
import type { ResourceConfig } from '../config';
import type { McpRequestHeaders } from './mcp-request-rules';
import { toolScopesFromHeaders } from './mcp-request-rules';
import { compileRoute, matchCompiledRoute, methodArnPrefix, routeArnPattern, type CompiledRoute } from './route-rules';
import { hasAllScopes, unionScopes } from './scopes';

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

export function decideAccess(resource: ResourceConfig, request: AccessRequest): AccessDecision {
  return compileAccessRules(resource).decide(request);
}

/** A resource's route and tool rules, prepared once per authorizer (not per request). */
export interface AccessRules {
  decide(request: AccessRequest): AccessDecision;
  policyStatements(methodArn: string, request: Pick<AccessRequest, 'grantedScopes' | 'perRequestDecisions'>, decision: AccessDecision): PolicyStatement[];
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
    policyStatements(methodArn, request, decision) {
      return policyStatements(resource, methodArn, request, decision);
    },
  };
}

export interface PolicyStatement {
  readonly Action: 'execute-api:Invoke';
  readonly Effect: 'Allow' | 'Deny';
  readonly Resource: string | string[];
}

/**
 * The policy statements of a decision. With a result cache the policy is reused for other
 * routes, so whatever the decision for this request, it allows every route the token's
 * scopes open and explicitly denies the others (a Deny wins over the breadth of an IAM `*`);
 * without a cache it names only this request's method ARN.
 */
export function policyStatements(
  resource: ResourceConfig,
  methodArn: string,
  request: Pick<AccessRequest, 'grantedScopes' | 'perRequestDecisions'>,
  decision: AccessDecision,
): PolicyStatement[] {
  const effect = decision.effect === 'allow' ? 'Allow' : 'Deny';
  const prefix = request.perRequestDecisions ? undefined : methodArnPrefix(methodArn);
  if (!prefix) return [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }];
  const opened: string[] = [];
  const closed: string[] = [];
  for (const route of resource.routes) (hasAllScopes(route.scopes, request.grantedScopes) ? opened : closed).push(routeArnPattern(prefix, route));
  const allow = decision.effect === 'allow' ? unionScopes([methodArn], opened) : unionScopes(opened);
  // An explicit Deny wins, so a closed pattern that happens to cover this allowed request must not be listed.
  const deny = decision.effect === 'allow' ? unionScopes(closed.filter((pattern) => !arnPatternMatches(pattern, methodArn))) : unionScopes([methodArn], closed);
  const statements: PolicyStatement[] = [];
  if (allow.length) statements.push({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: allow });
  if (deny.length) statements.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: deny });
  return statements;
}

/** IAM resource matching: `*` is any run of characters (slashes included), `?` exactly one. */
export function arnPatternMatches(pattern: string, arn: string): boolean {
  const regex = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(arn);
}
