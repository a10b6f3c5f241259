/**
 * The guard as an API Gateway REQUEST authorizer: the event's headers in, the core's verdict
 * (core/guard/access-guard.ts) out as API Gateway understands it. It verifies our RS256
 * `at+jwt` access tokens against the issuer's JWKS (fetched once per cold start, again only
 * for an unknown kid, at most once per cooldown) and checks revocation with one
 * BatchGetItem behind a short in-memory cache. It never calls KMS.
 *
 * Every failure of the token is the same `Unauthorized` (API Gateway's UNAUTHORIZED gateway
 * response, 401); a valid token without the scopes gets a Deny (ACCESS_DENIED, 403). The
 * response never says which check failed; the log does, without the token.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { Config, ResourceConfig } from '../../core/config';
import { createAccessGuard } from '../../core/guard/access-guard';
import { routeDeniedRecord, type GuardAudit } from '../../core/guard/decision-audit';
import type { Clock, RevocationStore } from '../../core/ports';
import { missingScopes } from '../../core/scopes';
import { CachedRevocationStore } from '../dynamodb/cached-revocation-store';
import { AccessTokenVerifier } from '../jwt/access-token-verifier';
import { noAuthorizerMetrics, type AuthorizerMetrics } from '../observability/authorizer-metrics';
import { systemClock } from '../system/system-clock';
import { policyStatement } from './authorizer-policy';
import { eventHeaders } from './event-headers';

export type RequestAuthorizer = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

export interface AuthorizerDeps {
  readonly config: Config;
  readonly resource: ResourceConfig;
  /** The issuer's JWKS: `<issuer>/.well-known/jwks.json`. */
  readonly jwksUri: string;
  readonly revocations: Pick<RevocationStore, 'find'>;
  readonly clock?: Clock;
  /** Structured log lines; never given a token. */
  readonly log?: (entry: Readonly<Record<string, unknown>>) => void;
  /** After an unknown kid, no JWKS refetch for this long. @default 10 */
  readonly jwksRefetchCooldownSeconds?: number;
  /** Counts of decisions for the dashboard and the error alarm. @default none */
  readonly metrics?: AuthorizerMetrics;
  /** One structured record per refused route (docs/guard.md, "Audit lines"). @default into `log` */
  readonly audit?: GuardAudit;
  /** Start fetching the JWKS now rather than at the first token: a Lambda cold start overlaps it with the rest of its init. @default false */
  readonly prefetchJwks?: boolean;
}

/** The only header the guard reads: tool-level rules need the body, which the authorizer never sees. */
const GUARD_HEADERS: ReadonlySet<string> = new Set(['authorization']);

/** API Gateway turns exactly this error message into a 401 UNAUTHORIZED; any other error is a 500. */
class Unauthorized extends Error {
  constructor(readonly reason: string) {
    super('Unauthorized');
  }
}

export function createAuthorizer(deps: AuthorizerDeps): RequestAuthorizer {
  const clock = deps.clock ?? systemClock;
  const log = deps.log ?? ((entry) => console.log(JSON.stringify(entry)));
  const metrics = deps.metrics ?? noAuthorizerMetrics;
  const audit = deps.audit ?? ((record) => log({ level: 'info', message: 'route refused', ...record }));
  const cached = deps.config.guard.authorizerCacheTtlSeconds > 0;
  const signatures = new AccessTokenVerifier({
    issuer: deps.config.issuer,
    audience: deps.resource.uri,
    jwksUri: deps.jwksUri,
    graceSeconds: deps.config.guard.clockSkewSeconds,
    jwksRefetchCooldownSeconds: deps.jwksRefetchCooldownSeconds ?? 10,
  });
  // A failed prefetch is nobody's answer: the first token fetches again, and its failure is logged then.
  if (deps.prefetchJwks) signatures.prefetchJwks().catch(() => undefined);
  const guard = createAccessGuard({
    config: deps.config,
    resource: deps.resource,
    clock,
    signatures,
    revocations: new CachedRevocationStore(deps.revocations, clock, deps.config.guard.revocationCacheTtlSeconds),
  });

  return async (event) => {
    try {
      return await authorize(event);
    } catch (error) {
      if (error instanceof Unauthorized) {
        log({ level: 'info', message: 'access token refused', reason: error.reason, route: event.resource, resource: deps.resource.uri });
        metrics.denied('unauthorized');
        throw error;
      }
      // Our dependencies failing is not the caller's fault: a 500, which API Gateway does not cache, rather than a 401 that sends clients back to login.
      log({ level: 'error', message: 'authorizer failed', error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      metrics.failed();
      throw new Error('Authorizer dependency unavailable');
    }
  };

  async function authorize(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
    const headers = eventHeaders(event, GUARD_HEADERS);
    const authorization = headers.authorization;
    // API Gateway's own choice of REST resource, never the raw path: the route is what it routed.
    const verdict = await guard.check({ method: event.httpMethod, resourcePath: event.resource, authorization: authorization?.length === 1 ? authorization[0] : undefined });
    if (verdict.kind === 'unauthorized') throw new Unauthorized(verdict.reason);
    const { decision, token } = verdict;
    if (decision.effect === 'deny') {
      const caller = { resource: deps.resource.uri, subject: token.claims.subject, clientId: token.claims.clientId };
      audit(routeDeniedRecord(caller, { method: event.httpMethod, resourcePath: event.resource ?? '' }, decision.requiredScopes, missingScopes(decision.requiredScopes, token.claims.scope)));
      metrics.denied('forbidden');
    } else {
      metrics.allowed();
    }
    const statement = policyStatement({ methodArn: event.methodArn, resourcePath: event.resource, httpMethod: event.httpMethod, cached }, decision);
    return { principalId: token.claims.subject, policyDocument: { Version: '2012-10-17', Statement: [statement] }, context: { ...token.context } };
  }
}
