/**
 * Where an authorization request ends: a code or an error, sent back to the client's
 * (already verified) redirect URI, or, when redirecting would be unsafe, the AS's own page.
 */
import type { OAuthErrorCode } from '../errors';
import type { HttpResponse } from '../http';
import { nowSeconds, type AuthorizationCommit, type ClientRecord, type ConsentRecord, type LoginSessionRecord, type RevocationRecord } from '../ports';
import { errorRedirectUrl, successRedirectUrl } from './authorization-response';
import { consentWrites, readConsents } from './consent-records';
import type { AuthorizationServerDeps } from './deps';
import { mintAuthorizationCode } from './issue-code';
import type { PendingAuthorization } from './pending-authorization';
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

export type Completion =
  | { readonly kind: 'code'; readonly location: string }
  | { readonly kind: 'error'; readonly location: string }
  /** The pending request was answered before (a replayed form or callback): nothing was written. */
  | { readonly kind: 'already_used' };

/** How many times an approval re-reads consents that changed under it (another tab approving the same client at the same instant) before it gives up. */
const CONSENT_ATTEMPTS = 3;

export interface CompletionContext {
  /** Revocation records of at least the user and the client (grantRevocationKeys), read by the caller. */
  readonly revocations: readonly RevocationRecord[];
  /** The listing record of a session that starts with this answer (the upstream callback). */
  readonly loginSession?: LoginSessionRecord;
}

/**
 * Finishes an authorization the user has approved: narrows the requested scope to what the
 * user's groups allow (a subset, never more), and in one conditional write marks the pending
 * request answered, remembers the consent and stores the code. A replay finds the marker
 * and gets `already_used`; no second code exists.
 */
export async function completeAuthorization(
  deps: AuthorizationServerDeps,
  pending: PendingAuthorization,
  user: SignedInUser,
  context: CompletionContext,
): Promise<Completion> {
  const scope = grantedScopeFor(deps.config, pending.requestedScope, user.groups);
  const singleUse = { pendingId: pending.id, expiresAt: pending.expiresAt };
  if (scope.length === 0) {
    if (!(await answerOnce(deps, { singleUse, loginSession: context.loginSession }))) return { kind: 'already_used' };
    deps.audit.emit({ type: 'request_rejected', endpoint: 'authorize', error: 'invalid_scope' });
    return {
      kind: 'error',
      location: errorRedirectUrl(deps.config, pending.redirectUri, { error: 'invalid_scope', description: 'You are not entitled to any of the requested scopes.', state: pending.state }),
    };
  }
  const grant = { subject: user.subject, clientId: pending.clientId, resources: pending.resources, scope };
  const { code, record } = mintAuthorizationCode(deps, {
    clientId: pending.clientId,
    redirectUri: pending.redirectUri,
    redirectUriWasSent: pending.redirectUriWasSent,
    codeChallenge: pending.codeChallenge,
    resources: pending.resources,
    scope,
    subject: user.subject,
    authTime: user.authTime,
  });
  const now = nowSeconds(deps);
  // A first consent needs no read: the commit's condition says when a row was there after all.
  let earlier: (ConsentRecord | undefined)[] | undefined;
  for (let attempt = 1; attempt <= CONSENT_ATTEMPTS; attempt++) {
    const consents = consentWrites(deps, grant, context.revocations, now, earlier);
    const outcome = await deps.commits.commit({ singleUse, loginSession: context.loginSession, consents, code: record });
    if (outcome.kind === 'already_used') return { kind: 'already_used' };
    if (outcome.kind === 'committed') {
      deps.audit.emit({ type: 'consent_granted', subject: user.subject, clientId: pending.clientId });
      return { kind: 'code', location: successRedirectUrl(deps.config, pending.redirectUri, { code, state: pending.state }) };
    }
    earlier = await readConsents(deps, user.subject, pending.clientId, pending.resources);
  }
  throw new Error('the consent records kept changing during the approval');
}

/** Marks the pending request answered, with whatever else belongs to that answer; false when it was answered before. */
export async function answerOnce(deps: AuthorizationServerDeps, commit: AuthorizationCommit & { readonly singleUse: NonNullable<AuthorizationCommit['singleUse']> }): Promise<boolean> {
  const outcome = await deps.commits.commit(commit);
  if (outcome.kind === 'consent_changed') throw new Error('an answer without consents reported a consent change');
  return outcome.kind === 'committed';
}
