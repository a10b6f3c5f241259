/**
 * POST /revoke (RFC 7009) and the family revocation that code replay, refresh reuse and
 * /revoke share. The endpoint answers 200 for any token it cannot or may not revoke
 * (section 2.2): telling a caller "not yours" or "unknown" would make it an oracle.
 */
import type { HttpRequest, HttpResponse } from '../http';
import { OAuthError } from '../errors';
import { verifyAccessToken } from './access-token';
import { authenticateClient } from './client-authentication';
import type { AuthorizationServerDeps } from './deps';
import { nowSeconds } from './deps';
import { readFormBody } from './form-body';
import { familyIdOf, standingOf } from './refresh-token-format';
import { rejectRequest } from './rejected-request';
import { NO_STORE } from './responses';

export type FamilyRevocationReason = 'code_replay' | 'refresh_reuse' | 'revoked_by_client';

/**
 * Ends a refresh family and every access token it minted. The revocation row carries the
 * family id that access tokens hold in `fid`; it must outlive the youngest of them.
 */
export async function revokeFamily(deps: AuthorizationServerDeps, familyId: string, now: number, reason: FamilyRevocationReason): Promise<void> {
  await deps.families.markRevoked(familyId, now);
  await deps.revocations.revoke({
    key: { kind: 'family', value: familyId },
    revokedAt: now,
    expiresAt: now + deps.config.tokens.accessTokenSeconds + deps.config.guard.clockSkewSeconds,
    reason,
  });
}

export async function handleRevocation(deps: AuthorizationServerDeps, request: HttpRequest): Promise<HttpResponse> {
  try {
    const form = readFormBody(request);
    const { client } = await authenticateClient(deps, request, form);
    const token = form.get('token');
    if (token === undefined) throw new OAuthError('invalid_request', 'The token parameter is required.');
    // token_type_hint is only a lookup hint (RFC 7009 section 2.1); both kinds are tried whatever it says.
    const now = nowSeconds(deps);
    if (!(await revokeRefreshToken(deps, client.clientId, token, now))) await revokeAccessToken(deps, client.clientId, token, now);
    return { status: 200, headers: { ...NO_STORE }, body: '' };
  } catch (error) {
    return rejectRequest(deps, 'revoke', error);
  }
}

async function revokeRefreshToken(deps: AuthorizationServerDeps, clientId: string, token: string, now: number): Promise<boolean> {
  const familyId = familyIdOf(token);
  if (!familyId) return false;
  const family = await deps.families.get(familyId);
  if (!family || family.clientId !== clientId || standingOf(family, token) === 'retired') return false;
  if (family.revokedAt === undefined) {
    await revokeFamily(deps, familyId, now, 'revoked_by_client');
    deps.audit.emit({ type: 'token_revoked', clientId, what: 'refresh_token' });
  }
  return true;
}

async function revokeAccessToken(deps: AuthorizationServerDeps, clientId: string, token: string, now: number): Promise<void> {
  const claims = await verifyAccessToken(deps, token, now);
  if (!claims || claims.client_id !== clientId) return;
  await deps.revocations.revoke({
    key: { kind: 'jti', value: claims.jti },
    revokedAt: now,
    expiresAt: claims.exp + deps.config.guard.clockSkewSeconds,
    reason: 'revoked_by_client',
  });
  deps.audit.emit({ type: 'token_revoked', clientId, what: 'access_token' });
}
