/**
 * grant_type=refresh_token (OAuth 2.1 section 4.3) with rotation and reuse detection
 * (RFC 9700 section 4.14.2). Only a token this server issued and rotated away is reuse, and it
 * revokes the whole family with every access token it minted. A secret never issued for the
 * family is a forgery: the family id is public (`fid` in every access token), so it proves
 * nothing and changes nothing. A request that loses the rotation race revokes nothing either.
 * The user's groups are read again once they are older than tokens.groupsRecheckSeconds
 * (refresh-family/groups-recheck.ts).
 *
 * Two round trips to the stores: the family and the revocation rows the request can name (the
 * family's, its client's) are read with the client, in token.ts's one read (refreshTokenNames
 * says what to read); one atomic write rotates the family and checks
 * that no revocation of the user covers it (GrantWriter.rotateFamily).
 */
import { GrantRefusedError, OAuthError } from '../../errors';
import { nowSeconds, type ClientRecord, type RevocationKey } from '../../ports';
import { issueAccessToken } from '../access-token-issuing';
import type { AuthorizationServerDeps } from '../deps';
import type { FormBody } from '../form-body';
import { isFamilyLive, isFamilyRevoked } from '../refresh-family/family-liveness';
import { revokeFamily } from '../refresh-family/family-revocation';
import { rotationOf } from '../refresh-family/family-rotation';
import { recheckGroups } from '../refresh-family/groups-recheck';
import { familyIdOf, newRefreshToken } from '../refresh-family/refresh-token-format';
import { isWithinRetryWindow, standingOf } from '../refresh-family/token-standing';
import { signInRevocationKeys } from '../../tokens/revocation-check';
import { chooseResource, chooseScope, clientRevocationRows, tokenResponse, type GrantNames, type GrantRead, type TokenResponseBody } from './grant-parameters';

const invalidRefreshToken = () => new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked.');

/** What the refresh grant reads in /token's first round trip: the family, its revocation row, and the row of the client the request names. */
export function refreshTokenNames(form: FormBody, claimedClientId: string | undefined): GrantNames & { readonly familyId: string; readonly presented: string } {
  const presented = form.get('refresh_token');
  if (presented === undefined) throw new OAuthError('invalid_request', 'The refresh_token parameter is required.');
  const familyId = familyIdOf(presented);
  if (!familyId) throw invalidRefreshToken();
  const revocationKeys: RevocationKey[] = [{ kind: 'family', value: familyId }];
  if (claimedClientId !== undefined) revocationKeys.push({ kind: 'client', value: claimedClientId });
  return { presented, familyId, revocationKeys };
}

export async function exchangeRefreshToken(deps: AuthorizationServerDeps, client: ClientRecord, form: FormBody, read: GrantRead<ReturnType<typeof refreshTokenNames>>): Promise<TokenResponseBody> {
  const { presented, familyId } = read.names;
  const { family } = read.records;
  if (!family) throw invalidRefreshToken();
  const now = nowSeconds(deps);

  const standing = standingOf(family, presented);
  if (standing === 'never_issued') {
    deps.audit.emit({ type: 'refresh_forged', clientId: client.clientId, familyId });
    throw invalidRefreshToken();
  }
  // Another client's presentation proves nothing about the owner's token: refuse, revoke nothing.
  if (family.clientId !== client.clientId) throw invalidRefreshToken();
  if (!isFamilyLive(deps, family, now)) throw invalidRefreshToken();
  const familyRevocations = read.records.revocations.filter((row) => row.key.kind === 'family' && row.key.value === familyId);
  if (isFamilyRevoked(family, [...familyRevocations, ...(await clientRevocationRows(deps, read, client))])) throw invalidRefreshToken();

  const isRetry = standing === 'previous' && isWithinRetryWindow(deps, family, now);
  if (standing !== 'current' && !isRetry) {
    // An operator's revocation of the user, which the rotation below would have checked, ends
    // the family already: what is presented after it is not evidence of theft.
    if (isFamilyRevoked(family, await deps.revocations.find(signInRevocationKeys(family.subject)))) throw invalidRefreshToken();
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
  // Signed before the write (see authorization-code.ts): the rotation is committed only with a token to hand out.
  const accessToken = await issueAccessToken(deps, {
    subject: family.subject,
    clientId: client.clientId,
    audience: resource,
    scope,
    familyId,
    authTime: family.authTime,
  }, now);
  try {
    await deps.grantWriter.rotateFamily(familyId, family.generation, rotationOf(family, isRetry ? 'previous' : 'current', refreshToken, now, groups), {
      keys: signInRevocationKeys(family.subject),
      issuedAt: family.createdAt,
    });
  } catch (error) {
    if (!(error instanceof GrantRefusedError)) throw error;
    // Another request rotated first, or the family was revoked meanwhile: nothing was written.
    // Or the user was revoked since the family began: the family is dead, so it is marked so,
    // as the operator's revocation marks every family its listing finds; a repeat is then
    // refused before anything is signed.
    if (error.refusal === 'revoked') await deps.families.markRevoked(familyId, now);
    throw invalidRefreshToken();
  }

  deps.audit.emit({ type: 'token_issued', grantType: 'refresh_token', clientId: client.clientId, subject: family.subject });
  return tokenResponse(accessToken, refreshToken);
}
