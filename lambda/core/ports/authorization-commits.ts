/**
 * The end of a browser authorization as one all-or-nothing write: the single-use marker of
 * the pending request, the login session's listing record, the remembered consents and the
 * authorization code. Either every item is written or none is, so a replayed consent form
 * or upstream callback can never yield a second code, and no code exists without the
 * consent that it records.
 */
import type { AuthorizationCodeRecord } from './authorization-codes';
import type { ConsentRecord, LoginSessionRecord } from './sessions';

export interface ConsentWrite {
  readonly record: ConsentRecord;
  /**
   * The live earlier consent this one was merged with (its grantedAt, as read), or
   * undefined when the writer saw none: then any row still there must be expired at
   * `record.grantedAt` or granted at or before `revokedAt`, or the commit reports
   * `consent_changed` and writes nothing.
   */
  readonly replacesGrantedAt?: number;
  /** The latest revocation of the user or the client, 0 when none. */
  readonly revokedAt: number;
}

export interface AuthorizationCommit {
  /** Marks the pending request answered; the commit fails with `already_used` if it was. */
  readonly singleUse?: { readonly pendingId: string; readonly expiresAt: number };
  readonly loginSession?: LoginSessionRecord;
  readonly consents?: readonly ConsentWrite[];
  readonly code?: AuthorizationCodeRecord;
}

export type CommitOutcome =
  | { readonly kind: 'committed' }
  /** The single-use marker already existed: this form or callback was answered before. */
  | { readonly kind: 'already_used' }
  /** A consent row is not what the writer saw (another tab consented meanwhile): read again and retry. */
  | { readonly kind: 'consent_changed' };

export interface AuthorizationCommits {
  commit(commit: AuthorizationCommit): Promise<CommitOutcome>;
}
