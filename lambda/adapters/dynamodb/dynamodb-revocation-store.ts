import { PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { RevocationKey, RevocationRecord, RevocationStore } from '../../core/ports';
import { buildItem, numberValue, stringValue } from './attribute-values';
import { revocationFromItem, revocationPartitionKey } from './revocation-items';
import { isConditionFailure, translateDynamoDbError } from './store-errors';
import { batchGetByKeys, type BatchGetOptions } from './table-operations';
import { PARTITION_KEY } from './tables';

export interface DynamoDbRevocationStoreOptions {
  /** Attempts of one BatchGetItem while DynamoDB leaves keys unprocessed (throttling). @default 4 */
  readonly maxBatchAttempts?: number;
  /** Waits between those attempts; replaceable so tests need not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export { revocationPartitionKey } from './revocation-items';

export class DynamoDbRevocationStore implements RevocationStore {
  private readonly batchOptions: BatchGetOptions;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: DynamoDbRevocationStoreOptions = {},
  ) {
    this.batchOptions = { maxAttempts: options.maxBatchAttempts, sleep: options.sleep };
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
    // Strongly consistent: a token revoked a moment ago must not pass because a replica lags.
    const items = await batchGetByKeys(this.client, this.tableName, keys.map(revocationPartitionKey), this.batchOptions);
    return items.map(revocationFromItem);
  }
}
