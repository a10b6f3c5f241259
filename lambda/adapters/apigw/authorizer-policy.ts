/**
 * The IAM policy a REQUEST authorizer returns for a guard decision. API Gateway evaluates it
 * against the method ARN of every request it is reused for while cached, so with a result
 * cache the policy allows every route the token's scopes open and explicitly denies the
 * others (a Deny wins over the breadth of an IAM `*`); without a cache it names only this
 * request's method ARN.
 */
import type { ResourceConfig, RouteRuleConfig } from '../../core/config';
import { routesOpenTo, type AccessDecision } from '../../core/guard/access-decision';
import { compileRoute } from '../../core/guard/route-rules';
import { unionScopes } from '../../core/scopes';

export interface PolicyStatement {
  readonly Action: 'execute-api:Invoke';
  readonly Effect: 'Allow' | 'Deny';
  readonly Resource: string | string[];
}

export interface PolicyRequest {
  readonly grantedScopes: readonly string[];
  /** True only when no API Gateway result cache can reuse this policy for another request. */
  readonly perRequestDecisions: boolean;
}

export function policyStatements(resource: Pick<ResourceConfig, 'routes'>, methodArn: string, request: PolicyRequest, decision: AccessDecision): PolicyStatement[] {
  const effect = decision.effect === 'allow' ? 'Allow' : 'Deny';
  const prefix = request.perRequestDecisions ? undefined : methodArnPrefix(methodArn);
  if (!prefix) return [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }];
  const routes = routesOpenTo(resource, request.grantedScopes);
  const opened = routes.open.map((route) => routeArnPattern(prefix, route));
  const closed = routes.closed.map((route) => routeArnPattern(prefix, route));
  const allow = decision.effect === 'allow' ? unionScopes([methodArn], opened) : unionScopes(opened);
  // An explicit Deny wins, so a closed pattern that happens to cover this allowed request must not be listed.
  const deny = decision.effect === 'allow' ? unionScopes(closed.filter((pattern) => !arnPatternMatches(pattern, methodArn))) : unionScopes([methodArn], closed);
  const statements: PolicyStatement[] = [];
  if (allow.length) statements.push({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: allow });
  if (deny.length) statements.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: deny });
  return statements;
}

/**
 * The execute-api ARN pattern that covers a route rule, given the ARN prefix
 * `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>`. IAM's `*` also matches `/`, so
 * a `{param}` pattern covers deeper paths too; policyStatements pairs Allow with explicit
 * Deny statements so that breadth never grants a route whose own rule refuses the token.
 */
export function routeArnPattern(arnPrefix: string, route: RouteRuleConfig): string {
  const compiled = compileRoute(route);
  const path = compiled.segments.map((segment) => (segment.kind === 'literal' ? segment.text : '*')).join('/');
  return `${arnPrefix}/${compiled.anyMethod ? '*' : compiled.method}/${path}`;
}

/** Splits a methodArn into its `.../<apiId>/<stage>` prefix; undefined if it is not an execute-api method ARN. */
export function methodArnPrefix(methodArn: string): string | undefined {
  const match = /^(arn:[^:]+:execute-api:[^:]*:[^:]*:[^/]+\/[^/]+)\/[^/]+(\/.*)?$/.exec(methodArn);
  return match?.[1];
}

/** IAM resource matching: `*` is any run of characters (slashes included), `?` exactly one. Local mode's emulator evaluates policies with it too. */
export function arnPatternMatches(pattern: string, arn: string): boolean {
  const regex = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${regex}$`, 's').test(arn);
}
