/**
 * The one revocation rule (RFC 7009 section 2, RFC 7662 section 2.2): a token is revoked when
 * any record for one of its keys (the token's jti, its refresh family, its user, its client)
 * was written at or after the token was issued. The guard, /introspect and the grants at /token
 * all ask it; one BatchGetItem answers every key. /token also asks it inside its write (a
 * DynamoDB condition, adapters/dynamodb/revocation-condition.ts), built from the same
 * REVOCATION_COMPARISON; test/integration/revocation-condition.test.ts holds the two together.
 */
import type { RevocationKey, RevocationRecord } from '../ports';

/** Every revocation key of an access token. */
export function accessTokenRevocationKeys(claims: { readonly jti: string; readonly familyId?: string; readonly subject: string; readonly clientId: string }): RevocationKey[] {
  const keys: RevocationKey[] = [{ kind: 'jti', value: claims.jti }];
  if (claims.familyId) keys.push({ kind: 'family', value: claims.familyId });
  keys.push({ kind: 'subject', value: claims.subject }, { kind: 'client', value: claims.clientId });
  return keys;
}

/** Every revocation key of a refresh family: the family itself, its user and its client. */
export function familyRevocationKeys(family: { readonly familyId: string; readonly subject: string; readonly clientId: string }): RevocationKey[] {
  return [
    { kind: 'family', value: family.familyId },
    { kind: 'subject', value: family.subject },
    { kind: 'client', value: family.clientId },
  ];
}

/** The revocation key of a user's sign-in (a login session at the AS, an upstream authentication): the user's own. */
export function signInRevocationKeys(subject: string): RevocationKey[] {
  return [{ kind: 'subject', value: subject }];
}

/** Every revocation key of what a user gave a client before a token exists (a remembered consent, an authorization code). */
export function grantRevocationKeys(grant: { readonly subject: string; readonly clientId: string }): RevocationKey[] {
  return [
    { kind: 'subject', value: grant.subject },
    { kind: 'client', value: grant.clientId },
  ];
}

/**
 * How a record's revokedAt compares with an issue time when it revokes: at or after. The same
 * second counts, because the clock's grain is a second and a token minted in the instant of a
 * revocation must not outlive it.
 */
export const REVOCATION_COMPARISON = '>=' as const;

const COMPARISONS: Readonly<Record<typeof REVOCATION_COMPARISON, (revokedAt: number, issuedAt: number) => boolean>> = {
  '>=': (revokedAt, issuedAt) => revokedAt >= issuedAt,
};

/** Whether a record written at `revokedAt` revokes what was issued at `issuedAt`. */
export function revokes(revokedAt: number, issuedAt: number): boolean {
  return COMPARISONS[REVOCATION_COMPARISON](revokedAt, issuedAt);
}

/** Whether any record revokes what was issued at `issuedAt`. */
export function isRevoked(records: readonly RevocationRecord[], issuedAt: number): boolean {
  return records.some((record) => revokes(record.revokedAt, issuedAt));
}
