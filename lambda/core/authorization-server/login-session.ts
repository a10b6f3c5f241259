/**
 * The login session: after a user signed in at the upstream IdP, the browser holds a random
 * cookie whose SHA-256 is the key of a LoginSessionRecord. The cookie value itself is never
 * stored, so a leaked table does not hand out sessions.
 */
import { randomToken, sha256Base64url } from '../crypto';
import type { HttpRequest } from '../http';
import { nowSeconds, type LoginSessionRecord, type UpstreamIdentity } from '../ports';
import { isRevoked, signInRevocationKeys } from '../tokens/revocation-check';
import { clearCookieHeader, readCookie, setCookieHeader } from './cookies';
import type { AuthorizationServerDeps } from './deps';

/**
 * The browser's live login session, or undefined: no cookie, unknown, past expiresAt (TTL
 * deletion lags), or signed in at or before an operator revoked the user. The operator's
 * revocation deletes the user's sessions, but it finds them through an eventually consistent
 * index: a session written a moment before can survive it, and must not count.
 */
export async function currentLoginSession(deps: AuthorizationServerDeps, request: HttpRequest): Promise<LoginSessionRecord | undefined> {
  const cookie = readCookie(deps.config, request, 'loginSession');
  if (!cookie) return undefined;
  const session = await deps.sessions.getLoginSession(sha256Base64url(cookie));
  if (!session || session.expiresAt <= nowSeconds(deps)) return undefined;
  if (isRevoked(await deps.revocations.find(signInRevocationKeys(session.subject)), session.authTime)) return undefined;
  return session;
}

/**
 * Whether the browser still holds a login session cookie (the cookie lives exactly as long
 * as the session): when currentLoginSession finds no live session behind it, the server
 * ended that session (an operator's revocation, "not you?"), and the next sign-in at the
 * upstream IdP must be a real one, not its single sign-on.
 */
export function holdsLoginSessionCookie(deps: AuthorizationServerDeps, request: HttpRequest): boolean {
  return readCookie(deps.config, request, 'loginSession') !== undefined;
}

export async function startLoginSession(deps: AuthorizationServerDeps, identity: UpstreamIdentity): Promise<{ readonly session: LoginSessionRecord; readonly setCookie: string }> {
  const now = nowSeconds(deps);
  const cookieValue = randomToken(deps.random);
  const lifetime = deps.config.tokens.loginSessionSeconds;
  const accountName = identity.email ?? identity.username;
  const session: LoginSessionRecord = {
    sessionHash: sha256Base64url(cookieValue),
    subject: identity.subject,
    groups: [...identity.groups],
    // An IdP that does not report auth_time authenticated the user just now.
    authTime: identity.authTime > 0 ? identity.authTime : now,
    ...(accountName === undefined ? {} : { accountName }),
    expiresAt: now + lifetime,
  };
  await deps.sessions.putLoginSession(session);
  return { session, setCookie: setCookieHeader(deps.config, 'loginSession', cookieValue, lifetime) };
}

/** Signs this browser out of the AS ("not you?"): deletes its session record and returns the header that clears the cookie. */
export async function endLoginSession(deps: AuthorizationServerDeps, request: HttpRequest): Promise<string> {
  const cookie = readCookie(deps.config, request, 'loginSession');
  if (cookie) await deps.sessions.deleteLoginSession(sha256Base64url(cookie));
  return clearCookieHeader(deps.config, 'loginSession');
}
