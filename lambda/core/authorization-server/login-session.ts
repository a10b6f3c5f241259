/**
 * The login session: after a user signed in at the upstream IdP, the browser holds a sealed
 * cookie (sealed-cookie.ts) with the session's id, subject, groups, auth_time and account
 * name. Using it reads no session row: the revocation lookup the AS makes anyway also asks
 * for the session's own key, which is how a session is ended server-side ("not you?" writes
 * it; an operator's revocation of the user is the user's key, auth_time at or before it).
 * The session's record in the sessions table is a listing for the operator
 * (`mcp-oauth sessions list`), written in the callback's transaction; it decides nothing.
 */
import { randomToken, sha256Base64url } from '../crypto';
import type { HttpRequest } from '../http';
import { nowSeconds, type LoginSessionRecord, type RevocationKey, type RevocationRecord, type UpstreamIdentity } from '../ports';
import { isRevoked } from '../tokens/revocation-check';
import { clearCookieHeader, readSealedCookie, sealedCookieHeader } from './cookies';
import type { AuthorizationServerDeps } from './deps';

/** What the session cookie carries; the same fields as its listing record. */
export type LoginSession = LoginSessionRecord;

/** The session the browser's cookie describes, not yet checked against revocations. */
export async function loginSessionCookie(deps: AuthorizationServerDeps, request: HttpRequest): Promise<LoginSession | undefined> {
  const data = await readSealedCookie(deps, request, 'loginSession');
  return isLoginSession(data) ? data : undefined;
}

/** The revocation keys that can end a session: the session itself and its user. */
export function sessionRevocationKeys(session: LoginSession): RevocationKey[] {
  return [
    { kind: 'subject', value: session.subject },
    { kind: 'session', value: session.sessionHash },
  ];
}

/**
 * Whether a session is over: its own revocation ("not you?") or its user's at or after its
 * sign-in (an operator's revocation: the IdP's auth_time, docs/security.md case 58).
 */
export function sessionEnded(session: LoginSession, revocations: readonly RevocationRecord[]): boolean {
  const own = revocations.filter((record) => record.key.kind === 'session' && record.key.value === session.sessionHash);
  const user = revocations.filter((record) => record.key.kind === 'subject' && record.key.value === session.subject);
  return own.length > 0 || isRevoked(user, session.authTime);
}

/**
 * The browser's live login session with the revocations it was checked against (callers
 * add keys of their own to the same lookup), or no session: no cookie that opens, expired,
 * or ended.
 */
export async function currentLoginSession(
  deps: AuthorizationServerDeps,
  request: HttpRequest,
  alsoRevocationKeys: readonly RevocationKey[] = [],
): Promise<{ readonly session?: LoginSession; readonly revocations: readonly RevocationRecord[] }> {
  const session = await loginSessionCookie(deps, request);
  if (!session) return { revocations: [] };
  const revocations = await deps.revocations.find([...sessionRevocationKeys(session), ...alsoRevocationKeys]);
  return sessionEnded(session, revocations) ? { revocations } : { session, revocations };
}

/** A new session for whoever signed in upstream, and the cookie that carries it. Its listing record is written by the caller's commit. */
export async function startLoginSession(deps: AuthorizationServerDeps, identity: UpstreamIdentity): Promise<{ readonly session: LoginSession; readonly setCookie: string }> {
  const now = nowSeconds(deps);
  const accountName = identity.email ?? identity.username;
  const session: LoginSession = {
    sessionHash: sha256Base64url(randomToken(deps.random)),
    subject: identity.subject,
    groups: [...identity.groups],
    // An IdP that does not report auth_time authenticated the user just now.
    authTime: identity.authTime > 0 ? identity.authTime : now,
    ...(accountName === undefined ? {} : { accountName }),
    expiresAt: now + deps.config.tokens.loginSessionSeconds,
  };
  const setCookie = await sealedCookieHeader(deps, 'loginSession', session, session.expiresAt);
  // Groups and names come from the IdP: a user in hundreds of groups gets no session (signs in each time) rather than a broken cookie.
  return { session, setCookie: setCookie ?? clearCookieHeader(deps.config, 'loginSession') };
}

/**
 * Signs this browser out of the AS ("not you?"): writes the session's revocation (the cookie
 * may come back: a replay, another tab) and drops its listing; returns the header that
 * clears the cookie.
 */
export async function endLoginSession(deps: AuthorizationServerDeps, request: HttpRequest): Promise<string> {
  const session = await loginSessionCookie(deps, request);
  if (session) {
    await Promise.all([
      deps.revocations.revoke({ key: { kind: 'session', value: session.sessionHash }, revokedAt: nowSeconds(deps), expiresAt: session.expiresAt, reason: 'signed out' }),
      deps.sessions.deleteLoginSession(session.sessionHash),
    ]);
  }
  return clearCookieHeader(deps.config, 'loginSession');
}

function isLoginSession(data: unknown): data is LoginSession {
  if (typeof data !== 'object' || data === null) return false;
  const record = data as Record<string, unknown>;
  return (
    typeof record.sessionHash === 'string' &&
    typeof record.subject === 'string' &&
    Array.isArray(record.groups) &&
    record.groups.every((group) => typeof group === 'string') &&
    typeof record.authTime === 'number' &&
    (record.accountName === undefined || typeof record.accountName === 'string') &&
    typeof record.expiresAt === 'number'
  );
}
