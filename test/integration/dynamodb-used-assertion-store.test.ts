import { ConditionFailedError } from '../../lambda/core/errors';
import { useDynamoDbTables } from '../support/dynamodb';

const tables = useDynamoDbTables('assertions');

describe('DynamoDbUsedAssertionStore', () => {
  it('records a key once; the second recording is ConditionFailedError', async () => {
    await tables().stores.usedAssertions.recordOnce('client#abc', 1_767_268_860);
    await expect(tables().stores.usedAssertions.recordOnce('client#abc', 1_767_268_900)).rejects.toBeInstanceOf(ConditionFailedError);
    await tables().stores.usedAssertions.recordOnce('client#other', 1_767_268_860);
  });

  it('of ten concurrent recordings of one key, exactly one wins', async () => {
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => tables().stores.usedAssertions.recordOnce('idp#race', 1_767_268_860)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').every((r) => (r as PromiseRejectedResult).reason instanceof ConditionFailedError)).toBe(true);
  });
});
