/**
 * The authorizer's revocation reader (no AWS SDK: DynamoDbJsonClient) reads on DynamoDB
 * Local exactly what the store (the SDK) wrote: the same items, the same keys, the same
 * rules for duplicates, batches of 100 and unprocessed keys.
 */
import { DynamoDbJsonClient } from '../../lambda/adapters/aws-clients/dynamodb-json-client';
import { RevocationReader } from '../../lambda/adapters/dynamodb/revocation-reader';
import { DependencyUnavailableError } from '../../lambda/core/errors';
import type { RevocationKey, RevocationRecord } from '../../lambda/core/ports';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../local/dynamodb-local';
import { dynamoDbEndpoint, useDynamoDbTables } from '../support/dynamodb';

const tables = useDynamoDbTables('revocation-reader');
const calls = { connectionTimeoutMs: 500, requestTimeoutMs: 2000, maxAttempts: 2, retryDelayMs: 50 };
const reader = () => new RevocationReader(new DynamoDbJsonClient({ calls, region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS, endpoint: dynamoDbEndpoint() }), tables().names.revocations);
const byKind = (records: readonly RevocationRecord[]) => [...records].sort((a, b) => `${a.key.kind}${a.key.value}`.localeCompare(`${b.key.kind}${b.key.value}`));

function revocation(key: RevocationKey, revokedAt = 1_767_268_800, reason = 'operator'): RevocationRecord {
  return { key, revokedAt, expiresAt: revokedAt + 900, reason };
}

describe('RevocationReader', () => {
  it('finds what the store wrote, and nothing for keys never revoked', async () => {
    const jti = revocation({ kind: 'jti', value: 'reader-jti-1' });
    const subject = revocation({ kind: 'subject', value: 'reader#alice' }, 1_767_268_801, 'user offboarded');
    await tables().stores.revocations.revoke(jti);
    await tables().stores.revocations.revoke(subject);
    const session = revocation({ kind: 'session', value: 'reader-session-1' });
    await tables().stores.revocations.revoke(session);
    const keys: RevocationKey[] = [jti.key, { kind: 'family', value: 'reader-none' }, subject.key, { kind: 'client', value: 'reader#alice' }, session.key];

    const found = await reader().find(keys);
    expect(byKind(found)).toStrictEqual(byKind([jti, subject, session]));
    expect(byKind(found)).toStrictEqual(byKind(await tables().stores.revocations.find(keys)));
    expect(await reader().find([])).toEqual([]);
  });

  it('asks for a key named twice once, and reads more than 100 keys in batches', async () => {
    const revoked = revocation({ kind: 'client', value: 'reader-client-150' });
    await tables().stores.revocations.revoke(revoked);
    const many: RevocationKey[] = Array.from({ length: 150 }, (_, i) => ({ kind: 'jti', value: `reader-absent-${i}` }));
    expect(await reader().find([revoked.key, ...many, revoked.key])).toStrictEqual([revoked]);
  });

  it('asks again for keys DynamoDB left unprocessed, and fails closed when they stay so', async () => {
    const table = tables().names.revocations;
    const item = { pk: { S: 'jti#late' }, kind: { S: 'jti' }, value: { S: 'late' }, revokedAt: { N: '10' }, expiresAt: { N: '20' }, reason: { S: 'r' } };
    const unprocessed = { Responses: { [table]: [] }, UnprocessedKeys: { [table]: { Keys: [{ pk: { S: 'jti#late' } }], ConsistentRead: true } } };
    const answers = [unprocessed, { Responses: { [table]: [item] } }];
    const requests: unknown[] = [];
    const sleeps: number[] = [];
    const flaky = new RevocationReader({ call: async (_operation, input) => (requests.push(input), answers.shift() ?? unprocessed) }, table, { sleep: async (ms) => void sleeps.push(ms) });
    expect(await flaky.find([{ kind: 'jti', value: 'late' }])).toStrictEqual([{ key: { kind: 'jti', value: 'late' }, revokedAt: 10, expiresAt: 20, reason: 'r' }]);
    expect(requests).toHaveLength(2);
    expect(sleeps).toEqual([25]);

    const stuck = new RevocationReader({ call: async () => unprocessed }, table, { maxAttempts: 3, sleep: async () => undefined });
    await expect(stuck.find([{ kind: 'jti', value: 'late' }])).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('turns DynamoDB being unreachable into DependencyUnavailableError', async () => {
    const down = new RevocationReader(new DynamoDbJsonClient({ calls, region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS, endpoint: 'http://127.0.0.1:1' }), tables().names.revocations);
    await expect(down.find([{ kind: 'jti', value: 'x' }])).rejects.toBeInstanceOf(DependencyUnavailableError);
  });
});
