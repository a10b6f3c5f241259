/**
 * The revocation rule (lambda/core/tokens/revocation-check.ts) as a DynamoDB condition, for the
 * ConditionCheck items that keep a token-issuing write clear of revocations. It is the negation
 * of the core's comparison, looked up from REVOCATION_COMPARISON rather than restated, so the
 * two cannot drift apart; test/integration/revocation-condition.test.ts evaluates both on the
 * same times and requires they agree.
 */
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { RevocationClearance } from '../../core/ports';
import { REVOCATION_COMPARISON } from '../../core/tokens/revocation-check';
import { numberValue } from './attribute-values';
import { revocationPartitionKey } from './dynamodb-revocation-store';
import { keyOf } from './table-operations';
import { PARTITION_KEY } from './table-keys';

/** What a row must satisfy NOT to revoke what was issued at :issuedAt, per comparison the core may use. */
const NOT_REVOKED: Readonly<Record<typeof REVOCATION_COMPARISON, string>> = {
  '>=': 'revokedAt < :issuedAt',
};

/** No row for the key, or one written before :issuedAt. */
export const NOT_REVOKED_CONDITION = `attribute_not_exists(#pk) OR ${NOT_REVOKED[REVOCATION_COMPARISON]}`;

/** One ConditionCheck per key of `clearance` on the revocations table. */
export function revocationClearanceChecks(tableName: string, clearance: RevocationClearance): NonNullable<TransactWriteItem['ConditionCheck']>[] {
  return [...new Set(clearance.keys.map(revocationPartitionKey))].map((pk) => ({
    TableName: tableName,
    Key: keyOf(pk),
    ConditionExpression: NOT_REVOKED_CONDITION,
    ExpressionAttributeNames: { '#pk': PARTITION_KEY },
    ExpressionAttributeValues: { ':issuedAt': numberValue(clearance.issuedAt) },
  }));
}
