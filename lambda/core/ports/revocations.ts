/** Revocations at rest, keyed by what is revoked; one BatchGetItem answers every key of a token. */

/** What a revocation names. A token is revoked when any of its keys has a record with revokedAt >= the token's iat. */
export type RevocationKey =
  | { readonly kind: 'jti'; readonly value: string }
  | { readonly kind: 'family'; readonly value: string }
  | { readonly kind: 'subject'; readonly value: string }
  | { readonly kind: 'client'; readonly value: string }
  /** One login session at the AS, by its sessionHash ("not you?" ends it). */
  | { readonly kind: 'session'; readonly value: string };

export interface RevocationRecord {
  readonly key: RevocationKey;
  readonly revokedAt: number;
  /** When no token it can match is still alive: the row may go. */
  readonly expiresAt: number;
  readonly reason: string;
}

export interface RevocationStore {
  /** Writes or overwrites (a later revokedAt wins). */
  revoke(record: RevocationRecord): Promise<void>;
  /** One BatchGetItem over every key; unknown keys are simply absent from the result. */
  find(keys: readonly RevocationKey[]): Promise<readonly RevocationRecord[]>;
}

/**
 * The guard's view of the revocation store: a cache in front of it may answer without a
 * promise when it already holds the records, which keeps a warm authorizer synchronous.
 */
export interface RevocationLookup {
  find(keys: readonly RevocationKey[]): readonly RevocationRecord[] | Promise<readonly RevocationRecord[]>;
}
