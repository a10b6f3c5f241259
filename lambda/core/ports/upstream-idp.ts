/** The upstream OpenID Connect provider (Cognito in AWS, the dev IdP locally) that authenticates users. */

export interface UpstreamIdentity {
  readonly subject: string;
  readonly groups: readonly string[];
  readonly authTime: number;
  readonly username?: string;
  readonly email?: string;
}

export interface UpstreamIdp {
  /** The URL of the upstream authorization endpoint with code + S256 PKCE + state + nonce. */
  authorizationUrl(params: {
    readonly state: string;
    readonly nonce: string;
    readonly codeChallenge: string;
    readonly redirectUri: string;
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
