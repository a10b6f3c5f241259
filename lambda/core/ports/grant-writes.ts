/**
 * The writes that issue tokens, each one atomic with the checks it depends on (on DynamoDB one
 * TransactWriteItems): either all of it happens or none of it, so a lost race or a revocation
 * that lands between the request's reads and its write leaves nothing behind, and no
 * compensating write is needed.
 */
import type { FamilyRotation, RefreshFamilyRecord } from './refresh-families';
import type { RevocationKey } from './revocations';

/** Revocation rows that must not cover a grant: absent, or written before `issuedAt` (tokens/revocation-check.ts). */
export interface RevocationClearance {
  readonly keys: readonly RevocationKey[];
  readonly issuedAt: number;
}

export interface GrantWriter {
  /**
   * Marks the code redeemed and linked to `family` (only if it exists and is not redeemed yet),
   * creates the family (only if its id is new), provided `clearance` holds. Throws
   * GrantRefusedError ('moved_on' for every loser of a race, 'revoked') and writes nothing then.
   */
  redeemCode(codeHash: string, redeemedAt: number, family: RefreshFamilyRecord, clearance: RevocationClearance): Promise<void>;
  /**
   * Writes the rotation only if the stored generation still equals `expectedGeneration` and the
   * family is not revoked, provided `clearance` holds. Throws GrantRefusedError otherwise.
   */
  rotateFamily(familyId: string, expectedGeneration: number, next: FamilyRotation, clearance: RevocationClearance): Promise<void>;
}
