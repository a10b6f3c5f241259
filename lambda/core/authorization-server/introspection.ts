/**
 * POST /introspect (RFC 7662) for confidential clients: a token's own client, or a client
 * the configuration names as an introspector of the token's resource (a resource server
 * that prefers asking over verifying JWTs itself). Everything that is not an active token
 * the caller may see is exactly {"active":false}: no hint of expired, revoked, foreign or
 * malformed (section 2.2).
 */
import { OAuthError } from '../errors';
import type { HttpRequest, HttpResponse } from '../http';
import { nowSeconds, type ClientRecord } from '../ports';
import { findResource } from '../resources';
import type { AccessTokenClaims } from '../tokens/access-token-claims';
import { accessTokenRevocationKeys, isRevoked } from '../tokens/revocation-check';
import { verifyIssuedAccessToken } from './access-token-verification';
import { authenticateClient, clientAuthenticationFailed } from './client-authentication';
import type { AuthorizationServerDeps } from './deps';
import { readFormBody } from './form-body';
import { familyExpiresAt, isFamilyAlive } from './refresh-family/family-liveness';
import { isRedeemable } from './refresh-family/token-standing';
import { familyIdOf } from './refresh-family/refresh-token-format';
import { jsonResponse } from './responses';

const INACTIVE = { active: false } as const;

export async function handleIntrospection(deps: AuthorizationServerDeps, request: HttpRequest): Promise<HttpResponse> {
  const form = readFormBody(request);
  // Only confidential clients may introspect, and a metadata document client has no secret: never fetched here.
  const { client, method } = await authenticateClient(deps, request, form, { mayFetchMetadataDocument: () => false });
  // Introspection answers questions about other people's tokens: only a client that can prove who it is may ask.
  if (method === 'none') throw clientAuthenticationFailed();
  const token = form.get('token');
  if (token === undefined) throw new OAuthError('invalid_request', 'The token parameter is required.');
  const now = nowSeconds(deps);
  const answer = (await introspectAccessToken(deps, client, token, now)) ?? (await introspectRefreshToken(deps, client, token, now)) ?? INACTIVE;
  return jsonResponse(200, answer);
}

async function introspectAccessToken(deps: AuthorizationServerDeps, caller: ClientRecord, token: string, now: number) {
  const claims = await verifyIssuedAccessToken(deps, token, now);
  if (!claims || !mayIntrospect(deps, caller, claims)) return undefined;
  if (isRevoked(await deps.revocations.find(accessTokenRevocationKeys(claims)), claims.issuedAt)) return undefined;
  return {
    active: true,
    scope: claims.scope.join(' '),
    client_id: claims.clientId,
    sub: claims.subject,
    aud: claims.audience,
    iss: claims.issuer,
    exp: claims.expiresAt,
    iat: claims.issuedAt,
    jti: claims.jti,
    token_type: 'Bearer',
  };
}

function mayIntrospect(deps: AuthorizationServerDeps, caller: ClientRecord, claims: AccessTokenClaims): boolean {
  if (caller.clientId === claims.clientId) return true;
  return findResource(deps.config, claims.audience)?.introspectionClients?.includes(caller.clientId) ?? false;
}

/** A refresh token is visible to its own client only; resource servers never see refresh tokens. */
async function introspectRefreshToken(deps: AuthorizationServerDeps, caller: ClientRecord, token: string, now: number) {
  const familyId = familyIdOf(token);
  if (!familyId) return undefined;
  const family = await deps.families.get(familyId);
  if (!family || family.clientId !== caller.clientId || !isRedeemable(deps, family, token, now)) return undefined;
  if (!(await isFamilyAlive(deps, family, now))) return undefined;
  return {
    active: true,
    scope: family.scope.join(' '),
    client_id: family.clientId,
    sub: family.subject,
    exp: familyExpiresAt(deps, family),
    iss: deps.config.issuer,
    token_type: 'refresh_token',
  };
}
