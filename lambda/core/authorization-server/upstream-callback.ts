/**
 * GET /callback?code&state: the upstream IdP sends the user back here after sign-in.
 *
 * The browser's sealed pending-authorization cookie must carry the hash of this very state:
 * otherwise an attacker could finish their own sign-in in a victim's browser (login CSRF)
 * and have the victim's client receive the attacker's grant. Whatever the callback does, it
 * writes the request's single-use marker in the same conditional write, so a replayed
 * callback (the same URL and cookie) finds it taken (docs/security.md, case 16).
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
import type { UpstreamIdentity } from '../ports';
import { answerOnce, completeAuthorization } from './authorization-outcome';
import { errorRedirectUrl } from './authorization-response';
import { consentRevocationKeys } from './consent-records';
import { clearCookieHeader } from './cookies';
import type { AuthorizationServerDeps } from './deps';
import { ENDPOINT_PATHS } from './endpoints';
import { startLoginSession } from './login-session';
import { answerForm, errorPage } from './pages';
import { pendingAuthorizationOf, type PendingAuthorization } from './pending-authorization';
import { redirectResponse } from './responses';
import { startUpstreamLogin } from './upstream-login';
import { isRevoked } from '../tokens/revocation-check';

const STALE_SIGN_IN = 'Your identity provider did not ask you to sign in again. Sign out of it, then start again from your application.';
const INVALID = 'This sign-in response is not valid for this browser, or was already used. Start again from your application.';

export async function handleUpstreamCallback(deps: AuthorizationServerDeps, req: HttpRequest): Promise<HttpResponse> {
  const states = req.query.state ?? [];
  if (states.length !== 1 || states[0] === '') return errorPage(deps.config, 400, 'Sign-in failed', INVALID);
  const pending = await pendingAuthorizationOf(deps, req);
  // No sealed request that sent this very state upstream: a forged or stale state, or
  // someone else's sign-in finishing in this browser (login CSRF).
  if (!pending?.upstreamStateHash || !pending.upstreamCodeVerifier || !pending.upstreamNonce || !constantTimeEqual(sha256Base64url(states[0]), pending.upstreamStateHash)) {
    deps.audit.emit({ type: 'request_rejected', endpoint: 'callback', error: 'browser_mismatch' });
    return errorPage(deps.config, 400, 'Sign-in failed', INVALID);
  }
  const singleUse = { pendingId: pending.id, expiresAt: pending.expiresAt };
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

  // One lookup for the sign-in (the user's key) and for the consent and code (the user's and the client's).
  const revocations = await deps.revocations.find(consentRevocationKeys({ subject: identity.subject, clientId: pending.clientId }));
  const userRevocations = revocations.filter((record) => record.key.kind === 'subject');
  if (isRevoked(userRevocations, identity.authTime)) {
    if (!(await answerOnce(deps, { singleUse }))) return errorPage(deps.config, 400, 'Sign-in failed', INVALID);
    deps.audit.emit({ type: 'request_rejected', endpoint: 'callback', error: 'authentication_before_revocation' });
    if (pending.upstreamFreshSignIn) return errorPage(deps.config, 403, 'Sign-in refused', STALE_SIGN_IN, [clearPending]);
    const upstream = await startUpstreamLogin(deps, pending, { signIn: 'fresh', consentedNow: false, pendingWasAnswered: true });
    return redirectResponse(upstream.location, [upstream.setCookie], 303);
  }

  const { session, setCookie } = await startLoginSession(deps, identity);
  if (pending.consentedAt === undefined) {
    if (!(await answerOnce(deps, { singleUse, loginSession: session }))) return errorPage(deps.config, 400, 'Sign-in failed', INVALID);
    deps.audit.emit({ type: 'login_completed', subject: session.subject });
    return redirectResponse(authorizationRequestUrl(deps, pending), [setCookie, clearPending], 303);
  }
  const outcome = await completeAuthorization(deps, pending, session, { revocations, loginSession: session });
  if (outcome.kind === 'already_used') return errorPage(deps.config, 400, 'Sign-in failed', INVALID);
  deps.audit.emit({ type: 'login_completed', subject: session.subject });
  return answerForm(deps.config, outcome.location, [setCookie, clearPending]);
}

/** The user answered our consent page before leaving (approved, or signed in and chose "not you?"), so reporting the failure to the client's verified redirect URI is safe, once. */
async function denied(deps: AuthorizationServerDeps, pending: PendingAuthorization, cookies: string[]): Promise<HttpResponse> {
  if (!(await answerOnce(deps, { singleUse: { pendingId: pending.id, expiresAt: pending.expiresAt } }))) return errorPage(deps.config, 400, 'Sign-in failed', INVALID);
  deps.audit.emit({ type: 'request_rejected', endpoint: 'callback', error: 'access_denied' });
  const location = errorRedirectUrl(deps.config, pending.redirectUri, { error: 'access_denied', description: 'The sign-in did not complete.', state: pending.state });
  return answerForm(deps.config, location, cookies);
}

/** The authorization request the pending record was made from, to ask again (same client, redirect, PKCE challenge, state, resources and scope). */
function authorizationRequestUrl(deps: AuthorizationServerDeps, pending: PendingAuthorization): string {
  const query = new URLSearchParams({ response_type: 'code', client_id: pending.clientId });
  if (pending.redirectUriWasSent) query.set('redirect_uri', pending.redirectUri);
  query.set('code_challenge', pending.codeChallenge);
  query.set('code_challenge_method', 'S256');
  if (pending.state !== undefined) query.set('state', pending.state);
  query.set('scope', pending.requestedScope.join(' '));
  for (const resource of pending.resources) query.append('resource', resource);
  return `${deps.config.issuer}${ENDPOINT_PATHS.authorize}?${query}`;
}
