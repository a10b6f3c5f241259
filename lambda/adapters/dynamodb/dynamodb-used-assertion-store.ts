import type { UsedAssertionStore } from '../../core/ports';
import { buildItem, numberValue, stringValue } from './attribute-values';
import { putIfAbsent } from './table-operations';
import { PARTITION_KEY } from './table-keys';
import type { DynamoDbCalls } from './dynamodb-calls';

/** The jti of every accepted assertion, kept until the assertion expires (TTL removes it later still). */
export class DynamoDbUsedAssertionStore implements UsedAssertionStore {
  constructor(
    private readonly client: DynamoDbCalls,
    private readonly tableName: string,
  ) {}

  async recordOnce(key: string, expiresAt: number): Promise<void> {
    // Two /token requests with the same assertion both verify it, both reach this put:
    //   A: put if absent ✓ -> token
    //   B: put if absent ✗ (the key exists) -> ConditionFailedError -> invalid_client / invalid_grant
    // An expired record that TTL has not removed yet still refuses the jti, which is right:
    // the assertion it names has expired too.
    await putIfAbsent(this.client, this.tableName, buildItem({ [PARTITION_KEY]: stringValue(key), expiresAt: numberValue(expiresAt) }), 'assertion already used');
  }
}
