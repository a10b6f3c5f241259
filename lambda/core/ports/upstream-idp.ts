/** The upstream OpenID Connect provider (Cognito in AWS, the dev IdP locally) that authenticates users. */

export interface UpstreamIdentity {
  readonly subject: string;
  readonly groups: readonly string[];
  readonly authTime: number;
  readonly username?: string;
  readonly email?: string;
}

export interface UpstreamIdp {
  /** The upstream authorization endpoint (from discovery): the consent page's CSP must allow the browser to go there. */
  authorizationEndpoint(): Promise<string>;
  /**
   * The URL of the upstream authorization endpoint with code + S256 PKCE + state + nonce;
   * `prompt: 'login'` asks the IdP to sign the user in again, not reuse its own session
   * (OpenID Connect Core 1.0 section 3.1.2.1), for "not you?"; `maxAge: 0` also demands an
   * authentication made now, reported in the ID token's auth_time (after a revocation).
   */
  authorizationUrl(params: {
    readonly state: string;
    readonly nonce: string;
    readonly codeChallenge: string;
    readonly redirectUri: string;
    readonly prompt?: 'login';
    readonly maxAge?: number;
  }): Promise<string>;
  /**
   * Redeems the upstream code and verifies the ID token (signature, iss, aud, exp, nonce).
   * Throws OAuthError('access_denied', ...) when the upstream says no or the token fails.
   */
  redeem(params: {
    readonly code: string;
    readonly codeVerifier: string;
    readonly nonce: string;
    readonly redirectUri: string;
  }): Promise<UpstreamIdentity>;
}
