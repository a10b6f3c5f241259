/**
 * The single-item calls every store makes, each translating what the SDK throws into the
 * core's errors (store-errors.ts). Conditions that are a store's own race stay in that
 * store, next to the comment that explains the race; only the calls shared by all live here.
 */
import { DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { stringValue, type Item } from './attribute-values';
import { translateDynamoDbError } from './store-errors';
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
