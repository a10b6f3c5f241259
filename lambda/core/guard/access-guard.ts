/**
 * The guard's check of one request to a protected resource (RFC 6750 section 3.1, RFC 9068
 * section 4): a single Bearer token, its syntax and claims, its signature, its lifetime, its
 * revocation, then the rule of the route API Gateway matched. Every failure of the token is the same
 * `unauthorized` (a 401; the reason goes to the log only); a valid token without the scopes
 * is a `deny` (a 403). The host renders the verdict (lambda/adapters/apigw/request-authorizer.ts).
 *
 * A token seen verifying before is not decoded again (ReadTokenMemo); every check still runs.
 */
import type { Config, ResourceConfig } from '../config';
import type { AccessTokenSignatures, Clock, RevocationLookup } from '../ports';
import { accessTokenTimeFailure } from '../tokens/access-token-lifetime';
import { bearerToken } from '../tokens/bearer-token';
import { isRevoked } from '../tokens/revocation-check';
import { compileAccessRules, type AccessDecision } from './access-decision';
import { readAccessToken, type ReadAccessToken } from './read-access-token';
import { ReadTokenMemo } from './read-token-memo';

/** Each entry holds a token (at most 4 KB) and what was read from it: a few MB at most. */
const READ_TOKEN_MEMO_MAX_ENTRIES = 1_000;

export interface AccessGuardDeps {
  readonly config: Config;
  readonly resource: ResourceConfig;
  readonly signatures: AccessTokenSignatures;
  readonly revocations: RevocationLookup;
  readonly clock: Clock;
}

export interface GuardRequest {
  readonly method: string;
  /** The REST resource API Gateway matched (`event.resource`): the route is decided on it, never on the raw path. */
  readonly resourcePath: string | null | undefined;
  /** The single Authorization header; undefined when absent or repeated (a repeated one is an attack or a bug). */
  readonly authorization: string | undefined;
}

export type GuardVerdict =
  | { readonly kind: 'unauthorized'; readonly reason: string }
  | { readonly kind: 'decided'; readonly decision: AccessDecision; readonly token: ReadAccessToken };

export interface AccessGuard {
  check(request: GuardRequest): Promise<GuardVerdict>;
}

export function createAccessGuard(deps: AccessGuardDeps): AccessGuard {
  const skew = deps.config.guard.clockSkewSeconds;
  const expect = { issuer: deps.config.issuer, audience: deps.resource.uri };
  const rules = compileAccessRules(deps.resource);
  const readTokens = new ReadTokenMemo<ReadAccessToken>(READ_TOKEN_MEMO_MAX_ENTRIES);
  const unauthorized = (reason: string): GuardVerdict => ({ kind: 'unauthorized', reason });

  async function check(request: GuardRequest): Promise<GuardVerdict> {
    const token = bearerToken(request.authorization);
    if (!token) return unauthorized('no single Bearer authorization header');
    const remembered = readTokens.get(token);
    let read: ReadAccessToken;
    if (remembered) {
      read = remembered;
    } else {
      const fresh = readAccessToken(token, expect);
      if (!fresh.ok) return unauthorized(fresh.reason);
      read = fresh.value;
    }
    const checked = deps.signatures.rejection(read.decoded);
    const rejection = checked instanceof Promise ? await checked : checked;
    if (rejection !== undefined) return unauthorized(rejection);
    // Admitted only once its signature verified, so forged tokens cannot push real ones out.
    if (!remembered) readTokens.remember(token, read);
    const late = accessTokenTimeFailure(read.claims, { nowSeconds: Math.floor(deps.clock.nowMs() / 1000), skewSeconds: skew, expiryGraceSeconds: skew });
    if (late) return unauthorized(`claim ${late}`);

    const found = deps.revocations.find(read.revocationKeys);
    const records = found instanceof Promise ? await found : found;
    if (isRevoked(records, read.claims.issuedAt)) return unauthorized('revoked');

    const decision = rules.decide({ resourcePath: request.resourcePath, method: request.method, grantedScopes: read.claims.scope });
    return { kind: 'decided', decision, token: read };
  }

  return { check };
}
