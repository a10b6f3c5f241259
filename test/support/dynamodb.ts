/**
 * A fresh set of tables on the DynamoDB Local that the Jest global setup started
 * (process.env.DYNAMODB_ENDPOINT), under a prefix no other suite uses, deleted afterwards.
 *
 *   const tables = useDynamoDbTables('codes');      // registers beforeAll/afterAll
 *   it('...', async () => { await tables().stores.codes.put(...) });
 *
 * or, outside a describe block's hooks: `const t = await createTestTables('x'); ... await t.dispose();`
 *
 * TTL is OFF by default here. DynamoDB Local really runs TTL and deletes an expired item
 * within about a second, and test clocks (FixedClock) sit in early 2026, so every item they
 * write is already "expired" in real time and would vanish mid-test. Pass
 * `{ timeToLive: true }` to test with TTL as deployed (then write expiresAt in real future time).
 */
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDbJsonClient } from '../../lambda/adapters/aws-clients/dynamodb-json-client';
import type { AwsCallsConfig } from '../../lambda/core/config';
import { localDynamoDbCalls, localDynamoDbClient } from '../../local/dynamodb-local';
import { createDynamoDbStores, type DynamoDbStores } from '../../lambda/adapters/dynamodb/dynamodb-stores';
import { TABLE_KEYS, createTables, tableNamesForPrefix, type TableNames } from '../../lambda/adapters/dynamodb/tables';

export interface TestTables {
  readonly endpoint: string;
  /** The SDK's client, for a test that reads or writes items behind the stores' back. */
  readonly client: DynamoDBClient;
  /** The stores' calls, as the functions make them (DynamoDB's JSON protocol). */
  readonly calls: DynamoDbJsonClient;
  readonly prefix: string;
  readonly names: TableNames;
  readonly stores: DynamoDbStores;
  /** Deletes the tables and closes the client. */
  dispose(): Promise<void>;
}

/** Generous: the suites share two CPUs with DynamoDB Local's JVM, and what they test is not the time a call takes. */
export const TEST_AWS_CALLS: AwsCallsConfig = { connectionTimeoutMs: 5_000, requestTimeoutMs: 10_000, maxAttempts: 2, retryDelayMs: 100 };

export function dynamoDbEndpoint(): string {
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run the tests through Jest, whose global setup starts DynamoDB Local.');
  return endpoint;
}

export function uniqueTablePrefix(label = 'test'): string {
  const safeLabel = label.replace(/[^a-zA-Z0-9_.-]/g, '-').slice(0, 40) || 'test';
  return `${safeLabel}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export interface TestTablesOptions {
  /** @default false (see above) */
  readonly timeToLive?: boolean;
}

export async function createTestTables(label = 'test', options: TestTablesOptions = {}): Promise<TestTables> {
  const endpoint = dynamoDbEndpoint();
  const client = localDynamoDbClient(endpoint);
  const calls = localDynamoDbCalls(endpoint, TEST_AWS_CALLS);
  const prefix = uniqueTablePrefix(label);
  const names = tableNamesForPrefix(prefix);
  await createTables(client, names, { timeToLive: options.timeToLive ?? false });
  return {
    endpoint,
    client,
    calls,
    prefix,
    names,
    stores: createDynamoDbStores(calls, names),
    dispose: async () => {
      try {
        await deleteTables(client, names);
      } finally {
        client.destroy();
        calls.destroy();
      }
    },
  };
}

export async function deleteTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    TABLE_KEYS.map(async (key) => {
      try {
        await client.send(new DeleteTableCommand({ TableName: names[key] }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
    }),
  );
}

/** Creates the tables in beforeAll and deletes them in afterAll; call the result inside tests. */
export function useDynamoDbTables(label = 'test', options: TestTablesOptions = {}): () => TestTables {
  let tables: TestTables | undefined;
  beforeAll(async () => {
    tables = await createTestTables(label, options);
  });
  afterAll(async () => {
    await tables?.dispose();
  });
  return () => {
    if (!tables) throw new Error('The DynamoDB test tables exist only inside tests (after beforeAll).');
    return tables;
  };
}
