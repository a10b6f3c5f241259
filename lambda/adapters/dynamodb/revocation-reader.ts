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

export interface RevocationReaderOptions {
  /** Attempts of one BatchGetItem while DynamoDB leaves keys unprocessed (throttling). @default 4 */
  readonly maxBatchAttempts?: number;
  /** Waits between those attempts; replaceable so tests need not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export class RevocationReader implements Pick<RevocationStore, 'find'> {
  private readonly batchOptions: BatchGetOptions;

  constructor(
    private readonly client: DynamoDbCalls,
    private readonly tableName: string,
    options: RevocationReaderOptions = {},
  ) {
    this.batchOptions = { maxAttempts: options.maxBatchAttempts, sleep: options.sleep };
  }

  async find(keys: readonly RevocationKey[]): Promise<readonly RevocationRecord[]> {
    // Strongly consistent: a token revoked a moment ago must not pass because a replica lags.
    const items = await batchGetByKeys(this.client, this.tableName, keys.map(revocationPartitionKey), this.batchOptions);
    return items.map(revocationFromItem);
  }
}
