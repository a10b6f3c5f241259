import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDbCalls } from '../../lambda/adapters/dynamodb/dynamodb-calls';
import { DynamoDbRevocationStore } from '../../lambda/adapters/dynamodb/dynamodb-revocation-store';
import { DependencyUnavailableError } from '../../lambda/core/errors';
import type { RevocationKey, RevocationRecord } from '../../lambda/core/ports';
import { useDynamoDbTables } from '../support/dynamodb';

const tables = useDynamoDbTables('revocations');

function revocation(key: RevocationKey, revokedAt = 1_767_268_800, reason = 'operator'): RevocationRecord {
  return { key, revokedAt, expiresAt: revokedAt + 900, reason };
}

/** Counts the BatchGetItem calls that really reach DynamoDB Local, letting every call through. */
function countBatchGets(client: DynamoDbCalls) {
  const calls: unknown[] = [];
  const original = client.call.bind(client);
  const spy = jest.spyOn(client, 'call').mockImplementation((operation: any, input: any) => {
    if (operation === 'BatchGetItem') calls.push(input);
    return original(operation, input);
  });
  return { calls, restore: () => spy.mockRestore() };
}

describe('DynamoDbRevocationStore', () => {
  it('finds the 2 revoked keys among 4 in ONE BatchGetItem', async () => {
    const jti = revocation({ kind: 'jti', value: 'jti-4k-1' });
    const subject = revocation({ kind: 'subject', value: 'alice-4k' }, 1_767_268_801, 'user offboarded');
    await tables().stores.revocations.revoke(jti);
    await tables().stores.revocations.revoke(subject);

    const counter = countBatchGets(tables().calls);
    try {
      const found = await tables().stores.revocations.find([
        { kind: 'jti', value: 'jti-4k-1' },
        { kind: 'family', value: 'family-4k-none' },
        { kind: 'subject', value: 'alice-4k' },
        { kind: 'client', value: 'client-4k-none' },
      ]);
      expect(counter.calls).toHaveLength(1);
      expect([...found].sort((a, b) => a.key.kind.localeCompare(b.key.kind))).toStrictEqual([jti, subject]);
    } finally {
      counter.restore();
    }
  });

  it('returns nothing for keys never revoked, and nothing for an empty list without calling DynamoDB', async () => {
    expect(await tables().stores.revocations.find([{ kind: 'jti', value: 'never' }])).toEqual([]);
    const counter = countBatchGets(tables().calls);
    try {
      expect(await tables().stores.revocations.find([])).toEqual([]);
      expect(counter.calls).toHaveLength(0);
    } finally {
      counter.restore();
    }
  });

  it('asks for a key named twice once (BatchGetItem rejects duplicates)', async () => {
    await tables().stores.revocations.revoke(revocation({ kind: 'client', value: 'dup-client' }));
    const found = await tables().stores.revocations.find([
      { kind: 'client', value: 'dup-client' },
      { kind: 'client', value: 'dup-client' },
    ]);
    expect(found).toHaveLength(1);
  });

  it('keeps kinds apart: the same value revoked as a jti is not a revoked subject', async () => {
    await tables().stores.revocations.revoke(revocation({ kind: 'jti', value: 'shared-value' }));
    expect(await tables().stores.revocations.find([{ kind: 'subject', value: 'shared-value' }])).toEqual([]);
  });

  it('keeps values containing # apart', async () => {
    await tables().stores.revocations.revoke(revocation({ kind: 'subject', value: 'a#b' }));
    expect(await tables().stores.revocations.find([{ kind: 'subject', value: 'a' }])).toEqual([]);
    expect(await tables().stores.revocations.find([{ kind: 'subject', value: 'a#b' }])).toHaveLength(1);
  });

  it('lets a later revokedAt overwrite an earlier one, never the reverse', async () => {
    const key: RevocationKey = { kind: 'subject', value: 'bob-later' };
    await tables().stores.revocations.revoke(revocation(key, 200, 'second'));
    await tables().stores.revocations.revoke(revocation(key, 100, 'first, arriving late'));
    expect(await tables().stores.revocations.find([key])).toStrictEqual([revocation(key, 200, 'second')]);
    await tables().stores.revocations.revoke(revocation(key, 300, 'third'));
    expect(await tables().stores.revocations.find([key])).toStrictEqual([revocation(key, 300, 'third')]);
  });

  it('stores a numeric expiresAt for TTL', async () => {
    await tables().stores.revocations.revoke(revocation({ kind: 'family', value: 'ttl-family' }, 1_000));
    const { Item } = await tables().client.send(new GetItemCommand({ TableName: tables().names.revocations, Key: { pk: { S: 'family#ttl-family' } } }));
    expect(Item?.expiresAt).toEqual({ N: '1900' });
  });

  it('retries keys that DynamoDB left unprocessed, with backoff', async () => {
    const store = new DynamoDbRevocationStore(tables().calls, tables().names.revocations, { sleep: async (ms) => void waits.push(ms) });
    const waits: number[] = [];
    await store.revoke(revocation({ kind: 'jti', value: 'unprocessed-1' }));
    const original = tables().calls.call.bind(tables().calls);
    let throttledOnce = false;
    const spy = jest.spyOn(tables().calls, 'call').mockImplementation(async (operation: any, input: any) => {
      if (operation === 'BatchGetItem' && !throttledOnce) {
        throttledOnce = true;
        // What DynamoDB answers under throttling: nothing read, every key handed back.
        return { Responses: { [tables().names.revocations]: [] }, UnprocessedKeys: input.RequestItems };
      }
      return original(operation, input);
    });
    try {
      const found = await store.find([{ kind: 'jti', value: 'unprocessed-1' }, { kind: 'jti', value: 'unprocessed-2' }]);
      expect(found.map((record) => record.key.value)).toEqual(['unprocessed-1']);
      expect(waits).toEqual([25]);
    } finally {
      spy.mockRestore();
    }
  });

  it('fails closed with DependencyUnavailableError when keys stay unprocessed', async () => {
    const waits: number[] = [];
    const store = new DynamoDbRevocationStore(tables().calls, tables().names.revocations, { maxAttempts: 3, sleep: async (ms) => void waits.push(ms) });
    const spy = jest.spyOn(tables().calls, 'call').mockImplementation(async (_operation: any, input: any) => ({ Responses: {}, UnprocessedKeys: input.RequestItems }));
    try {
      await expect(store.find([{ kind: 'jti', value: 'x' }])).rejects.toThrow(DependencyUnavailableError);
      expect(spy).toHaveBeenCalledTimes(3);
      expect(waits).toEqual([25, 50]);
    } finally {
      spy.mockRestore();
    }
  });
});
