/**
 * The pending authorization: an /authorize request that passed validation and waits for
 * consent and sign-in. It lives only in the browser, in a sealed cookie (sealed-cookie.ts),
 * never in a table: what the AS must remember between GET /authorize, POST /consent and the
 * upstream callback comes back with the browser, and cannot be read or changed by it.
 *
 * A sealed cookie can be replayed as it is, so everything that ends a pending request
 * (deny, approve, the callback) also writes its single-use marker (`id`) in the same
 * conditional write as what it produces (authorization-outcome.ts).
 */
import type { HttpRequest } from '../http';
import { readSealedCookie, sealedCookieHeader } from './cookies';
import type { AuthorizationServerDeps } from './deps';

export interface PendingAuthorization {
  /** Random; the key of the single-use marker that ends it. */
  readonly id: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly redirectUriWasSent: boolean;
  readonly state?: string;
  readonly codeChallenge: string;
  readonly resources: readonly string[];
  /** The scope asked for (before narrowing by the user's groups). */
  readonly requestedScope: readonly string[];
  /** SHA-256 of the CSRF token printed into the consent form. */
  readonly csrfTokenHash: string;
  /** Set when the user approved on the consent page. */
  readonly consentedAt?: number;
  /** SHA-256 of the `state` sent to the upstream IdP; set when the upstream redirect goes out. */
  readonly upstreamStateHash?: string;
  readonly upstreamNonce?: string;
  readonly upstreamCodeVerifier?: string;
  /** Set when that redirect demanded a sign-in made now (prompt=login, max_age=0): the callback then refuses an older one outright. */
  readonly upstreamFreshSignIn?: boolean;
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** The browser's pending authorization, or undefined when it holds none that opens. */
export async function pendingAuthorizationOf(deps: AuthorizationServerDeps, request: HttpRequest): Promise<PendingAuthorization | undefined> {
  const data = await readSealedCookie(deps, request, 'pendingAuthorization');
  return isPendingAuthorization(data) ? data : undefined;
}

/** The Set-Cookie header that hands the pending authorization to the browser; undefined when it is too large for a cookie. */
export function pendingAuthorizationCookie(deps: AuthorizationServerDeps, pending: PendingAuthorization): Promise<string | undefined> {
  return sealedCookieHeader(deps, 'pendingAuthorization', pending, pending.expiresAt);
}

/**
 * The same request as it will be once sent upstream (consented, with state, nonce and
 * verifier of their final length): /authorize refuses a request that would not fit in a
 * cookie then, rather than fail the user half way.
 */
export function roomForUpstreamLogin(pending: PendingAuthorization): PendingAuthorization {
  const token = 'x'.repeat(43);
  return { ...pending, consentedAt: pending.createdAt, upstreamStateHash: token, upstreamNonce: token, upstreamCodeVerifier: token, upstreamFreshSignIn: true };
}

/** Only we seal, so this guards against our own older formats, not against forgery. */
function isPendingAuthorization(data: unknown): data is PendingAuthorization {
  if (typeof data !== 'object' || data === null) return false;
  const record = data as Record<string, unknown>;
  const strings = ['id', 'clientId', 'redirectUri', 'codeChallenge', 'csrfTokenHash'];
  const stringLists = ['resources', 'requestedScope'];
  return (
    strings.every((name) => typeof record[name] === 'string') &&
    stringLists.every((name) => Array.isArray(record[name]) && (record[name] as unknown[]).every((value) => typeof value === 'string')) &&
    typeof record.redirectUriWasSent === 'boolean' &&
    typeof record.createdAt === 'number' &&
    typeof record.expiresAt === 'number'
  );
}
