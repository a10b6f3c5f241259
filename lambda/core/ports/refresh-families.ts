/** Refresh token families at rest: rotation is the store's conditional write on the generation (RFC 9700 section 4.14.2). */

/**
 * A refresh token is `<familyId>.<secret>`. The family keeps the hash of the current token
 * and of the one before it (the retry rule, docs/security.md decision f: the previous token stays
 * redeemable until its successor has been used once).
 */
export interface RefreshFamilyRecord {
  readonly familyId: string;
  readonly clientId: string;
  readonly subject: string;
  readonly scope: readonly string[];
  readonly resources: readonly string[];
  readonly authTime: number;
  readonly currentTokenHash: string;
  readonly previousTokenHash?: string;
  /** Incremented by every rotation; the conditional write keys on it. */
  readonly generation: number;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** Absolute end of the family. */
  readonly expiresAt: number;
  readonly revokedAt?: number;
}

export interface RefreshFamilyStore {
  create(family: RefreshFamilyRecord): Promise<void>;
  get(familyId: string): Promise<RefreshFamilyRecord | undefined>;
  /**
   * Replaces the token hashes only if the stored generation still equals
   * `expectedGeneration` and the family is not revoked. Throws ConditionFailedError otherwise.
   */
  rotate(familyId: string, expectedGeneration: number, next: {
    readonly currentTokenHash: string;
    readonly previousTokenHash: string;
    readonly lastUsedAt: number;
    readonly scope: readonly string[];
  }): Promise<void>;
  markRevoked(familyId: string, revokedAt: number): Promise<void>;
}
