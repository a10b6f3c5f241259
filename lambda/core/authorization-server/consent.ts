/**
 * POST /consent: the user's answer on the consent page (form fields csrf_token and
 * decision=approve|deny).
 *
 * The browser's pending-authorization cookie names the request; the CSRF token printed in
 * the form must match the one stored for that request, compared in constant time. A forged
 * or replayed form changes nothing. Each form is answered once: deny and signed-in approve
 * delete the pending request (a conditional delete, so a double submit loses), and an
 * approve that still needs sign-in marks it consented, which the form can no longer repeat.
 */
import { base64url, constantTimeEqual, randomToken, sha256, sha256Base64url } from '../crypto';
import { ConditionFailedError } from '../errors';
import { parseForm, type HttpRequest, type HttpResponse } from '../http';
import { nowSeconds, type PendingAuthorizationRecord } from '../ports';
import { completeAuthorization } from './authorization-outcome';
import { errorRedirectUrl } from './authorization-response';
import { clearCookieHeader, readCookie } from './cookies';
import type { AuthorizationServerDeps } from './deps';
import { ENDPOINT_PATHS } from './endpoints';
import { currentLoginSession } from './login-session';
import { errorPage } from './pages';
import { redirectResponse } from './responses';

const EXPIRED = 'This authorization request has expired or was already answered.';

export async function handleConsent(deps: AuthorizationServerDeps, req: HttpRequest): Promise<HttpResponse> {
  const pendingId = readCookie(deps.config, req, 'pendingAuthorization');
  if (!pendingId) return errorPage(400, 'Authorization request not found', EXPIRED);
  const pending = await deps.sessions.getPendingAuthorization(pendingId);
  if (!pending || pending.expiresAt <= nowSeconds(deps)) return errorPage(400, 'Authorization request not found', EXPIRED);

  const form = parseForm(req.body);
  const csrf = form.csrf_token ?? [];
  if (csrf.length !== 1 || !constantTimeEqual(sha256Base64url(csrf[0]), pending.csrfTokenHash)) {
    deps.audit.emit({ type: 'request_rejected', endpoint: 'consent', error: 'csrf' });
    return errorPage(403, 'Request refused', 'This form was not issued to this browser. Start again from your application.');
  }
  if (pending.consentedAt !== undefined) return errorPage(400, 'Authorization request not found', EXPIRED);
  const decision = form.decision ?? [];
  if (decision.length !== 1 || (decision[0] !== 'approve' && decision[0] !== 'deny')) {
    return errorPage(400, 'Request refused', 'The form must be answered with Approve or Deny.');
  }

  const session = decision[0] === 'approve' ? await currentLoginSession(deps, req) : undefined;
  if (decision[0] === 'deny' || session) {
    if (!(await takeOnce(deps, pending.id))) return errorPage(400, 'Authorization request not found', EXPIRED);
    const clearCookie = [clearCookieHeader(deps.config, 'pendingAuthorization')];
    if (!session) {
      deps.audit.emit({ type: 'request_rejected', endpoint: 'consent', error: 'access_denied' });
      const location = errorRedirectUrl(deps.config, pending.redirectUri, { error: 'access_denied', description: 'The user denied the request.', state: pending.state });
      return redirectResponse(location, clearCookie, 303);
    }
    const outcome = await completeAuthorization(deps, pending, session);
    return redirectResponse(outcome.location, clearCookie, 303);
  }
  return redirectResponse(await startUpstreamLogin(deps, pending), [], 303);
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

/**
 * Sends the user to the upstream IdP with fresh state, nonce and PKCE verifier. Only the
 * hash of the state is stored: the callback finds the request by it, once.
 */
async function startUpstreamLogin(deps: AuthorizationServerDeps, pending: PendingAuthorizationRecord): Promise<string> {
  const state = randomToken(deps.random);
  const nonce = randomToken(deps.random);
  const codeVerifier = randomToken(deps.random);
  await deps.sessions.updatePendingAuthorization({
    ...pending,
    consentedAt: nowSeconds(deps),
    upstreamStateHash: sha256Base64url(state),
    upstreamNonce: nonce,
    upstreamCodeVerifier: codeVerifier,
  });
  return deps.upstream.authorizationUrl({
    state,
    nonce,
    codeChallenge: base64url(sha256(codeVerifier)),
    redirectUri: deps.config.issuer + ENDPOINT_PATHS.upstreamCallback,
  });
}
