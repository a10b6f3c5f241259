/**
 * Sending the user to the upstream IdP to sign in (OpenID Connect Core 1.0 section 3.1.2.1),
 * with fresh state, nonce and PKCE verifier. Only the hash of the state is stored: the
 * callback finds the request by it, once.
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
import { nowSeconds, type PendingAuthorizationRecord } from '../ports';
import type { AuthorizationServerDeps } from './deps';
import { ENDPOINT_PATHS } from './endpoints';

export type UpstreamSignIn = 'any' | 'again' | 'fresh';

export interface UpstreamLoginOptions {
  readonly signIn: UpstreamSignIn;
  /** The user approved on our consent page just now. */
  readonly consentedNow: boolean;
  /**
   * The callback already took (deleted) the pending request: write it anew rather than
   * update it. Otherwise it must still exist (a used consent form cannot come back).
   */
  readonly pendingWasTaken?: boolean;
}

export async function startUpstreamLogin(deps: AuthorizationServerDeps, pending: PendingAuthorizationRecord, options: UpstreamLoginOptions): Promise<string> {
  const state = randomToken(deps.random);
  const nonce = randomToken(deps.random);
  const codeVerifier = randomToken(deps.random);
  const next: PendingAuthorizationRecord = {
    ...pending,
    ...(options.consentedNow ? { consentedAt: nowSeconds(deps) } : {}),
    upstreamStateHash: sha256Base64url(state),
    upstreamNonce: nonce,
    upstreamCodeVerifier: codeVerifier,
    upstreamFreshSignIn: options.signIn === 'fresh' ? true : undefined,
  };
  if (options.pendingWasTaken) await deps.sessions.putPendingAuthorization(next);
  else await deps.sessions.updatePendingAuthorization(next);
  return deps.upstream.authorizationUrl({
    state,
    nonce,
    codeChallenge: base64url(sha256(codeVerifier)),
    redirectUri: deps.config.issuer + ENDPOINT_PATHS.upstreamCallback,
    ...(options.signIn !== 'any' && { prompt: 'login' as const }),
    ...(options.signIn === 'fresh' && { maxAge: 0 }),
  });
}
