/**
 * Single use of signed assertions (RFC 7523 section 3, item 7; RFC 7521 section 5.2): each
 * `jti` of a client assertion or an ID-JAG is accepted once per issuer, for as long as the
 * assertion could still be presented.
 */

export interface UsedAssertionStore {
  /**
   * Records `key` (issuer and jti, hashed by the caller) as used until `expiresAt`, only if
   * it was not recorded yet. Throws ConditionFailedError when it was: a replay, or the loser
   * of two requests racing with the same assertion.
   */
  recordOnce(key: string, expiresAt: number): Promise<void>;
}
