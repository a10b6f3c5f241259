/**
 * What a POST /token request names before any client is authenticated (the client it claims
 * to be, the code or refresh family it presents, the revocation rows that could end them),
 * read in one round trip: the request's first, so that the only other is its write.
 */
import type { AuthorizationCodeRecord } from './authorization-codes';
import type { ClientRecord } from './clients';
import type { RefreshFamilyRecord } from './refresh-families';
import type { RevocationKey, RevocationRecord } from './revocations';

export interface TokenRequestNames {
  /** A client the client store would be asked for (not one of the configuration, not a metadata document URL). */
  readonly clientId?: string;
  /** SHA-256 of the presented code, base64url. */
  readonly codeHash?: string;
  readonly familyId?: string;
  readonly revocationKeys: readonly RevocationKey[];
}

/** The records found; a name with no record is absent. Records are returned even when TTL has not yet deleted them. */
export interface TokenRequestRecords {
  readonly client?: ClientRecord;
  readonly code?: AuthorizationCodeRecord;
  readonly family?: RefreshFamilyRecord;
  readonly revocations: readonly RevocationRecord[];
}

export interface TokenRequestReads {
  /**
   * One round trip for every name. The code, the family and the revocations are read strongly
   * consistent (a replay right after a redemption, a revocation a moment ago, must be seen). A
   * name the store could not read throws DependencyUnavailableError: it is never "absent".
   */
  read(names: TokenRequestNames): Promise<TokenRequestRecords>;
}
