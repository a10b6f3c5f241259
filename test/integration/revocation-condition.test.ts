/**
 * The revocation rule exists twice: lambda/core/tokens/revocation-check.ts (revokes, isRevoked)
 * and the DynamoDB condition the grant writer puts in its transactions
 * (adapters/dynamodb/revocation-condition.ts). Both are derived from REVOCATION_COMPARISON;
 * here DynamoDB Local evaluates the condition on generated times, around the boundary and far
 * from it, and the core's answer must be the same for every one.
 */
import { TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { revocationClearanceChecks } from '../../lambda/adapters/dynamodb/revocation-condition';
import { revokes } from '../../lambda/core/tokens/revocation-check';
import { useDynamoDbTables } from '../support/dynamodb';

const tables = useDynamoDbTables('revocation-condition');

/** Whether DynamoDB lets a ConditionCheck of the subject's row at `issuedAt` through. */
async function dynamoDbClears(subject: string, issuedAt: number): Promise<boolean> {
  const [check] = revocationClearanceChecks(tables().names.revocations, { keys: [{ kind: 'subject', value: subject }], issuedAt });
  try {
    await tables().client.send(new TransactWriteItemsCommand({ TransactItems: [{ ConditionCheck: check }] }));
    return true;
  } catch (error) {
    if ((error as Error).name === 'TransactionCanceledException') return false;
    throw error;
  }
}

let subjects = 0;

describe('the revocation condition in DynamoDB agrees with the core rule', () => {
  it('for any revokedAt and issuedAt, a row clears the write exactly when the core says it does not revoke', async () => {
    const time = fc.integer({ min: 1_700_000_000, max: 1_800_000_000 });
    const near = fc.tuple(time, fc.integer({ min: -2, max: 2 })).map(([t, d]) => [t, t + d] as const);
    await fc.assert(
      fc.asyncProperty(fc.oneof(near, fc.tuple(time, time)), async ([revokedAt, issuedAt]) => {
        const subject = `subject-${++subjects}`;
        await tables().stores.revocations.revoke({ key: { kind: 'subject', value: subject }, revokedAt, expiresAt: revokedAt + 86_400, reason: 'property' });
        expect(await dynamoDbClears(subject, issuedAt)).toBe(!revokes(revokedAt, issuedAt));
      }),
      { numRuns: 40 },
    );
  });

  it('clears a key that has no row at all', async () => {
    expect(await dynamoDbClears('never-revoked', 1_767_268_800)).toBe(true);
  });
});
