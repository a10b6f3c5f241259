/** The guard's signature check of an access token against the issuer's published keys (RFC 7515 section 5.2, RFC 9068 section 4). */
import type { DecodedAccessToken } from '../tokens/access-token-syntax';

export interface AccessTokenSignatures {
  /**
   * Why the token does not verify (for the log), or undefined when it does: synchronously
   * when the key is at hand, otherwise a promise. A failure to reach the keys at all is
   * not the token's fault: that throws.
   */
  rejection(token: DecodedAccessToken): string | undefined | Promise<string | undefined>;
}
