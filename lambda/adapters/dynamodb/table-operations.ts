/**
 * The single-item calls every store makes, each translating what the SDK throws into the
 * core's errors (store-errors.ts). Conditions that are a store's own race stay in that
 * store, next to the comment that explains the race; only the calls shared by all live here.
 */
import type { KeysAndAttributes } from '@aws-sdk/client-dynamodb';
import { ItemReader, stringValue, type Item } from './attribute-values';
import type { DynamoDbCalls } from './dynamodb-calls';
import { translateDynamoDbError, unavailable } from './store-errors';
import { PARTITION_KEY } from './table-keys';

/** The primary key of the item whose partition key is `pk` (every table has a partition key only). */
export function keyOf(pk: string): Item {
  return { [PARTITION_KEY]: stringValue(pk) };
}

/**
 * Runs one DynamoDB call and throws the core's error if it fails. `conditionFailed` names what
 * lost the race when the call carries a condition; see translateDynamoDbError.
 */
async function withTranslatedErrors<T>(call: () => Promise<T>, conditionFailed?: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateDynamoDbError(error, conditionFailed);
  }
}

/**
 * Writes `item` only if no item has its partition key yet. A put over an existing item
 * would replace it whole, so the caller's record must never silently overwrite another;
 * the loser gets ConditionFailedError(`alreadyExists`).
 */
export function putIfAbsent(client: DynamoDbCalls, tableName: string, item: Item, alreadyExists: string): Promise<void> {
  return withTranslatedErrors(async () => {
    await client.call('PutItem', {
      TableName: tableName,
      Item: item,
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY },
    });
  }, alreadyExists);
}

/** Writes `item`, replacing whatever had its partition key. */
export function putItem(client: DynamoDbCalls, tableName: string, item: Item): Promise<void> {
  return withTranslatedErrors(async () => {
    await client.call('PutItem', { TableName: tableName, Item: item });
  });
}

/**
 * Reads the item whose partition key is `pk`. `consistent` asks for a strongly consistent
 * read (twice the read cost), for a caller that must see a write made a moment ago.
 */
export function getByKey(client: DynamoDbCalls, tableName: string, pk: string, read: 'consistent' | 'eventual'): Promise<Item | undefined> {
  return withTranslatedErrors(async () => {
    const { Item } = await client.call('GetItem', { TableName: tableName, Key: keyOf(pk), ...(read === 'consistent' && { ConsistentRead: true }) });
    return Item;
  });
}

/** Deletes the item whose partition key is `pk`; deleting an absent item is no error. */
export function deleteByKey(client: DynamoDbCalls, tableName: string, pk: string): Promise<void> {
  return withTranslatedErrors(async () => {
    await client.call('DeleteItem', { TableName: tableName, Key: keyOf(pk) });
  });
}

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_LIMIT = 100;

export interface BatchGetOptions {
  /** Attempts of one BatchGetItem while DynamoDB leaves keys unprocessed (throttling). @default 4 */
  readonly maxAttempts?: number;
  /** Waits between those attempts; replaceable so tests need not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The keys one table is asked for in a BatchGetItem, and how consistently. */
export interface TableKeys {
  readonly tableName: string;
  readonly pks: readonly string[];
  readonly read: 'consistent' | 'eventual';
}

/**
 * Reads the items of many partition keys, strongly consistent, 100 per BatchGetItem;
 * absent keys are simply missing from the result. See batchGetAcrossTables.
 */
export async function batchGetByKeys(client: DynamoDbCalls, tableName: string, pks: readonly string[], options: BatchGetOptions = {}): Promise<Item[]> {
  return (await batchGetAcrossTables(client, [{ tableName, pks, read: 'consistent' }], options)).get(tableName) ?? [];
}

/**
 * Reads the items of keys in several tables, one BatchGetItem per 100 keys whatever table
 * they are in, so that reads of different tables share a round trip. Absent keys are simply
 * missing from the result, which maps each table asked to its items. Keys DynamoDB leaves
 * unprocessed are asked again a bounded number of times, then it throws
 * DependencyUnavailableError: answering "absent" for keys that were never read would fail open.
 */
export async function batchGetAcrossTables(client: DynamoDbCalls, tables: readonly TableKeys[], options: BatchGetOptions = {}): Promise<Map<string, Item[]>> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const consistent = new Map(tables.map((table) => [table.tableName, table.read === 'consistent']));
  // BatchGetItem rejects duplicate keys, so ask for each once.
  const keys = tables.flatMap((table) => [...new Set(table.pks)].map((pk) => ({ tableName: table.tableName, pk })));
  const items = new Map<string, Item[]>(tables.map((table) => [table.tableName, []]));
  for (let start = 0; start < keys.length; start += BATCH_LIMIT) {
    let pending: Record<string, KeysAndAttributes> | undefined = requestItems(keys.slice(start, start + BATCH_LIMIT), consistent);
    for (let attempt = 1; pending; attempt++) {
      if (attempt > maxAttempts) throw unavailable(new Error(`BatchGetItem left keys unprocessed after ${maxAttempts} attempts`));
      if (attempt > 1) await sleep(25 * 2 ** (attempt - 2));
      const response = await withTranslatedErrors(() => client.call('BatchGetItem', { RequestItems: pending }));
      for (const [tableName, found] of Object.entries(response.Responses ?? {})) items.get(tableName)?.push(...found);
      const unprocessed = Object.entries(response.UnprocessedKeys ?? {}).filter(([, request]) => request.Keys?.length);
      // Asked again as consistently as the first time, whatever the answer echoes.
      pending = unprocessed.length ? Object.fromEntries(unprocessed.map(([tableName, request]) => [tableName, keysAndAttributes(request.Keys!, consistent.get(tableName))])) : undefined;
    }
  }
  return items;
}

function requestItems(keys: readonly { readonly tableName: string; readonly pk: string }[], consistent: ReadonlyMap<string, boolean>): Record<string, KeysAndAttributes> {
  const byTable = new Map<string, Item[]>();
  for (const { tableName, pk } of keys) {
    const tableKeys = byTable.get(tableName) ?? [];
    tableKeys.push(keyOf(pk));
    byTable.set(tableName, tableKeys);
  }
  return Object.fromEntries([...byTable].map(([tableName, tableKeys]) => [tableName, keysAndAttributes(tableKeys, consistent.get(tableName))]));
}

function keysAndAttributes(keys: Item[], consistent: boolean | undefined): KeysAndAttributes {
  return { Keys: keys, ...(consistent && { ConsistentRead: true }) };
}

/**
 * The table keys (`pk`) of every item whose `attribute` equals `value`, through the
 * KEYS_ONLY index on that attribute, all pages; `pkPrefix` keeps only one kind of item of
 * a table that holds several. Indexes are eventually consistent: see the callers.
 */
export async function queryIndexKeys(
  client: DynamoDbCalls,
  tableName: string,
  index: { readonly indexName: string; readonly attribute: string; readonly value: string; readonly pkPrefix?: string },
): Promise<string[]> {
  const pks: string[] = [];
  let exclusiveStartKey: Item | undefined;
  do {
    const page = await withTranslatedErrors(() =>
      client.call('Query', {
        TableName: tableName,
        IndexName: index.indexName,
        KeyConditionExpression: '#attribute = :value',
        ...(index.pkPrefix !== undefined && { FilterExpression: 'begins_with(#pk, :prefix)' }),
        ExpressionAttributeNames: { '#attribute': index.attribute, '#pk': PARTITION_KEY },
        ExpressionAttributeValues: { ':value': stringValue(index.value), ...(index.pkPrefix !== undefined && { ':prefix': stringValue(index.pkPrefix) }) },
        ProjectionExpression: '#pk',
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    for (const item of page.Items ?? []) pks.push(new ItemReader(item, 'index entry').string(PARTITION_KEY));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return pks.sort();
}
