/** Whether an access token is current: exp, iat and nbf against the reader's clock (RFC 7519 sections 4.1.4 to 4.1.6, RFC 9068 section 4). */
import type { AccessTokenClaims } from './access-token-claims';

export interface ClaimClock {
  readonly nowSeconds: number;
  /** Tolerated clock difference for an iat or nbf in the future. */
  readonly skewSeconds: number;
  /**
   * How long after exp the token still passes. The guard allows the skew here too (its
   * clock is not the issuer's); the issuer itself reads its own clock and allows none.
   */
  readonly expiryGraceSeconds: number;
}

/** Which time claim fails at `nowSeconds`; undefined when the token is current. */
export function accessTokenTimeFailure(claims: Pick<AccessTokenClaims, 'expiresAt' | 'issuedAt' | 'notBefore'>, clock: ClaimClock): 'exp' | 'iat' | 'nbf' | undefined {
  const { nowSeconds: now, skewSeconds: skew } = clock;
  if (claims.expiresAt <= now - clock.expiryGraceSeconds) return 'exp';
  if (claims.issuedAt > now + skew) return 'iat';
  if (claims.notBefore !== undefined && claims.notBefore > now + skew) return 'nbf';
  return undefined;
}
