/**
 * Sending the user to the upstream IdP to sign in (OpenID Connect Core 1.0 section 3.1.2.1),
 * with fresh state, nonce and PKCE verifier. They travel in the pending authorization's
 * sealed cookie (only the hash of the state): the callback must come back to the browser
 * that left, with the state that was sent.
 *
 * How hard the IdP is asked to check who comes back:
 * - `any`: its own single sign-on may answer (the user approved our consent page);
 * - `again`: `prompt=login`, for "not you?": someone else may sign in, so the IdP must not
 *   reuse its session, and the callback shows the consent page to whoever comes back;
 * - `fresh`: `prompt=login` and `max_age=0`, after the server ended this browser's session
 *   or the IdP answered with an authentication older than an operator's revocation of the
 *   user (docs/security.md, case 58): only a sign-in made now counts.
 */
import { base64url, randomToken, sha256, sha256Base64url } from '../crypto';
import { nowSeconds } from '../ports';
import type { AuthorizationServerDeps } from './deps';
import { ENDPOINT_PATHS } from './endpoints';
import { pendingAuthorizationCookie, type PendingAuthorization } from './pending-authorization';

export type UpstreamSignIn = 'any' | 'again' | 'fresh';

export interface UpstreamLoginOptions {
  readonly signIn: UpstreamSignIn;
  /** The user approved on our consent page just now. */
  readonly consentedNow: boolean;
  /**
   * The callback already answered this pending request (its single-use marker is written):
   * the next sign-in continues it under a new id, whose own marker is still free.
   */
  readonly pendingWasAnswered?: boolean;
}

export interface UpstreamLoginStart {
  /** The upstream IdP's authorization URL. */
  readonly location: string;
  /** The pending authorization's cookie, now carrying the upstream state. */
  readonly setCookie: string;
}

export async function startUpstreamLogin(deps: AuthorizationServerDeps, pending: PendingAuthorization, options: UpstreamLoginOptions): Promise<UpstreamLoginStart> {
  const state = randomToken(deps.random);
  const nonce = randomToken(deps.random);
  const codeVerifier = randomToken(deps.random);
  const next: PendingAuthorization = {
    ...pending,
    ...(options.pendingWasAnswered ? { id: randomToken(deps.random) } : {}),
    ...(options.consentedNow ? { consentedAt: nowSeconds(deps) } : {}),
    upstreamStateHash: sha256Base64url(state),
    upstreamNonce: nonce,
    upstreamCodeVerifier: codeVerifier,
    upstreamFreshSignIn: options.signIn === 'fresh' ? true : undefined,
  };
  const setCookie = await pendingAuthorizationCookie(deps, next);
  // /authorize checked that the request fits with these fields added (roomForUpstreamLogin).
  if (setCookie === undefined) throw new Error('the pending authorization no longer fits in a cookie');
  const location = await deps.upstream.authorizationUrl({
    state,
    nonce,
    codeChallenge: base64url(sha256(codeVerifier)),
    redirectUri: deps.config.issuer + ENDPOINT_PATHS.upstreamCallback,
    ...(options.signIn !== 'any' && { prompt: 'login' as const }),
    ...(options.signIn === 'fresh' && { maxAge: 0 }),
  });
  return { location, setCookie };
}
