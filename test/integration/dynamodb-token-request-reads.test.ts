/**
 * POST /token's first round trip on DynamoDB Local: everything a request names in one
 * BatchGetItem across four tables, as consistent as each store's own read, the client cache
 * honoured, and keys DynamoDB leaves unprocessed asked again or answered 503, never "absent".
 */
import type { BatchGetItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { DynamoDbOperations } from '../../lambda/adapters/dynamodb/dynamodb-calls';
import { CachedClientStore } from '../../lambda/adapters/dynamodb/cached-client-store';
import { DynamoDbTokenRequestReads } from '../../lambda/adapters/dynamodb/dynamodb-token-request-reads';
import { DependencyUnavailableError } from '../../lambda/core/errors';
import type { AuthorizationCodeRecord, ClientRecord, RefreshFamilyRecord, RevocationRecord, TokenRequestNames } from '../../lambda/core/ports';
import { useDynamoDbTables } from '../support/dynamodb';
import { FixedClock } from '../support/in-memory-ports';

const tables = useDynamoDbTables('token-reads');

let counter = 0;
function records() {
  const n = ++counter;
  const client: ClientRecord = {
    clientId: `client-${n}`,
    tokenEndpointAuthMethod: 'none',
    redirectUris: ['http://127.0.0.1/cb'],
    grantTypes: ['authorization_code', 'refresh_token'],
    responseTypes: ['code'],
    source: 'dynamic',
    createdAt: 1_767_268_000,
  };
  const code: AuthorizationCodeRecord = {
    codeHash: `code-hash-${n}`,
    clientId: client.clientId,
    redirectUri: 'http://127.0.0.1/cb',
    redirectUriWasSent: true,
    codeChallenge: 'challenge',
    resources: ['http://localhost:8788/mcp'],
    scope: ['tool:read'],
    subject: 'alice',
    authTime: 1_767_268_000,
    issuedAt: 1_767_268_000,
    expiresAt: 1_767_268_060,
  };
  const family: RefreshFamilyRecord = {
    familyId: `family-${n}`,
    clientId: client.clientId,
    subject: 'alice',
    scope: ['tool:read'],
    resources: ['http://localhost:8788/mcp'],
    authTime: 1_767_268_000,
    currentTokenHash: 'current-hash',
    retiredTokenHashes: [],
    generation: 0,
    createdAt: 1_767_268_000,
    lastUsedAt: 1_767_268_000,
    expiresAt: 1_767_368_000,
  };
  const revocation: RevocationRecord = { key: { kind: 'client', value: client.clientId }, revokedAt: 1_767_268_100, expiresAt: 1_767_269_000, reason: 'operator' };
  return { client, code, family, revocation };
}

async function stored() {
  const written = records();
  await tables().stores.clients.create(written.client);
  await tables().stores.codes.put(written.code);
  await tables().stores.families.create(written.family);
  await tables().stores.revocations.revoke(written.revocation);
  return written;
}

/** Records the BatchGetItem calls (their input) and lets `answer` replace DynamoDB's answer. */
type BatchGetOutput = DynamoDbOperations['BatchGetItem']['output'];

function spyOnBatchGets(answer?: (input: BatchGetItemCommandInput, original: (input: BatchGetItemCommandInput) => Promise<BatchGetOutput>) => Promise<BatchGetOutput>) {
  const calls: BatchGetItemCommandInput[] = [];
  const client = tables().calls;
  const original = client.call.bind(client) as (operation: string, input: unknown) => Promise<any>;
  const spy = jest.spyOn(client, 'call').mockImplementation(async (operation: any, input: any) => {
    if (operation !== 'BatchGetItem') return original(operation, input);
    calls.push(structuredClone(input));
    return answer ? answer(input, (asked) => original('BatchGetItem', asked)) : original(operation, input);
  });
  return { calls, restore: () => spy.mockRestore() };
}

function allNames(written: ReturnType<typeof records>): TokenRequestNames {
  return {
    clientId: written.client.clientId,
    codeHash: written.code.codeHash,
    familyId: written.family.familyId,
    revocationKeys: [written.revocation.key, { kind: 'family', value: written.family.familyId }],
  };
}

describe('DynamoDbTokenRequestReads', () => {
  it('reads the client, the code, the family and the revocation rows in ONE BatchGetItem', async () => {
    const written = await stored();
    const reads = new DynamoDbTokenRequestReads(tables().calls, tables().names);
    const spy = spyOnBatchGets();
    try {
      const found = await reads.read(allNames(written));
      expect(found).toStrictEqual({ client: written.client, code: written.code, family: written.family, revocations: [written.revocation] });
      expect(spy.calls).toHaveLength(1);
      const asked = spy.calls[0].RequestItems!;
      const names = tables().names;
      // Each table as its own store reads it: the client eventually consistent, the rest strongly.
      expect({
        clients: asked[names.clients].ConsistentRead,
        codes: asked[names.codes].ConsistentRead,
        families: asked[names.families].ConsistentRead,
        revocations: asked[names.revocations].ConsistentRead,
      }).toEqual({ clients: undefined, codes: true, families: true, revocations: true });
    } finally {
      spy.restore();
    }
  });

  it('answers absent for names with no record, and asks nothing when nothing is named', async () => {
    const reads = new DynamoDbTokenRequestReads(tables().calls, tables().names);
    const spy = spyOnBatchGets();
    try {
      expect(await reads.read({ clientId: 'nobody', codeHash: 'no-code', familyId: 'no-family', revocationKeys: [{ kind: 'client', value: 'nobody' }] })).toStrictEqual({
        client: undefined,
        code: undefined,
        family: undefined,
        revocations: [],
      });
      expect(await reads.read({ revocationKeys: [] })).toStrictEqual({ client: undefined, revocations: [] });
      expect(spy.calls).toHaveLength(1);
    } finally {
      spy.restore();
    }
  });

  it('does not ask for a client the cache holds, and remembers one it read', async () => {
    const written = await stored();
    const clock = new FixedClock();
    const cache = new CachedClientStore(tables().stores.clients, clock, 60);
    const reads = new DynamoDbTokenRequestReads(tables().calls, tables().names, cache);
    const spy = spyOnBatchGets();
    try {
      expect((await reads.read({ clientId: written.client.clientId, codeHash: written.code.codeHash, revocationKeys: [] })).client).toStrictEqual(written.client);
      expect(Object.keys(spy.calls[0].RequestItems!)).toContain(tables().names.clients);
      expect(cache.cached(written.client.clientId)).toStrictEqual(written.client);

      const again = await reads.read({ clientId: written.client.clientId, codeHash: written.code.codeHash, revocationKeys: [] });
      expect(again.client).toStrictEqual(written.client);
      expect(again.code).toStrictEqual(written.code);
      expect(Object.keys(spy.calls[1].RequestItems!)).toEqual([tables().names.codes]);

      // Only the client was named, and the cache had it: no call at all.
      expect((await reads.read({ clientId: written.client.clientId, revocationKeys: [] })).client).toStrictEqual(written.client);
      expect(spy.calls).toHaveLength(2);
    } finally {
      spy.restore();
    }
  });

  it('asks again, as consistently, for keys DynamoDB left unprocessed', async () => {
    const written = await stored();
    const waits: number[] = [];
    const reads = new DynamoDbTokenRequestReads(tables().calls, tables().names, undefined, { sleep: async (ms) => void waits.push(ms) });
    const codes = tables().names.codes;
    let throttledOnce = false;
    const spy = spyOnBatchGets(async (input, original) => {
      if (throttledOnce) return original(input);
      throttledOnce = true;
      // Throttled on the codes table: the others read, the code handed back without ConsistentRead.
      const { [codes]: code, ...others } = input.RequestItems!;
      const output = await original({ RequestItems: others });
      return { ...output, UnprocessedKeys: { [codes]: { Keys: code.Keys } } };
    });
    try {
      expect(await reads.read(allNames(written))).toStrictEqual({ client: written.client, code: written.code, family: written.family, revocations: [written.revocation] });
      expect(spy.calls).toHaveLength(2);
      expect(spy.calls[1].RequestItems).toEqual({ [codes]: { Keys: [{ pk: { S: written.code.codeHash } }], ConsistentRead: true } });
      expect(waits).toEqual([25]);
    } finally {
      spy.restore();
    }
  });

  it('fails closed with DependencyUnavailableError when keys stay unprocessed, never "absent"', async () => {
    const written = await stored();
    const waits: number[] = [];
    const reads = new DynamoDbTokenRequestReads(tables().calls, tables().names, undefined, { maxAttempts: 3, sleep: async (ms) => void waits.push(ms) });
    const spy = spyOnBatchGets(async (input) => ({ Responses: {}, UnprocessedKeys: input.RequestItems }));
    try {
      await expect(reads.read(allNames(written))).rejects.toThrow(DependencyUnavailableError);
      expect(spy.calls).toHaveLength(3);
      expect(waits).toEqual([25, 50]);
    } finally {
      spy.restore();
    }
  });
});
