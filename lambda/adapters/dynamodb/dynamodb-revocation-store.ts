import {
  BatchGetItemCommand,
  PutItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import type { RevocationKey, RevocationRecord, RevocationStore } from '../../core/ports';
import { ItemReader, buildItem, numberValue, stringValue, type Item } from './attribute-values';
import { isConditionFailure, translateDynamoDbError, unavailable } from './store-errors';
import { keyOf } from './table-operations';
import { PARTITION_KEY } from './tables';

const KINDS: readonly RevocationKey['kind'][] = ['jti', 'family', 'subject', 'client'];

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_LIMIT = 100;

export interface DynamoDbRevocationStoreOptions {
  /** Attempts of one BatchGetItem while DynamoDB leaves keys unprocessed (throttling). @default 4 */
  readonly maxBatchAttempts?: number;
  /** Waits between those attempts; replaceable so tests need not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Revocations keyed by what they name. The kinds contain no `#`, so `<kind>#<value>` is
 * unambiguous whatever the value holds.
 */
export function revocationPartitionKey(key: RevocationKey): string {
  return `${key.kind}#${key.value}`;
}

export class DynamoDbRevocationStore implements RevocationStore {
  private readonly maxBatchAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: DynamoDbRevocationStoreOptions = {},
  ) {
    this.maxBatchAttempts = Math.max(1, options.maxBatchAttempts ?? 4);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async revoke(record: RevocationRecord): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: buildItem({
            [PARTITION_KEY]: stringValue(revocationPartitionKey(record.key)),
            kind: stringValue(record.key.kind),
            value: stringValue(record.key.value),
            revokedAt: numberValue(record.revokedAt),
            expiresAt: numberValue(record.expiresAt),
            reason: stringValue(record.reason),
          }),
          // A later revokedAt covers more tokens (every token issued before it), so an
          // earlier one arriving late must not shrink it: two operators revoking a user
          // at t=100 and t=200 leave t=200 whichever write lands last.
          ConditionExpression: 'attribute_not_exists(#pk) OR revokedAt <= :revokedAt',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY },
          ExpressionAttributeValues: { ':revokedAt': numberValue(record.revokedAt) },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return; // a later revocation already stands
      throw translateDynamoDbError(error);
    }
  }

  async find(keys: readonly RevocationKey[]): Promise<readonly RevocationRecord[]> {
    // BatchGetItem rejects duplicate keys, so ask for each once.
    const partitionKeys = [...new Set(keys.map(revocationPartitionKey))];
    const found: RevocationRecord[] = [];
    for (let start = 0; start < partitionKeys.length; start += BATCH_LIMIT) {
      const items = await this.batchGet(partitionKeys.slice(start, start + BATCH_LIMIT));
      for (const item of items) found.push(revocationFromItem(item));
    }
    return found;
  }

  private async batchGet(partitionKeys: readonly string[]): Promise<Item[]> {
    const items: Item[] = [];
    let pending: KeysAndAttributes | undefined = {
      Keys: partitionKeys.map(keyOf),
      // Strongly consistent: a token revoked a moment ago must not pass because a replica lags.
      ConsistentRead: true,
    };
    for (let attempt = 1; pending?.Keys?.length; attempt++) {
      if (attempt > this.maxBatchAttempts) {
        // Answering "not revoked" for keys we could not read would fail open.
        throw unavailable(new Error(`BatchGetItem left ${pending.Keys.length} keys unprocessed after ${this.maxBatchAttempts} attempts`));
      }
      if (attempt > 1) await this.sleep(25 * 2 ** (attempt - 2));
      try {
        const response: BatchGetItemCommandOutput = await this.client.send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: pending } }));
        items.push(...(response.Responses?.[this.tableName] ?? []));
        pending = response.UnprocessedKeys?.[this.tableName];
      } catch (error) {
        throw translateDynamoDbError(error);
      }
    }
    return items;
  }
}

function revocationFromItem(item: Item): RevocationRecord {
  const read = new ItemReader(item, 'revocation');
  return {
    key: { kind: read.oneOf('kind', KINDS), value: read.string('value') },
    revokedAt: read.number('revokedAt'),
    expiresAt: read.number('expiresAt'),
    reason: read.string('reason'),
  };
}
