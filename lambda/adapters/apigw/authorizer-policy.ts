/**
 * The IAM policy a REQUEST authorizer returns for a guard decision, and the cache key that
 * keeps it right. API Gateway caches an authorizer's answer under its identity sources and
 * evaluates the cached policy against the method ARN of every request it replays it for
 * ("Input to an Amazon API Gateway Lambda authorizer", "Output from an Amazon API Gateway
 * Lambda authorizer"). The key therefore holds the token AND the route API Gateway matched
 * (`context.resourcePath`, `context.httpMethod`): a cached answer is only ever replayed for
 * a request on the same REST resource with the same method and token, for which a fresh
 * decision would be the same (the decision depends on nothing else: core/guard/access-decision.ts).
 * So one statement suffices: Allow or Deny on the ARN pattern of this route and method.
 *
 * (Policies that list every route a token opens and deny the others cannot be right: IAM's
 * `*` also matches `/`, so `/items/{id}/{proxy+}` covers `/items/1/purge`, and an explicit
 * Deny always wins, so a token allowed on the narrower route but not the broader one would
 * be refused there: docs/design.md.)
 */
import type { AccessDecision } from '../../core/guard/access-decision';

/** The authorizer's identity sources, in API Gateway's mapping-expression syntax: its result cache key. */
export const AUTHORIZER_IDENTITY_SOURCES = ['method.request.header.Authorization', 'context.resourcePath', 'context.httpMethod'] as const;

export interface PolicyStatement {
  readonly Action: 'execute-api:Invoke';
  readonly Effect: 'Allow' | 'Deny';
  readonly Resource: string;
}

export interface PolicyRequest {
  readonly methodArn: string;
  /** The REST resource API Gateway matched (`event.resource`). */
  readonly resourcePath: string | null | undefined;
  readonly httpMethod: string;
  /** Whether API Gateway may replay the answer (its result TTL is above 0). */
  readonly cached: boolean;
}

export function policyStatement(request: PolicyRequest, decision: AccessDecision): PolicyStatement {
  const prefix = request.cached && request.resourcePath ? methodArnPrefix(request.methodArn) : undefined;
  const resource = prefix ? routeArnPattern(prefix, request.httpMethod, request.resourcePath!) : request.methodArn;
  return { Action: 'execute-api:Invoke', Effect: decision.effect === 'allow' ? 'Allow' : 'Deny', Resource: resource };
}

/**
 * The execute-api ARN pattern of every request on a REST resource with one method, given the
 * ARN prefix `arn:aws:execute-api:<region>:<account>:<apiId>/<stage>`: path variables become
 * `*` (which in IAM also matches `/`, so it may cover more; the cache key keeps other routes away).
 */
export function routeArnPattern(arnPrefix: string, method: string, resourcePath: string): string {
  const path = resourcePath.split('/').filter((s) => s.length > 0).map((segment) => (segment.startsWith('{') ? '*' : segment)).join('/');
  return `${arnPrefix}/${method.toUpperCase()}/${path}`;
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
