/**
 * grant_type=refresh_token with rotation and reuse detection (OAuth 2.1 section 4.3,
 * RFC 9700 section 4.14.2).
 *
 * Each use replaces the family's current token. The token before it stays redeemable until
 * its successor has been used once (a client that lost the response may retry); any older
 * token is reuse, and the whole family with every access token it minted is revoked.
 * Rotation is a conditional write on the generation: of parallel requests with the same
 * token exactly one rotates, the others get invalid_grant and revoke nothing, because
 * losing a race is not evidence of theft.
 */
import { sha256Base64url } from '../../crypto';
import { ConditionFailedError, OAuthError } from '../../errors';
import type { ClientRecord, RefreshFamilyRecord } from '../../ports';
import { issueAccessToken } from '../access-token';
import type { AuthorizationServerDeps } from '../deps';
import { nowSeconds } from '../deps';
import type { FormBody } from '../form-body';
import { familyIdOf, newRefreshToken, standingOf } from '../refresh-token-format';
import { revokeFamily } from '../revocation';
import { chooseResource, chooseScope, type TokenResponseBody } from './grant-parameters';

const invalidRefreshToken = () => new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');

export async function exchangeRefreshToken(deps: AuthorizationServerDeps, client: ClientRecord, form: FormBody): Promise<TokenResponseBody> {
  const presented = form.get('refresh_token');
  if (presented === undefined) throw new OAuthError('invalid_request', 'The refresh_token parameter is required.');
  const familyId = familyIdOf(presented);
  if (!familyId) throw invalidRefreshToken();
  const now = nowSeconds(deps);
  const family = await deps.families.get(familyId);
  // Another client's presentation proves nothing about the owner's token: refuse, revoke nothing.
  if (!family || family.clientId !== client.clientId) throw invalidRefreshToken();
  if (!(await isAlive(deps, family, now))) throw invalidRefreshToken();

  const standing = standingOf(family, presented);
  if (standing === 'retired') {
    await revokeFamily(deps, familyId, now, 'refresh_reuse');
    deps.audit.emit({ type: 'refresh_reuse_detected', clientId: client.clientId, familyId });
    throw invalidRefreshToken();
  }

  const resource = chooseResource(form, family.resources, 'first');
  // Narrowing applies to this access token only; the family keeps what the user granted (OAuth 2.1 section 4.3.1).
  const scope = chooseScope(deps.config, form, family.scope, resource);

  const refreshToken = newRefreshToken(deps.random, familyId);
  const accessToken = await issueAccessToken(deps, {
    subject: family.subject,
    clientId: client.clientId,
    audience: resource,
    scope,
    familyId,
    authTime: family.authTime,
  }, now);
  try {
    // Rotating from `previous` (a retry) keeps it as previous and voids the successor
    // that was never used: only one live successor at any time, no fork.
    await deps.families.rotate(familyId, family.generation, {
      currentTokenHash: sha256Base64url(refreshToken),
      previousTokenHash: sha256Base64url(presented),
      lastUsedAt: now,
      scope: family.scope,
    });
  } catch (error) {
    if (error instanceof ConditionFailedError) throw invalidRefreshToken();
    throw error;
  }

  deps.audit.emit({ type: 'token_issued', grantType: 'refresh_token', clientId: client.clientId, subject: family.subject });
  return {
    access_token: accessToken.token,
    token_type: 'Bearer',
    expires_in: deps.config.tokens.accessTokenSeconds,
    scope: accessToken.claims.scope,
    refresh_token: refreshToken,
  };
}

/**
 * Not revoked, inside its absolute and idle lifetimes, and not caught by an operator's
 * revocation of the user or the client since the family began.
 */
export async function isAlive(deps: AuthorizationServerDeps, family: RefreshFamilyRecord, now: number): Promise<boolean> {
  if (family.revokedAt !== undefined || family.expiresAt < now) return false;
  if (family.lastUsedAt + deps.config.tokens.refreshTokenIdleSeconds < now) return false;
  const revocations = await deps.revocations.find([
    { kind: 'family', value: family.familyId },
    { kind: 'subject', value: family.subject },
    { kind: 'client', value: family.clientId },
  ]);
  return !revocations.some((r) => r.revokedAt >= family.createdAt);
}
