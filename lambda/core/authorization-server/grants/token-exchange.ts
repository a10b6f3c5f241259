/**
 * grant_type=urn:ietf:params:oauth:grant-type:token-exchange (RFC 8693) for MCP servers that
 * call downstream APIs: instead of passing the user's token on (which the MCP security best
 * practices forbid), the MCP server, authenticated as its resource's `serverClient`, trades
 * the access token it received for one the downstream API accepts.
 *
 * The subject token must be ours, active (signature, lifetime, not revoked) and issued for
 * the MCP server whose serverClient is calling; the downstream must be in that resource's
 * `downstream[]`. The new token keeps the user's `sub`, has `aud` = the downstream, scopes
 * narrowed through the mapping (never wider), `act` naming the MCP server (section 4.1), a
 * lifetime no longer than the subject token's remainder, and the subject's `fid`, so it dies
 * with the subject's refresh family.
 */
import { OAuthError } from '../../errors';
import { nowSeconds, type ClientRecord } from '../../ports';
import { isScopeToken, parseScopeString } from '../../scopes';
import { accessTokenRevocationKeys, isRevoked } from '../../tokens/revocation-check';
import { issueAccessToken } from '../access-token-issuing';
import { verifyIssuedAccessToken } from '../access-token-verification';
import type { AuthorizationServerDeps } from '../deps';
import type { FormBody } from '../form-body';
import { tokenResponse, type TokenResponseBody } from './grant-parameters';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** One text for every way the subject token can be wrong (not ours, expired, revoked, another server's). */
const invalidSubject = () => new OAuthError('invalid_grant', 'The subject token is invalid, expired, revoked, or was not issued to this MCP server.');

export async function exchangeToken(deps: AuthorizationServerDeps, client: ClientRecord, form: FormBody): Promise<TokenResponseBody & { issued_token_type: string }> {
  const subjectToken = form.get('subject_token');
  if (subjectToken === undefined) throw new OAuthError('invalid_request', 'The subject_token parameter is required.');
  if (form.get('subject_token_type') !== ACCESS_TOKEN_TYPE) throw new OAuthError('invalid_request', `subject_token_type must be ${ACCESS_TOKEN_TYPE}.`);
  const requestedType = form.get('requested_token_type');
  if (requestedType !== undefined && requestedType !== ACCESS_TOKEN_TYPE) throw new OAuthError('invalid_request', `requested_token_type must be ${ACCESS_TOKEN_TYPE}.`);
  // This server acts for no one else: an actor token would say someone else is acting.
  if (form.get('actor_token') !== undefined) throw new OAuthError('invalid_request', 'actor_token is not supported: the authenticated client is the actor.');

  const now = nowSeconds(deps);
  const subject = await verifyIssuedAccessToken(deps, subjectToken, now);
  if (!subject) throw invalidSubject();
  const server = deps.config.resources.find((r) => r.uri === subject.audience);
  if (!server || server.serverClient?.clientId !== client.clientId) throw invalidSubject();

  const targets = [...form.all('resource'), ...form.all('audience')];
  if (targets.length !== 1) throw new OAuthError('invalid_target', 'Name one downstream resource (resource or audience).');
  const downstream = server.downstream.find((d) => d.resource === targets[0]);
  if (!downstream) throw new OAuthError('invalid_target', 'This MCP server may not exchange tokens for that resource.');

  const mapped = [...new Set(subject.scope.flatMap((s) => (Object.hasOwn(downstream.scopes, s) ? downstream.scopes[s]! : [])))];
  const param = form.get('scope');
  let scope = mapped;
  if (param !== undefined) {
    const requested = parseScopeString(param);
    if (requested.length === 0 || !requested.every(isScopeToken)) throw new OAuthError('invalid_scope', 'The scope parameter is malformed.');
    if (!requested.every((s) => mapped.includes(s))) throw new OAuthError('invalid_scope', 'The requested scope exceeds what the subject token maps to.');
    scope = [...new Set(requested)];
  }
  if (scope.length === 0) throw new OAuthError('invalid_scope', 'The subject token maps to no scope of that resource.');

  // Last before signing: a revocation written a moment ago must stop the exchange.
  if (isRevoked(await deps.revocations.find(accessTokenRevocationKeys(subject)), subject.issuedAt)) throw invalidSubject();
  const accessToken = await issueAccessToken(deps, {
    subject: subject.subject,
    clientId: client.clientId,
    audience: downstream.resource,
    scope,
    ...(subject.familyId === undefined ? {} : { familyId: subject.familyId }),
    ...(subject.authTime === undefined ? {} : { authTime: subject.authTime }),
  }, now, { lifetimeSeconds: subject.expiresAt - now, actor: client.clientId });
  deps.audit.emit({ type: 'token_issued', grantType: 'token-exchange', clientId: client.clientId, subject: subject.subject });
  return { ...tokenResponse(accessToken), issued_token_type: ACCESS_TOKEN_TYPE };
}
