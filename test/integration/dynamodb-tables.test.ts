import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLE_DEFINITIONS, TABLE_KEYS, createTables, tableNamesForPrefix } from '../../lambda/adapters/dynamodb/tables';
import { localDynamoDbClient, startDynamoDbLocal } from '../../local/dynamodb-local';
import { createTestTables, deleteTables, uniqueTablePrefix, type TestTables } from '../support/dynamodb';

describe('table definitions', () => {
  it('give every table a string partition key and the expiresAt TTL attribute', () => {
    for (const key of TABLE_KEYS) {
      expect(TABLE_DEFINITIONS[key].partitionKey).toBe('pk');
      expect(TABLE_DEFINITIONS[key].ttlAttribute).toBe('expiresAt');
    }
  });

  it('index families by subject and by client for operators', () => {
    expect(TABLE_DEFINITIONS.families.globalSecondaryIndexes.map((index) => [index.indexName, index.partitionKey])).toEqual([
      ['bySubject', 'subject'],
      ['byClient', 'clientId'],
    ]);
  });

  it('index login sessions and consents by subject, consents alone by client, for operators', () => {
    expect(TABLE_DEFINITIONS.sessions.globalSecondaryIndexes.map((index) => [index.indexName, index.partitionKey])).toEqual([
      ['bySubject', 'subject'],
      ['byClient', 'consentClientId'],
    ]);
  });

  it('derive physical names from a prefix', () => {
    expect(tableNamesForPrefix('mcp')).toEqual({
      clients: 'mcp-clients',
      codes: 'mcp-codes',
      families: 'mcp-families',
      revocations: 'mcp-revocations',
      sessions: 'mcp-sessions',
      assertions: 'mcp-assertions',
    });
  });
});

describe('createTables on DynamoDB Local', () => {
  let tables: TestTables;
  beforeAll(async () => {
    tables = await createTestTables('tables', { timeToLive: true });
  });
  afterAll(async () => {
    await tables.dispose();
  });

  it('creates every table ACTIVE, with TTL on expiresAt and the GSIs of the definition', async () => {
    for (const key of TABLE_KEYS) {
      const { Table } = await tables.client.send(new DescribeTableCommand({ TableName: tables.names[key] }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }]);
      expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort()).toEqual(
        TABLE_DEFINITIONS[key].globalSecondaryIndexes.map((index) => index.indexName).sort(),
      );
      const { TimeToLiveDescription } = await tables.client.send(new DescribeTimeToLiveCommand({ TableName: tables.names[key] }));
      expect(TimeToLiveDescription?.AttributeName).toBe('expiresAt');
      expect(TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
    }
  });

  it('projects only the keys into the families and sessions indexes, which is all the listings read', async () => {
    for (const tableName of [tables.names.families, tables.names.sessions]) {
      const { Table } = await tables.client.send(new DescribeTableCommand({ TableName: tableName }));
      expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.Projection?.ProjectionType]).sort()).toEqual([
        ['byClient', 'KEYS_ONLY'],
        ['bySubject', 'KEYS_ONLY'],
      ]);
    }
  });

  // On an engine of its own: on the suite's shared DynamoDB Local, which by then holds the
  // tables of a hundred suites, a new index of an existing table was seen to stay CREATING
  // for minutes, while on a fresh engine (as for a developer's local data folder) it takes
  // about two seconds.
  it('adds the indexes a table of an older version lacks, keeping its data', async () => {
    const engine = await startDynamoDbLocal({ port: 0 });
    const client = localDynamoDbClient(engine.endpoint);
    const names = tableNamesForPrefix(uniqueTablePrefix('older'));
    try {
      await client.send(
        new CreateTableCommand({
          TableName: names.sessions,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        }),
      );
      await client.send(new PutItemCommand({ TableName: names.sessions, Item: { pk: { S: 'login#kept' }, subject: { S: 'kept-sub' } } }));
      await createTables(client, names);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: names.sessions }));
      expect((Table?.GlobalSecondaryIndexes ?? []).map((index) => [index.IndexName, index.IndexStatus]).sort()).toEqual([
        ['byClient', 'ACTIVE'],
        ['bySubject', 'ACTIVE'],
      ]);
      const { Items } = await client.send(
        new QueryCommand({ TableName: names.sessions, IndexName: 'bySubject', KeyConditionExpression: 'subject = :s', ExpressionAttributeValues: { ':s': { S: 'kept-sub' } } }),
      );
      expect(Items?.map((item) => item.pk)).toEqual([{ S: 'login#kept' }]);
    } finally {
      client.destroy();
      await engine.stop();
    }
  });

  it('is idempotent and keeps the data of existing tables', async () => {
    await tables.client.send(new PutItemCommand({ TableName: tables.names.clients, Item: { pk: { S: 'kept' }, marker: { S: 'before' } } }));
    await createTables(tables.client, tables.names);
    const { Item } = await tables.client.send(new GetItemCommand({ TableName: tables.names.clients, Key: { pk: { S: 'kept' } } }));
    expect(Item?.marker).toEqual({ S: 'before' });
  });

  it('creates the tables that are missing next to ones that exist', async () => {
    await deleteTables(tables.client, { ...tables.names, clients: 'none-such-table-x' });
    await createTables(tables.client, tables.names);
    const { Table } = await tables.client.send(new DescribeTableCommand({ TableName: tables.names.codes }));
    expect(Table?.TableStatus).toBe('ACTIVE');
    expect(Table?.ItemCount ?? 0).toBe(0);
    const { Item } = await tables.client.send(new GetItemCommand({ TableName: tables.names.clients, Key: { pk: { S: 'kept' } } }));
    expect(Item?.marker).toEqual({ S: 'before' });
  });
});

describe('test tables', () => {
  it('leave TTL off by default, because DynamoDB Local deletes expired items at once and test clocks sit in the past', async () => {
    const tables = await createTestTables('tables-no-ttl');
    try {
      const { TimeToLiveDescription } = await tables.client.send(new DescribeTimeToLiveCommand({ TableName: tables.names.codes }));
      expect(TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
    } finally {
      await tables.dispose();
    }
  });
});
