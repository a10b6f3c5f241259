/**
 * POST /consent: the user's answer on the consent page (form fields csrf_token and
 * decision=approve|deny|switch_account).
 *
 * The browser's sealed pending-authorization cookie carries the request; the CSRF token
 * printed in the form must match the one sealed with it, compared in constant time. A
 * forged or replayed form changes nothing. Each form is answered once: deny and signed-in
 * approve write the request's single-use marker, conditionally and together with the code
 * and consent (so a double submit loses), and an approve that still needs sign-in seals
 * the request as consented, which the form can no longer repeat; a replay of the form's
 * old cookie starts a second sign-in whose callback finds the marker taken.
 * "Not you?" (switch_account) ends the login session and sends the user to sign in again
 * without consenting: the account that comes back sees its own consent page.
 */
import { constantTimeEqual, sha256Base64url } from '../crypto';
import { parseForm, type HttpRequest, type HttpResponse } from '../http';
import { answerOnce, completeAuthorization } from './authorization-outcome';
import { errorRedirectUrl } from './authorization-response';
import { clearCookieHeader } from './cookies';
import type { AuthorizationServerDeps } from './deps';
import { currentLoginSession, endLoginSession, loginSessionCookie } from './login-session';
import { answerForm, errorPage } from './pages';
import { pendingAuthorizationOf, type PendingAuthorization } from './pending-authorization';
import { startUpstreamLogin } from './upstream-login';

const EXPIRED = 'This authorization request has expired or was already answered.';
const DECISIONS = ['approve', 'deny', 'switch_account'] as const;
type Decision = (typeof DECISIONS)[number];

export async function handleConsent(deps: AuthorizationServerDeps, req: HttpRequest): Promise<HttpResponse> {
  const { config } = deps;
  const pending = await pendingAuthorizationOf(deps, req);
  if (!pending) return errorPage(config, 400, 'Authorization request not found', EXPIRED);

  const form = parseForm(req.body);
  const csrf = form.csrf_token ?? [];
  if (csrf.length !== 1 || !constantTimeEqual(sha256Base64url(csrf[0]), pending.csrfTokenHash)) {
    deps.audit.emit({ type: 'request_rejected', endpoint: 'consent', error: 'csrf' });
    return errorPage(config, 403, 'Request refused', 'This form was not issued to this browser. Start again from your application.');
  }
  if (pending.consentedAt !== undefined) return errorPage(config, 400, 'Authorization request not found', EXPIRED);
  const decision = form.decision ?? [];
  if (decision.length !== 1 || !DECISIONS.includes(decision[0] as Decision)) {
    return errorPage(config, 400, 'Request refused', 'The form must be answered with Approve or Deny.');
  }

  if (decision[0] === 'switch_account') {
    const signedOut = await endLoginSession(deps, req);
    const upstream = await startUpstreamLogin(deps, pending, { signIn: 'again', consentedNow: false });
    return answerForm(config, upstream.location, [signedOut, upstream.setCookie]);
  }
  if (decision[0] === 'deny') return await deny(deps, pending);

  const { session, revocations } = await currentLoginSession(deps, req, [{ kind: 'client', value: pending.clientId }]);
  if (session) {
    const outcome = await completeAuthorization(deps, pending, session, { revocations });
    if (outcome.kind === 'already_used') return errorPage(config, 400, 'Authorization request not found', EXPIRED);
    return answerForm(config, outcome.location, [clearCookieHeader(config, 'pendingAuthorization')]);
  }
  // A session cookie without a live session behind it: the server ended that session (an
  // operator revoked the user, "not you?" in another tab), so the IdP's own single sign-on
  // must not stand in for it.
  const signIn = (await loginSessionCookie(deps, req)) ? 'fresh' : 'any';
  const upstream = await startUpstreamLogin(deps, pending, { signIn, consentedNow: true });
  return answerForm(config, upstream.location, [upstream.setCookie]);
}

async function deny(deps: AuthorizationServerDeps, pending: PendingAuthorization): Promise<HttpResponse> {
  const { config } = deps;
  if (!(await answerOnce(deps, { singleUse: { pendingId: pending.id, expiresAt: pending.expiresAt } }))) {
    return errorPage(config, 400, 'Authorization request not found', EXPIRED);
  }
  deps.audit.emit({ type: 'request_rejected', endpoint: 'consent', error: 'access_denied' });
  const location = errorRedirectUrl(config, pending.redirectUri, { error: 'access_denied', description: 'The user denied the request.', state: pending.state });
  return answerForm(config, location, [clearCookieHeader(config, 'pendingAuthorization')]);
}
