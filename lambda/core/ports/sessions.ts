/** Browser-side state at rest: pending authorization requests, login sessions and remembered consents. */

/** An /authorize request that passed validation and waits for consent and login. */
export interface PendingAuthorizationRecord {
  /** Random id; the browser holds it in a cookie, the consent form posts it back. */
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

export interface LoginSessionRecord {
  /** SHA-256 of the session cookie value. */
  readonly sessionHash: string;
  readonly subject: string;
  readonly groups: readonly string[];
  readonly authTime: number;
  /** What the user knows the account by (email, else username), shown on the consent page. */
  readonly accountName?: string;
  readonly expiresAt: number;
}

export interface ConsentRecord {
  readonly subject: string;
  readonly clientId: string;
  readonly resource: string;
  /** The scopes approved; a later request for a subset needs no new consent. */
  readonly scope: readonly string[];
  readonly grantedAt: number;
  readonly expiresAt: number;
}

export interface SessionStore {
  putPendingAuthorization(record: PendingAuthorizationRecord): Promise<void>;
  getPendingAuthorization(id: string): Promise<PendingAuthorizationRecord | undefined>;
  updatePendingAuthorization(record: PendingAuthorizationRecord): Promise<void>;
  /** Finds the pending request by the upstream state hash and deletes it in one conditional step; undefined if absent or already taken. */
  takePendingAuthorizationByUpstreamState(upstreamStateHash: string): Promise<PendingAuthorizationRecord | undefined>;
  /** Deletes it; single use of consent forms. Throws ConditionFailedError if it was already gone. */
  deletePendingAuthorization(id: string): Promise<void>;

  putLoginSession(record: LoginSessionRecord): Promise<void>;
  getLoginSession(sessionHash: string): Promise<LoginSessionRecord | undefined>;
  deleteLoginSession(sessionHash: string): Promise<void>;

  putConsent(record: ConsentRecord): Promise<void>;
  getConsent(subject: string, clientId: string, resource: string): Promise<ConsentRecord | undefined>;
}

/**
 * The operator's view of the same records: what revoking a user or a client ends. Listings
 * read an eventually consistent index, so a record written a moment ago may be missing; the
 * revocation record (revocations.ts) is what covers it, the login session check reads it.
 */
export interface SessionDirectory {
  /** Every login session of a user, expired ones included (TTL lags: callers check expiresAt). */
  listLoginSessions(subject: string): Promise<readonly LoginSessionRecord[]>;
  /** Every remembered consent of a user, or given to a client. */
  listConsents(owner: { readonly subject: string } | { readonly clientId: string }): Promise<readonly ConsentRecord[]>;
  deleteLoginSession(sessionHash: string): Promise<void>;
  deleteConsent(consent: Pick<ConsentRecord, 'subject' | 'clientId' | 'resource'>): Promise<void>;
}
