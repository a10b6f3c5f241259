/**
 * grant_type=refresh_token (OAuth 2.1 section 4.3) with rotation and reuse detection
 * (RFC 9700 section 4.14.2). Only a token this server issued and rotated away is reuse, and it
 * revokes the whole family with every access token it minted. A secret never issued for the
 * family is a forgery: the family id is public (`fid` in every access token), so it proves
 * nothing and changes nothing. A request that loses the rotation race revokes nothing either.
 * The user's groups are read again once they are older than tokens.groupsRecheckSeconds
 * (refresh-family/groups-recheck.ts).
 */
import { OAuthError } from '../../errors';
import { nowSeconds, type ClientRecord } from '../../ports';
import { issueAccessToken } from '../access-token-issuing';
import type { AuthorizationServerDeps } from '../deps';
import type { FormBody } from '../form-body';
import { isFamilyAlive } from '../refresh-family/family-liveness';
import { revokeFamily } from '../refresh-family/family-revocation';
import { rotateFamily, rotationOf } from '../refresh-family/family-rotation';
import { recheckGroups } from '../refresh-family/groups-recheck';
import { familyIdOf, newRefreshToken } from '../refresh-family/refresh-token-format';
import { isWithinRetryWindow, standingOf } from '../refresh-family/token-standing';
import { chooseResource, chooseScope, tokenResponse, type TokenResponseBody } from './grant-parameters';

const invalidRefreshToken = () => new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');

export async function exchangeRefreshToken(deps: AuthorizationServerDeps, client: ClientRecord, form: FormBody): Promise<TokenResponseBody> {
  const presented = form.get('refresh_token');
  if (presented === undefined) throw new OAuthError('invalid_request', 'The refresh_token parameter is required.');
  const familyId = familyIdOf(presented);
  if (!familyId) throw invalidRefreshToken();
  const now = nowSeconds(deps);
  const family = await deps.families.get(familyId);
  if (!family) throw invalidRefreshToken();

  const standing = standingOf(family, presented);
  if (standing === 'never_issued') {
    deps.audit.emit({ type: 'refresh_forged', clientId: client.clientId, familyId });
    throw invalidRefreshToken();
  }
  // Another client's presentation proves nothing about the owner's token: refuse, revoke nothing.
  if (family.clientId !== client.clientId) throw invalidRefreshToken();
  if (!(await isFamilyAlive(deps, family, now))) throw invalidRefreshToken();

  const isRetry = standing === 'previous' && isWithinRetryWindow(deps, family, now);
  if (standing !== 'current' && !isRetry) {
    // Issued, rotated away, and presented again (a retired token, or the previous one after
    // its retry window): two parties hold this family's tokens, so none of them may live.
    await revokeFamily(deps, familyId, now, 'refresh_reuse');
    deps.audit.emit({ type: 'refresh_reuse_detected', clientId: client.clientId, familyId });
    throw invalidRefreshToken();
  }

  const groups = await recheckGroups(deps, family, now);
  if (!groups) throw invalidRefreshToken();
  const resource = chooseResource(form, family.resources, 'first');
  // Narrowing applies to this access token only; the family keeps what the user granted (OAuth 2.1 section 4.3.1).
  const scope = chooseScope(deps.config, form, groups.scope, resource);

  const refreshToken = newRefreshToken(deps.random, familyId);
  const accessToken = await issueAccessToken(deps, {
    subject: family.subject,
    clientId: client.clientId,
    audience: resource,
    scope,
    familyId,
    authTime: family.authTime,
  }, now);
  if (!(await rotateFamily(deps.families, family, rotationOf(family, isRetry ? 'previous' : 'current', refreshToken, now, groups)))) throw invalidRefreshToken();

  deps.audit.emit({ type: 'token_issued', grantType: 'refresh_token', clientId: client.clientId, subject: family.subject });
  return tokenResponse(accessToken, refreshToken);
}
