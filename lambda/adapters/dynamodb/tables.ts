/**
 * THE definition of the authorization server's tables. Local mode creates them from this
 * description (createTables below) and the CDK app declares them from it, so the two can
 * never drift. No CDK import here: the description is plain data.
 *
 * Every table has a string partition key `pk` and no sort key; items also carry their
 * fields by name (camelCase), so the key is only an address. Every expiring item has a
 * numeric `expiresAt` (epoch seconds), the TTL attribute. TTL is garbage collection only:
 * it deletes up to about two days late, so the core checks `expiresAt` on every read.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import {
  FAMILIES_BY_CLIENT_INDEX,
  FAMILIES_BY_SUBJECT_INDEX,
  PARTITION_KEY,
  SESSIONS_BY_CLIENT_ATTRIBUTE,
  SESSIONS_BY_CLIENT_INDEX,
  SESSIONS_BY_SUBJECT_INDEX,
  TABLE_KEYS,
  type TableKey,
  type TableNames,
} from './table-keys';

export { TABLE_KEYS, type TableKey, type TableNames };

export interface GlobalSecondaryIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /**
   * Only the table and index keys: listing a user's or a client's families (or sessions and
   * consents) needs the table keys, `pk`, and nothing else, and every attribute an index
   * projects makes more writes cost an index write. An operator who wants the details reads
   * the items by key.
   */
  readonly projection: 'KEYS_ONLY';
}

export interface TableDefinition {
  readonly partitionKey: string;
  readonly sortKey?: string;
  readonly ttlAttribute: 'expiresAt';
  readonly globalSecondaryIndexes: readonly GlobalSecondaryIndexDefinition[];
  readonly description: string;
}

/** Every key attribute, of tables and of indexes, is a string. */
export const KEY_ATTRIBUTE_TYPE = 'S';

export { FAMILIES_BY_CLIENT_INDEX, FAMILIES_BY_SUBJECT_INDEX, PARTITION_KEY, SESSIONS_BY_CLIENT_ATTRIBUTE, SESSIONS_BY_CLIENT_INDEX, SESSIONS_BY_SUBJECT_INDEX };

export const TABLE_DEFINITIONS: Readonly<Record<TableKey, TableDefinition>> = {
  clients: {
    partitionKey: PARTITION_KEY,
    ttlAttribute: 'expiresAt',
    globalSecondaryIndexes: [],
    description: 'Registered clients (dynamic registration, cached metadata documents); pk = clientId.',
  },
  codes: {
    partitionKey: PARTITION_KEY,
    ttlAttribute: 'expiresAt',
    globalSecondaryIndexes: [],
    description: 'Authorization codes by hash; pk = codeHash. Single use is a conditional write on redeemedAt.',
  },
  families: {
    partitionKey: PARTITION_KEY,
    ttlAttribute: 'expiresAt',
    globalSecondaryIndexes: [
      { indexName: FAMILIES_BY_SUBJECT_INDEX, partitionKey: 'subject', projection: 'KEYS_ONLY' },
      { indexName: FAMILIES_BY_CLIENT_INDEX, partitionKey: 'clientId', projection: 'KEYS_ONLY' },
    ],
    description: 'Refresh token families; pk = familyId. Indexed by subject and client so an operator can revoke a user or a client.',
  },
  revocations: {
    partitionKey: PARTITION_KEY,
    ttlAttribute: 'expiresAt',
    globalSecondaryIndexes: [],
    description: 'Revocations keyed by what is revoked; pk = `<kind>#<value>` (jti, family, subject, client, session).',
  },
  sessions: {
    partitionKey: PARTITION_KEY,
    ttlAttribute: 'expiresAt',
    // CloudFormation adds one GSI per stack update: a stack deployed before these two
    // existed must be updated twice (docs/deploy.md). DynamoDB Local gets them from createTables.
    globalSecondaryIndexes: [
      { indexName: SESSIONS_BY_SUBJECT_INDEX, partitionKey: 'subject', projection: 'KEYS_ONLY' },
      { indexName: SESSIONS_BY_CLIENT_INDEX, partitionKey: SESSIONS_BY_CLIENT_ATTRIBUTE, projection: 'KEYS_ONLY' },
    ],
    description:
      'Browser-side state: single-use markers of answered authorizations, login session listings, consents; pk is prefixed by kind. Indexed by subject and client so an operator can end a user\'s sessions and forget consents.',
  },
  assertions: {
    partitionKey: PARTITION_KEY,
    ttlAttribute: 'expiresAt',
    globalSecondaryIndexes: [],
    description: 'The jti of each accepted client assertion (private_key_jwt) and ID-JAG, until it expires; pk = hash of issuer and jti. Single use is a conditional put.',
  },
};

export function tableNamesForPrefix(prefix: string): TableNames {
  const names = {} as Record<TableKey, string>;
  for (const key of TABLE_KEYS) names[key] = `${prefix}-${key}`;
  return names;
}

export interface CreateTablesOptions {
  /**
   * Turn TTL on. DynamoDB Local deletes expired items within about a second (AWS takes up
   * to two days), so tests whose injected clock sits in the past turn it off; their items
   * would otherwise vanish mid-test.
   * @default true
   */
  readonly timeToLive?: boolean;
}

/**
 * Creates the tables that do not exist yet, adds the indexes an existing table lacks (a
 * local data directory from an older version), waits until each is ACTIVE and makes sure
 * TTL is on. Idempotent: existing tables (and their data) are kept, so local mode can call
 * it on every start.
 */
export async function createTables(client: DynamoDBClient, names: TableNames, options: CreateTablesOptions = {}): Promise<void> {
  const timeToLive = options.timeToLive ?? true;
  await Promise.all(TABLE_KEYS.map((key) => createTable(client, names[key], TABLE_DEFINITIONS[key], timeToLive)));
}

async function createTable(client: DynamoDBClient, tableName: string, definition: TableDefinition, timeToLive: boolean): Promise<void> {
  const keyAttributes = new Set<string>([definition.partitionKey]);
  if (definition.sortKey) keyAttributes.add(definition.sortKey);
  for (const index of definition.globalSecondaryIndexes) {
    keyAttributes.add(index.partitionKey);
    if (index.sortKey) keyAttributes.add(index.sortKey);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...keyAttributes].map((name) => ({ AttributeName: name, AttributeType: KEY_ATTRIBUTE_TYPE })),
        KeySchema: keySchema(definition.partitionKey, definition.sortKey),
        GlobalSecondaryIndexes: definition.globalSecondaryIndexes.length
          ? definition.globalSecondaryIndexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: keySchema(index.partitionKey, index.sortKey),
              Projection: { ProjectionType: index.projection },
            }))
          : undefined,
      }),
    );
  } catch (error) {
    // Already there (an earlier start, or a concurrent one): keep it and its data.
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  await waitUntilActive(client, tableName);
  await addMissingIndexes(client, tableName, definition);
  if (timeToLive) await enableTimeToLive(client, tableName, definition.ttlAttribute);
}

function keySchema(partitionKey: string, sortKey: string | undefined) {
  const schema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[] = [{ AttributeName: partitionKey, KeyType: 'HASH' }];
  if (sortKey) schema.push({ AttributeName: sortKey, KeyType: 'RANGE' });
  return schema;
}

async function waitUntilActive(client: DynamoDBClient, tableName: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 100;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() > deadline) throw new Error(`Table ${tableName} did not become ACTIVE within ${timeoutMs} ms (status ${Table?.TableStatus}).`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 2_000);
  }
}

/** DynamoDB creates one GSI per UpdateTable call, so they are added one after the other. */
async function addMissingIndexes(client: DynamoDBClient, tableName: string, definition: TableDefinition): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  const existing = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  for (const index of definition.globalSecondaryIndexes) {
    if (existing.has(index.indexName)) continue;
    const keyAttributes = [index.partitionKey, ...(index.sortKey ? [index.sortKey] : [])];
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: keyAttributes.map((name) => ({ AttributeName: name, AttributeType: KEY_ATTRIBUTE_TYPE })),
        GlobalSecondaryIndexUpdates: [
          { Create: { IndexName: index.indexName, KeySchema: keySchema(index.partitionKey, index.sortKey), Projection: { ProjectionType: index.projection } } },
        ],
      }),
    );
    await waitUntilActive(client, tableName);
  }
}

async function enableTimeToLive(client: DynamoDBClient, tableName: string, attributeName: string): Promise<void> {
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if ((status === 'ENABLED' || status === 'ENABLING') && TimeToLiveDescription?.AttributeName === attributeName) return;
  await client.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: attributeName, Enabled: true } }));
}
