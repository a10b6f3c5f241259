/**
 * POST /consent: the user's answer on the consent page (form fields csrf_token and
 * decision=approve|deny|switch_account).
 *
 * The browser's pending-authorization cookie names the request; the CSRF token printed in
 * the form must match the one stored for that request, compared in constant time. A forged
 * or replayed form changes nothing. Each form is answered once: deny and signed-in approve
 * delete the pending request (a conditional delete, so a double submit loses), and an
 * approve that still needs sign-in marks it consented, which the form can no longer repeat.
 * "Not you?" (switch_account) ends the login session and sends the user to sign in again
 * without consenting: the account that comes back sees its own consent page.
 */
import { constantTimeEqual, sha256Base64url } from '../crypto';
import { ConditionFailedError } from '../errors';
import { parseForm, type HttpRequest, type HttpResponse } from '../http';
import { nowSeconds } from '../ports';
import { completeAuthorization } from './authorization-outcome';
import { errorRedirectUrl } from './authorization-response';
import { clearCookieHeader, readCookie } from './cookies';
import type { AuthorizationServerDeps } from './deps';
import { currentLoginSession, endLoginSession, holdsLoginSessionCookie } from './login-session';
import { answerForm, errorPage } from './pages';
import { startUpstreamLogin } from './upstream-login';

const EXPIRED = 'This authorization request has expired or was already answered.';
const DECISIONS = ['approve', 'deny', 'switch_account'] as const;
type Decision = (typeof DECISIONS)[number];

export async function handleConsent(deps: AuthorizationServerDeps, req: HttpRequest): Promise<HttpResponse> {
  const { config } = deps;
  const pendingId = readCookie(config, req, 'pendingAuthorization');
  if (!pendingId) return errorPage(config, 400, 'Authorization request not found', EXPIRED);
  const pending = await deps.sessions.getPendingAuthorization(pendingId);
  if (!pending || pending.expiresAt <= nowSeconds(deps)) return errorPage(config, 400, 'Authorization request not found', EXPIRED);

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
    return answerForm(config, await startUpstreamLogin(deps, pending, { signIn: 'again', consentedNow: false }), [signedOut]);
  }
  const session = decision[0] === 'approve' ? await currentLoginSession(deps, req) : undefined;
  if (decision[0] === 'deny' || session) {
    if (!(await takeOnce(deps, pending.id))) return errorPage(config, 400, 'Authorization request not found', EXPIRED);
    const clearCookie = [clearCookieHeader(config, 'pendingAuthorization')];
    if (!session) {
      deps.audit.emit({ type: 'request_rejected', endpoint: 'consent', error: 'access_denied' });
      const location = errorRedirectUrl(config, pending.redirectUri, { error: 'access_denied', description: 'The user denied the request.', state: pending.state });
      return answerForm(config, location, clearCookie);
    }
    const outcome = await completeAuthorization(deps, pending, session);
    return answerForm(config, outcome.location, clearCookie);
  }
  // A session cookie without a live session behind it: the server ended that session (an
  // operator revoked the user), so the IdP's own single sign-on must not stand in for it.
  const signIn = holdsLoginSessionCookie(deps, req) ? 'fresh' : 'any';
  return answerForm(config, await startUpstreamLogin(deps, pending, { signIn, consentedNow: true }));
}

async function takeOnce(deps: AuthorizationServerDeps, pendingId: string): Promise<boolean> {
  try {
    await deps.sessions.deletePendingAuthorization(pendingId);
    return true;
  } catch (error) {
    if (error instanceof ConditionFailedError) return false;
    throw error;
  }
}
