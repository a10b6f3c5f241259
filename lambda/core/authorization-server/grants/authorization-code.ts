/**
 * grant_type=authorization_code (OAuth 2.1 section 4.1.3, RFC 7636, RFC 8707).
 *
 * Validate everything first, write last: a request that fails any check consumes nothing,
 * so an attacker who guesses at a code (another client, a wrong verifier, another resource)
 * cannot burn the legitimate client's code. Two round trips to the stores: the code and the
 * client's revocation row are read with the client, in token.ts's one read
 * (authorizationCodeNames says what to read), and one atomic write marks the code redeemed,
 * creates the family and checks that no revocation of the user covers the code
 * (GrantWriter.redeemCode). That write decides who wins; everything before it may run in
 * parallel for the same code.
 */
import { constantTimeEqual, sha256Base64url } from '../../crypto';
import { GrantRefusedError, OAuthError } from '../../errors';
import { nowSeconds, type AuthorizationCodeRecord, type ClientRecord, type RefreshFamilyRecord } from '../../ports';
import { issueAccessToken } from '../access-token-issuing';
import type { AuthorizationServerDeps } from '../deps';
import type { FormBody } from '../form-body';
import { revokeFamily } from '../refresh-family/family-revocation';
import { newFamilyId, newRefreshToken } from '../refresh-family/refresh-token-format';
import { isRevoked, signInRevocationKeys } from '../../tokens/revocation-check';
import { chooseResource, chooseScope, clientRevocationRows, tokenResponse, type GrantNames, type GrantRead, type TokenResponseBody } from './grant-parameters';

/** RFC 7636 section 4.1: 43 to 128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** One text for every way a code can be wrong, so failures do not say which check tripped. */
const invalidCode = () => new OAuthError('invalid_grant', 'The authorization code is invalid, expired, or was issued to another client.');

/** What the code grant reads in /token's first round trip: the code, and the revocation row of the client the request names. */
export function authorizationCodeNames(form: FormBody, claimedClientId: string | undefined): GrantNames & { readonly codeHash: string } {
  const code = form.get('code');
  if (code === undefined) throw new OAuthError('invalid_request', 'The code parameter is required.');
  return { codeHash: sha256Base64url(code), revocationKeys: claimedClientId === undefined ? [] : [{ kind: 'client', value: claimedClientId }] };
}

export async function exchangeAuthorizationCode(deps: AuthorizationServerDeps, client: ClientRecord, form: FormBody, read: GrantRead<ReturnType<typeof authorizationCodeNames>>): Promise<TokenResponseBody> {
  const { codeHash } = read.names;
  const record = read.records.code;
  const now = nowSeconds(deps);
  // TTL deletes late: an expired record may still be read and must be refused here.
  if (!record || record.expiresAt < now || record.clientId !== client.clientId) throw invalidCode();
  checkRedirectUri(record, form.get('redirect_uri'));
  checkCodeVerifier(record, form.get('code_verifier'));

  // Only a caller holding the code, the client and the verifier gets this far: a second
  // redemption by such a caller means the code leaked, so its tokens must die too
  // (OAuth 2.1 section 4.1.3). A replay failing an earlier check revokes nothing.
  if (record.redeemedAt !== undefined) {
    if (record.familyId !== undefined) await revokeFamily(deps, record.familyId, now, 'code_replay');
    deps.audit.emit({ type: 'code_replay_detected', clientId: client.clientId });
    throw invalidCode();
  }

  // A code minted at or before an operator revoked its user or client (it lives up to 60 s)
  // would start a family after the revocation, which no revocation record then matches. The
  // client's row was read with the code; the user's is checked inside the write below.
  if (isRevoked(await clientRevocationRows(deps, read, client), record.issuedAt)) throw invalidCode();

  const resource = chooseResource(form, record.resources, 'only');
  const scope = chooseScope(deps.config, form, record.scope, resource);

  const familyId = newFamilyId(deps.random);
  const refreshToken = newRefreshToken(deps.random, familyId);
  // Signed before the write, not beside it: a Sign that fails after a committed write would
  // have used the code up with no token given, and the client's retry would be a replay.
  const accessToken = await issueAccessToken(deps, {
    subject: record.subject,
    clientId: client.clientId,
    audience: resource,
    scope,
    familyId,
    authTime: record.authTime,
  }, now);

  // The family exists even for clients without refresh_token: it is what `fid` names, so
  // a later replay of this code can revoke the access token issued now.
  const family: RefreshFamilyRecord = {
    familyId,
    clientId: client.clientId,
    subject: record.subject,
    scope: record.scope,
    resources: record.resources,
    authTime: record.authTime,
    currentTokenHash: sha256Base64url(refreshToken),
    retiredTokenHashes: [],
    generation: 0,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + deps.config.tokens.refreshTokenAbsoluteSeconds,
  };
  try {
    await deps.grantWriter.redeemCode(codeHash, now, family, { keys: signInRevocationKeys(record.subject), issuedAt: record.issuedAt });
  } catch (error) {
    // Another request redeemed this code between our read and our write (its tokens are the
    // only ones), or the user was revoked meanwhile: nothing was written, the token we signed
    // never reaches a caller.
    if (error instanceof GrantRefusedError) throw invalidCode();
    throw error;
  }

  deps.audit.emit({ type: 'token_issued', grantType: 'authorization_code', clientId: client.clientId, subject: record.subject });
  return tokenResponse(accessToken, client.grantTypes.includes('refresh_token') ? refreshToken : undefined);
}

/** RFC 6749 section 4.1.3: if the authorization request carried redirect_uri, the token request repeats it exactly. */
function checkRedirectUri(record: AuthorizationCodeRecord, sent: string | undefined): void {
  if (sent === undefined ? record.redirectUriWasSent : sent !== record.redirectUri) throw invalidCode();
}

/** RFC 7636 section 4.6, S256 only. A missing verifier is invalid_grant (docs/security.md, case 21). */
function checkCodeVerifier(record: AuthorizationCodeRecord, verifier: string | undefined): void {
  if (verifier === undefined || !CODE_VERIFIER.test(verifier)) throw invalidCode();
  if (!constantTimeEqual(sha256Base64url(verifier), record.codeChallenge)) throw invalidCode();
}
