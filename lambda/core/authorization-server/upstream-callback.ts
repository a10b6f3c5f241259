/**
 * GET /callback?code&state: the upstream IdP sends the user back here after sign-in.
 *
 * The state finds the pending request and is consumed in the same step, so a replayed or
 * forged callback finds nothing (docs/security.md, case 16). The browser must also hold the
 * cookie of that very request: otherwise an attacker could finish their own sign-in in a
 * victim's browser (login CSRF) and have the victim's client receive the attacker's grant.
 *
 * A sign-in the user already consented to ends with the code. One that followed "not you?"
 * had no consent: whoever signed in goes back through /authorize and sees their own
 * consent page (or, if they approved this client before, gets the code).
 *
 * An upstream authentication at or before an operator revoked the user (its auth_time,
 * docs/security.md case 58) starts nothing: the IdP's single sign-on outlives our
 * revocation, so the user is sent back once with prompt=login and max_age=0, and an IdP
 * that answers that with an old authentication again is refused.
 */
import { constantTimeEqual, sha256Base64url } from '../crypto';
import { OAuthError } from '../errors';
import type { HttpRequest, HttpResponse } from '../http';
import { nowSeconds, type PendingAuthorizationRecord, type UpstreamIdentity } from '../ports';
import { completeAuthorization } from './authorization-outcome';
import { errorRedirectUrl } from './authorization-response';
import { clearCookieHeader, readCookie } from './cookies';
import type { AuthorizationServerDeps } from './deps';
import { ENDPOINT_PATHS } from './endpoints';
import { startLoginSession } from './login-session';
import { answerForm, errorPage } from './pages';
import { redirectResponse } from './responses';
import { startUpstreamLogin } from './upstream-login';
import { isRevoked, signInRevocationKeys } from '../tokens/revocation-check';

const STALE_SIGN_IN = 'Your identity provider did not ask you to sign in again. Sign out of it, then start again from your application.';
const INVALID = 'This sign-in response is not valid for this browser, or was already used. Start again from your application.';

export async function handleUpstreamCallback(deps: AuthorizationServerDeps, req: HttpRequest): Promise<HttpResponse> {
  const states = req.query.state ?? [];
  if (states.length !== 1 || states[0] === '') return errorPage(deps.config, 400, 'Sign-in failed', INVALID);
  const pending = await deps.sessions.takePendingAuthorizationByUpstreamState(sha256Base64url(states[0]));
  if (!pending || pending.expiresAt <= nowSeconds(deps) || !pending.upstreamCodeVerifier || !pending.upstreamNonce) {
    return errorPage(deps.config, 400, 'Sign-in failed', INVALID);
  }
  const boundTo = readCookie(deps.config, req, 'pendingAuthorization');
  if (!boundTo || !constantTimeEqual(boundTo, pending.id)) {
    deps.audit.emit({ type: 'request_rejected', endpoint: 'callback', error: 'browser_mismatch' });
    return errorPage(deps.config, 400, 'Sign-in failed', INVALID);
  }

  const clearPending = clearCookieHeader(deps.config, 'pendingAuthorization');
  const codes = req.query.code ?? [];
  if (req.query.error !== undefined || codes.length !== 1 || codes[0] === '') {
    return denied(deps, pending, [clearPending]);
  }
  let identity: UpstreamIdentity;
  try {
    identity = await deps.upstream.redeem({
      code: codes[0],
      codeVerifier: pending.upstreamCodeVerifier,
      nonce: pending.upstreamNonce,
      redirectUri: deps.config.issuer + ENDPOINT_PATHS.upstreamCallback,
    });
  } catch (error) {
    if (error instanceof OAuthError && error.exposed) return denied(deps, pending, [clearPending]);
    throw error;
  }

  if (isRevoked(await deps.revocations.find(signInRevocationKeys(identity.subject)), identity.authTime)) {
    deps.audit.emit({ type: 'request_rejected', endpoint: 'callback', error: 'authentication_before_revocation' });
    if (pending.upstreamFreshSignIn) return errorPage(deps.config, 403, 'Sign-in refused', STALE_SIGN_IN);
    const location = await startUpstreamLogin(deps, pending, { signIn: 'fresh', consentedNow: false, pendingWasTaken: true });
    return redirectResponse(location, [], 303);
  }

  const { session, setCookie } = await startLoginSession(deps, identity);
  deps.audit.emit({ type: 'login_completed', subject: session.subject });
  if (pending.consentedAt === undefined) return redirectResponse(authorizationRequestUrl(deps, pending), [setCookie, clearPending], 303);
  const outcome = await completeAuthorization(deps, pending, session);
  return answerForm(deps.config, outcome.location, [setCookie, clearPending]);
}

/** The user answered our consent page before leaving (approved, or signed in and chose "not you?"), so reporting the failure to the client's verified redirect URI is safe. */
function denied(deps: AuthorizationServerDeps, pending: PendingAuthorizationRecord, cookies: string[]): HttpResponse {
  deps.audit.emit({ type: 'request_rejected', endpoint: 'callback', error: 'access_denied' });
  const location = errorRedirectUrl(deps.config, pending.redirectUri, { error: 'access_denied', description: 'The sign-in did not complete.', state: pending.state });
  return answerForm(deps.config, location, cookies);
}

/** The authorization request the pending record was made from, to ask again (same client, redirect, PKCE challenge, state, resources and scope). */
function authorizationRequestUrl(deps: AuthorizationServerDeps, pending: PendingAuthorizationRecord): string {
  const query = new URLSearchParams({ response_type: 'code', client_id: pending.clientId });
  if (pending.redirectUriWasSent) query.set('redirect_uri', pending.redirectUri);
  query.set('code_challenge', pending.codeChallenge);
  query.set('code_challenge_method', 'S256');
  if (pending.state !== undefined) query.set('state', pending.state);
  query.set('scope', pending.requestedScope.join(' '));
  for (const resource of pending.resources) query.append('resource', resource);
  return `${deps.config.issuer}${ENDPOINT_PATHS.authorize}?${query}`;
}
