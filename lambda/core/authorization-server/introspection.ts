/**
 * POST /introspect (RFC 7662) for confidential clients: a token's own client, or a client
 * the configuration names as an introspector of the token's resource (a resource server
 * that prefers asking over verifying JWTs itself). Everything that is not an active token
 * the caller may see is exactly {"active":false}: no hint of expired, revoked, foreign or
 * malformed (section 2.2).
 */
import { OAuthError } from '../errors';
import type { HttpRequest, HttpResponse } from '../http';
import type { ClientRecord, RevocationKey } from '../ports';
import { verifyAccessToken, type AccessTokenClaims } from './access-token';
import { authenticateClient, clientAuthenticationFailed } from './client-authentication';
import type { AuthorizationServerDeps } from './deps';
import { nowSeconds } from './deps';
import { readFormBody } from './form-body';
import { isAlive } from './grants/refresh-token';
import { familyIdOf, standingOf } from './refresh-token-format';
import { rejectRequest } from './rejected-request';
import { jsonResponse } from './responses';
import { findResource } from './scopes';

const INACTIVE = { active: false } as const;

export async function handleIntrospection(deps: AuthorizationServerDeps, request: HttpRequest): Promise<HttpResponse> {
  try {
    const form = readFormBody(request);
    const { client, method } = await authenticateClient(deps, request, form);
    // Introspection answers questions about other people's tokens: only a client that can prove who it is may ask.
    if (method === 'none') throw clientAuthenticationFailed();
    const token = form.get('token');
    if (token === undefined) throw new OAuthError('invalid_request', 'The token parameter is required.');
    const now = nowSeconds(deps);
    const answer = (await introspectAccessToken(deps, client, token, now)) ?? (await introspectRefreshToken(deps, client, token, now)) ?? INACTIVE;
    return jsonResponse(200, answer);
  } catch (error) {
    return rejectRequest(deps, 'introspect', error);
  }
}

async function introspectAccessToken(deps: AuthorizationServerDeps, caller: ClientRecord, token: string, now: number) {
  const claims = await verifyAccessToken(deps, token, now);
  if (!claims || !mayIntrospect(deps, caller, claims) || (await isRevoked(deps, claims))) return undefined;
  return {
    active: true,
    scope: claims.scope,
    client_id: claims.client_id,
    sub: claims.sub,
    aud: claims.aud,
    iss: claims.iss,
    exp: claims.exp,
    iat: claims.iat,
    jti: claims.jti,
    token_type: 'Bearer',
  };
}

function mayIntrospect(deps: AuthorizationServerDeps, caller: ClientRecord, claims: AccessTokenClaims): boolean {
  if (caller.clientId === claims.client_id) return true;
  return findResource(deps.config, claims.aud)?.introspectionClients?.includes(caller.clientId) ?? false;
}

/** The same rule as the guard: any revocation of the token, its family, its user or its client issued at or after iat. */
async function isRevoked(deps: AuthorizationServerDeps, claims: AccessTokenClaims): Promise<boolean> {
  const keys: RevocationKey[] = [
    { kind: 'jti', value: claims.jti },
    { kind: 'subject', value: claims.sub },
    { kind: 'client', value: claims.client_id },
  ];
  if (claims.fid !== undefined) keys.push({ kind: 'family', value: claims.fid });
  const records = await deps.revocations.find(keys);
  return records.some((r) => r.revokedAt >= claims.iat);
}

/** A refresh token is visible to its own client only; resource servers never see refresh tokens. */
async function introspectRefreshToken(deps: AuthorizationServerDeps, caller: ClientRecord, token: string, now: number) {
  const familyId = familyIdOf(token);
  if (!familyId) return undefined;
  const family = await deps.families.get(familyId);
  if (!family || family.clientId !== caller.clientId || standingOf(family, token) === 'retired') return undefined;
  if (!(await isAlive(deps, family, now))) return undefined;
  return {
    active: true,
    scope: family.scope.join(' '),
    client_id: family.clientId,
    sub: family.subject,
    exp: Math.min(family.expiresAt, family.lastUsedAt + deps.config.tokens.refreshTokenIdleSeconds),
    iss: deps.config.issuer,
    token_type: 'refresh_token',
  };
}
