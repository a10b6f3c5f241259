import type { RevocationKey, RevocationRecord, RevocationStore } from '../../core/ports';
import { buildItem, numberValue, stringValue } from './attribute-values';
import type { DynamoDbCalls } from './dynamodb-calls';
import { revocationPartitionKey } from './revocation-items';
import { RevocationReader, type RevocationReaderOptions } from './revocation-reader';
import { isConditionFailure, translateDynamoDbError } from './store-errors';
import { PARTITION_KEY } from './table-keys';

export type DynamoDbRevocationStoreOptions = RevocationReaderOptions;

export { revocationPartitionKey } from './revocation-items';

export class DynamoDbRevocationStore implements RevocationStore {
  private readonly reader: RevocationReader;

  constructor(
    private readonly client: DynamoDbCalls,
    private readonly tableName: string,
    options: DynamoDbRevocationStoreOptions = {},
  ) {
    this.reader = new RevocationReader(client, tableName, options);
  }

  async revoke(record: RevocationRecord): Promise<void> {
    try {
      await this.client.call('PutItem', {
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
        ExpressionAttributeValues: { ':revokedAt': numberValue(record.revokedAt) },});
    } catch (error) {
      if (isConditionFailure(error)) return; // a later revocation already stands
      throw translateDynamoDbError(error);
    }
  }

  find(keys: readonly RevocationKey[]): Promise<readonly RevocationRecord[]> {
    return this.reader.find(keys);
  }
}
