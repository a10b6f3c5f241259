/**
 * Where an authorization request ends: a code or an error, sent back to the client's
 * (already verified) redirect URI, or, when redirecting would be unsafe, the AS's own page.
 */
import type { OAuthErrorCode } from '../errors';
import type { HttpResponse } from '../http';
import type { ClientRecord, PendingAuthorizationRecord } from '../ports';
import { errorRedirectUrl, successRedirectUrl } from './authorization-response';
import { rememberConsent } from './consent-records';
import type { AuthorizationServerDeps } from './deps';
import { issueAuthorizationCode } from './issue-code';
import { errorPage } from './pages';
import { redirectResponse } from './responses';
import { grantedScopeFor } from './group-scope-policy';

export interface ErrorToReport {
  readonly client: ClientRecord;
  readonly redirectUri: string;
  readonly error: OAuthErrorCode;
  readonly description: string;
  readonly state?: string;
}

/**
 * Reports an /authorize validation error before the user has interacted with us.
 *
 * Phishing guard (RFC 9700 section 4.11.2, docs/security.md, cases 12 and 60): anyone can
 * register a client (DCR, CIMD) whose redirect URI is an attacker's page, then mail out
 * /authorize links with a deliberate error (scope=bogus). An error redirect would bounce
 * the victim from our trusted domain straight to that page, no questions asked: the AS
 * would be an open redirector. A login session proves nothing about the link (a signed-in
 * victim clicks it just as well), so for clients not vetted by the operator (anything but
 * static config clients) the user always sees our own error page and goes nowhere.
 */
export function reportValidationError(deps: AuthorizationServerDeps, problem: ErrorToReport): HttpResponse {
  deps.audit.emit({ type: 'request_rejected', endpoint: 'authorize', error: problem.error });
  if (problem.client.source === 'static') {
    return redirectResponse(errorRedirectUrl(deps.config, problem.redirectUri, problem), [], 302);
  }
  return errorPage(deps.config, 400, 'This request cannot be completed', `${problem.description} (${problem.error})`);
}

export interface SignedInUser {
  readonly subject: string;
  readonly groups: readonly string[];
  readonly authTime: number;
}

export type Completion = { readonly kind: 'code'; readonly location: string } | { readonly kind: 'error'; readonly location: string };

/**
 * Finishes an authorization the user has approved: narrows the requested scope to what the
 * user's groups allow (a subset, never more), remembers the consent, and mints the code.
 */
export async function completeAuthorization(deps: AuthorizationServerDeps, pending: PendingAuthorizationRecord, user: SignedInUser): Promise<Completion> {
  const scope = grantedScopeFor(deps.config, pending.requestedScope, user.groups);
  if (scope.length === 0) {
    deps.audit.emit({ type: 'request_rejected', endpoint: 'authorize', error: 'invalid_scope' });
    return {
      kind: 'error',
      location: errorRedirectUrl(deps.config, pending.redirectUri, { error: 'invalid_scope', description: 'You are not entitled to any of the requested scopes.', state: pending.state }),
    };
  }
  await rememberConsent(deps, user.subject, pending.clientId, pending.resources, scope);
  const code = await issueAuthorizationCode(deps, {
    clientId: pending.clientId,
    redirectUri: pending.redirectUri,
    redirectUriWasSent: pending.redirectUriWasSent,
    codeChallenge: pending.codeChallenge,
    resources: pending.resources,
    scope,
    subject: user.subject,
    authTime: user.authTime,
  });
  return { kind: 'code', location: successRedirectUrl(deps.config, pending.redirectUri, { code, state: pending.state }) };
}
