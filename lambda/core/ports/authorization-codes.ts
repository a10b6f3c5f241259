/** Authorization codes at rest: single use is GrantWriter.redeemCode's conditional write (OAuth 2.1 section 4.1.3). */

export interface AuthorizationCodeRecord {
  /** SHA-256 of the code, base64url. The code itself is never stored. */
  readonly codeHash: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** Whether the authorization request carried redirect_uri (then /token must repeat it). */
  readonly redirectUriWasSent: boolean;
  readonly codeChallenge: string;
  /** The resources (RFC 8707) the user approved; /token may narrow to one of them. */
  readonly resources: readonly string[];
  readonly scope: readonly string[];
  readonly subject: string;
  readonly authTime: number;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Set once, by the single successful redemption. */
  readonly redeemedAt?: number;
  /** The refresh family the redemption started; a replay revokes it. */
  readonly familyId?: string;
}

export interface AuthorizationCodeStore {
  put(code: AuthorizationCodeRecord): Promise<void>;
  get(codeHash: string): Promise<AuthorizationCodeRecord | undefined>;
}
