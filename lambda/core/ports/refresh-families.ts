/** Refresh token families at rest: rotation is GrantWriter.rotateFamily's conditional write on the generation (RFC 9700 section 4.14.2). */

/**
 * A refresh token is `<familyId>.<secret>`. The family keeps the SHA-256 of every token it
 * issued that may still be presented: the current one, the one before it (the retry rule,
 * docs/security.md decision f) and the last few rotated away (so that reuse means a token
 * this server issued: docs/design.md, "Refresh token families"). Never a token itself.
 */
export interface RefreshFamilyRecord {
  readonly familyId: string;
  readonly clientId: string;
  readonly subject: string;
  readonly scope: readonly string[];
  readonly resources: readonly string[];
  readonly authTime: number;
  /** When the user's groups behind `scope` were last read by a recheck at refresh; absent: at the login (`authTime`). */
  readonly groupsReadAt?: number;
  readonly currentTokenHash: string;
  readonly previousTokenHash?: string;
  /** When the rotation that replaced the previous token happened: the retry window counts from here. */
  readonly previousReplacedAt?: number;
  /** Hashes of tokens rotated away or voided, newest first, at most RETIRED_TOKENS_KEPT. */
  readonly retiredTokenHashes: readonly string[];
  /** Incremented by every rotation; the conditional write keys on it. */
  readonly generation: number;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** Absolute end of the family. */
  readonly expiresAt: number;
  readonly revokedAt?: number;
}

/** What a rotation writes. */
export interface FamilyRotation {
  readonly currentTokenHash: string;
  readonly previousTokenHash: string;
  readonly previousReplacedAt: number;
  readonly retiredTokenHashes: readonly string[];
  readonly lastUsedAt: number;
  readonly scope: readonly string[];
  readonly groupsReadAt: number;
}

export interface RefreshFamilyStore {
  create(family: RefreshFamilyRecord): Promise<void>;
  get(familyId: string): Promise<RefreshFamilyRecord | undefined>;
  markRevoked(familyId: string, revokedAt: number): Promise<void>;
}

/** The operator's view of the families: listings read an eventually consistent index (see SessionDirectory). */
export interface RefreshFamilyDirectory {
  /** Every family of a user, or of a client, revoked and expired ones included. */
  listFamilies(owner: { readonly subject: string } | { readonly clientId: string }): Promise<readonly RefreshFamilyRecord[]>;
  get(familyId: string): Promise<RefreshFamilyRecord | undefined>;
  markRevoked(familyId: string, revokedAt: number): Promise<void>;
}
