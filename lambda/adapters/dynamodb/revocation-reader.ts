/**
 * Finding revocations: one strongly consistent BatchGetItem (batchGetByKeys' rules: each key
 * asked once, at most 100 per call, keys DynamoDB leaves unprocessed asked again a bounded
 * number of times and then DependencyUnavailableError, never "absent" for a key not read).
 * The revocation store finds through it; the authorizer uses it alone, so that its bundle
 * holds no write of the table and least privilege grants it none
 * (test/infra/least-privilege.test.ts reads the bundles).
 */
import type { RevocationKey, RevocationRecord, RevocationStore } from '../../core/ports';
import type { DynamoDbCalls } from './dynamodb-calls';
import { revocationFromItem, revocationPartitionKey } from './revocation-items';
import { batchGetByKeys, type BatchGetOptions } from './table-operations';

/** How a look-up retries the keys DynamoDB leaves unprocessed: batchGetByKeys' own options. */
export type RevocationReaderOptions = BatchGetOptions;

export class RevocationReader implements Pick<RevocationStore, 'find'> {
  constructor(
    private readonly client: DynamoDbCalls,
    private readonly tableName: string,
    private readonly batchOptions: RevocationReaderOptions = {},
  ) {}

  async find(keys: readonly RevocationKey[]): Promise<readonly RevocationRecord[]> {
    // Strongly consistent: a token revoked a moment ago must not pass because a replica lags.
    const items = await batchGetByKeys(this.client, this.tableName, keys.map(revocationPartitionKey), this.batchOptions);
    return items.map(revocationFromItem);
  }
}
