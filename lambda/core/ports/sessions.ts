/**
 * Browser-side state at rest: login sessions (as a listing: the sealed session cookie and
 * the revocations decide whether one is live) and remembered consents. A pending
 * authorization is not stored: it travels in a sealed cookie (authorization-server/pending-authorization.ts).
 */

export interface LoginSessionRecord {
  /** SHA-256 of the session id sealed in the cookie; also the value of the session's revocation key. */
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
  getConsent(subject: string, clientId: string, resource: string): Promise<ConsentRecord | undefined>;
  /** Drops a login session from the listing ("not you?"); its revocation record is what ends it. */
  deleteLoginSession(sessionHash: string): Promise<void>;
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
