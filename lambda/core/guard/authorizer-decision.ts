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
import { matchRoute, methodArnPrefix, routeArnPattern } from './route-rules';
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
  const route = matchRoute(resource.routes, request.method, request.path);
  // A route the configuration does not name is refused: new routes are closed until an operator opens them.
  if (!route) return { effect: 'deny', requiredScopes: resource.defaultScopes };
  const toolScopes = request.perRequestDecisions ? toolScopesFromHeaders(resource, request.mcpHeaders) ?? [] : [];
  const required = unionScopes(route.scopes, toolScopes);
  return hasAllScopes(required, request.grantedScopes) ? { effect: 'allow' } : { effect: 'deny', requiredScopes: required };
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
  const prefix = methodArnPrefix(methodArn);
  const effect = decision.effect === 'allow' ? 'Allow' : 'Deny';
  if (request.perRequestDecisions || !prefix) return [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }];
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
