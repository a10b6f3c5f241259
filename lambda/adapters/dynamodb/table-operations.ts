/**
 * The single-item calls every store makes, each translating what the SDK throws into the
 * core's errors (store-errors.ts). Conditions that are a store's own race stay in that
 * store, next to the comment that explains the race; only the calls shared by all live here.
 */
import {
  BatchGetItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import { ItemReader, stringValue, type Item } from './attribute-values';
import { translateDynamoDbError, unavailable } from './store-errors';
import { PARTITION_KEY } from './tables';

/** The primary key of the item whose partition key is `pk` (every table has a partition key only). */
export function keyOf(pk: string): Item {
  return { [PARTITION_KEY]: stringValue(pk) };
}

/**
 * Runs one SDK call and throws the core's error if it fails. `conditionFailed` names what
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
export function putIfAbsent(client: DynamoDBClient, tableName: string, item: Item, alreadyExists: string): Promise<void> {
  return withTranslatedErrors(async () => {
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PARTITION_KEY },
      }),
    );
  }, alreadyExists);
}

/** Writes `item`, replacing whatever had its partition key. */
export function putItem(client: DynamoDBClient, tableName: string, item: Item): Promise<void> {
  return withTranslatedErrors(async () => {
    await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
  });
}

/**
 * Reads the item whose partition key is `pk`. `consistent` asks for a strongly consistent
 * read (twice the read cost), for a caller that must see a write made a moment ago.
 */
export function getByKey(client: DynamoDBClient, tableName: string, pk: string, read: 'consistent' | 'eventual'): Promise<Item | undefined> {
  return withTranslatedErrors(async () => {
    const { Item } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: keyOf(pk), ...(read === 'consistent' && { ConsistentRead: true }) }),
    );
    return Item;
  });
}

/** Deletes the item whose partition key is `pk`; deleting an absent item is no error. */
export function deleteByKey(client: DynamoDBClient, tableName: string, pk: string): Promise<void> {
  return withTranslatedErrors(async () => {
    await client.send(new DeleteItemCommand({ TableName: tableName, Key: keyOf(pk) }));
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

/**
 * Reads the items of many partition keys, strongly consistent, 100 per BatchGetItem;
 * absent keys are simply missing from the result. Keys DynamoDB leaves unprocessed are
 * asked again a bounded number of times, then it throws DependencyUnavailableError:
 * answering "absent" for keys that were never read would fail open.
 */
export async function batchGetByKeys(client: DynamoDBClient, tableName: string, pks: readonly string[], options: BatchGetOptions = {}): Promise<Item[]> {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // BatchGetItem rejects duplicate keys, so ask for each once.
  const unique = [...new Set(pks)];
  const items: Item[] = [];
  for (let start = 0; start < unique.length; start += BATCH_LIMIT) {
    let pending: KeysAndAttributes | undefined = { Keys: unique.slice(start, start + BATCH_LIMIT).map(keyOf), ConsistentRead: true };
    for (let attempt = 1; pending?.Keys?.length; attempt++) {
      if (attempt > maxAttempts) throw unavailable(new Error(`BatchGetItem left ${pending.Keys.length} keys unprocessed after ${maxAttempts} attempts`));
      if (attempt > 1) await sleep(25 * 2 ** (attempt - 2));
      const response: BatchGetItemCommandOutput = await withTranslatedErrors(() => client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: pending! } })));
      items.push(...(response.Responses?.[tableName] ?? []));
      pending = response.UnprocessedKeys?.[tableName];
    }
  }
  return items;
}

/**
 * The table keys (`pk`) of every item whose `attribute` equals `value`, through the
 * KEYS_ONLY index on that attribute, all pages; `pkPrefix` keeps only one kind of item of
 * a table that holds several. Indexes are eventually consistent: see the callers.
 */
export async function queryIndexKeys(
  client: DynamoDBClient,
  tableName: string,
  index: { readonly indexName: string; readonly attribute: string; readonly value: string; readonly pkPrefix?: string },
): Promise<string[]> {
  const pks: string[] = [];
  let exclusiveStartKey: Item | undefined;
  do {
    const page = await withTranslatedErrors(() =>
      client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: index.indexName,
          KeyConditionExpression: '#attribute = :value',
          ...(index.pkPrefix !== undefined && { FilterExpression: 'begins_with(#pk, :prefix)' }),
          ExpressionAttributeNames: { '#attribute': index.attribute, '#pk': PARTITION_KEY },
          ExpressionAttributeValues: { ':value': stringValue(index.value), ...(index.pkPrefix !== undefined && { ':prefix': stringValue(index.pkPrefix) }) },
          ProjectionExpression: '#pk',
          ExclusiveStartKey: exclusiveStartKey,
        }),
      ),
    );
    for (const item of page.Items ?? []) pks.push(new ItemReader(item, 'index entry').string(PARTITION_KEY));
    exclusiveStartKey = page.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return pks.sort();
}
