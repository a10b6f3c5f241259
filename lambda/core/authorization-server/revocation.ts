/**
 * POST /revoke (RFC 7009). The endpoint answers 200 for any token it cannot or may not revoke
 * (section 2.2): telling a caller "not yours" or "unknown" would make it an oracle.
 */
import { OAuthError } from '../errors';
import type { HttpRequest, HttpResponse } from '../http';
import { nowSeconds } from '../ports';
import { verifyIssuedAccessToken } from './access-token-verification';
import { authenticateClient } from './client-authentication';
import type { AuthorizationServerDeps } from './deps';
import { readFormBody } from './form-body';
import { revokeFamily } from './refresh-family/family-revocation';
import { isRedeemable } from './refresh-family/token-standing';
import { familyIdOf } from './refresh-family/refresh-token-format';
import { NO_STORE } from './responses';

export async function handleRevocation(deps: AuthorizationServerDeps, request: HttpRequest): Promise<HttpResponse> {
  const form = readFormBody(request);
  const token = form.get('token');
  const now = nowSeconds(deps);
  // A metadata document client proves nothing but its name: its document is fetched only
  // when the token it presents is its own (docs/security.md, case 61), checked locally first.
  const { client } = await authenticateClient(deps, request, form, {
    mayFetchMetadataDocument: (clientId) => token !== undefined && tokenBelongsTo(deps, clientId, token, now),
  });
  if (token === undefined) throw new OAuthError('invalid_request', 'The token parameter is required.');
  // token_type_hint is only a lookup hint (RFC 7009 section 2.1); both kinds are tried whatever it says.
  if (!(await revokeRefreshToken(deps, client.clientId, token, now))) await revokeAccessToken(deps, client.clientId, token, now);
  return { status: 200, headers: { ...NO_STORE }, body: '' };
}

/** Whether `token` is a live refresh token or access token of `clientId` (no client is resolved, nothing is fetched). */
async function tokenBelongsTo(deps: AuthorizationServerDeps, clientId: string, token: string, now: number): Promise<boolean> {
  const familyId = familyIdOf(token);
  if (familyId) {
    const family = await deps.families.get(familyId);
    if (family?.clientId === clientId && isRedeemable(deps, family, token, now)) return true;
  }
  return (await verifyIssuedAccessToken(deps, token, now))?.clientId === clientId;
}

async function revokeRefreshToken(deps: AuthorizationServerDeps, clientId: string, token: string, now: number): Promise<boolean> {
  const familyId = familyIdOf(token);
  if (!familyId) return false;
  const family = await deps.families.get(familyId);
  if (!family || family.clientId !== clientId || !isRedeemable(deps, family, token, now)) return false;
  if (family.revokedAt === undefined) {
    await revokeFamily(deps, familyId, now, 'revoked_by_client');
    deps.audit.emit({ type: 'token_revoked', clientId, what: 'refresh_token' });
  }
  return true;
}

async function revokeAccessToken(deps: AuthorizationServerDeps, clientId: string, token: string, now: number): Promise<void> {
  const claims = await verifyIssuedAccessToken(deps, token, now);
  if (!claims || claims.clientId !== clientId) return;
  await deps.revocations.revoke({
    key: { kind: 'jti', value: claims.jti },
    revokedAt: now,
    expiresAt: claims.expiresAt + deps.config.guard.clockSkewSeconds,
    reason: 'revoked_by_client',
  });
  deps.audit.emit({ type: 'token_revoked', clientId, what: 'access_token' });
}
