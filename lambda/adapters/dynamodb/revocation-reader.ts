/**
 * The authorizer's side of the revocation store: find() only, one strongly consistent
 * BatchGetItem through DynamoDbJsonClient, which does not load the AWS SDK (its modules
 * would be most of the authorizer's cold start). The items and their keys are the store's
 * own (revocation-items.ts); the rules are batchGetByKeys' (table-operations.ts): each key
 * asked once, at most 100 per call, keys DynamoDB leaves unprocessed asked again a bounded
 * number of times and then DependencyUnavailableError, never "absent" for a key not read.
 */
import type { RevocationKey, RevocationRecord, RevocationStore } from '../../core/ports';
import type { DynamoDbJsonClient } from '../aws-clients/dynamodb-json-client';
import type { Item } from './attribute-values';
import { revocationFromItem, revocationPartitionKey } from './revocation-items';
import { translateDynamoDbError, unavailable } from './store-errors';
import { PARTITION_KEY } from './table-keys';

/** BatchGetItem takes at most 100 keys per call. */
const BATCH_LIMIT = 100;

interface KeysAndAttributes {
  readonly Keys: readonly Item[];
  readonly ConsistentRead: true;
}

interface BatchGetItemOutput {
  readonly Responses?: Readonly<Record<string, readonly Item[]>>;
  readonly UnprocessedKeys?: Readonly<Record<string, { readonly Keys?: readonly Item[] }>>;
}

export interface RevocationReaderOptions {
  /** Attempts of one BatchGetItem while DynamoDB leaves keys unprocessed (throttling). @default 4 */
  readonly maxBatchAttempts?: number;
  /** Waits between those attempts; replaceable so tests need not sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export class RevocationReader implements Pick<RevocationStore, 'find'> {
  constructor(
    private readonly client: Pick<DynamoDbJsonClient, 'call'>,
    private readonly tableName: string,
    private readonly options: RevocationReaderOptions = {},
  ) {}

  async find(keys: readonly RevocationKey[]): Promise<readonly RevocationRecord[]> {
    const maxAttempts = Math.max(1, this.options.maxBatchAttempts ?? 4);
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    // BatchGetItem rejects duplicate keys, so ask for each once.
    const unique = [...new Set(keys.map(revocationPartitionKey))];
    const items: Item[] = [];
    for (let start = 0; start < unique.length; start += BATCH_LIMIT) {
      let pending: KeysAndAttributes | undefined = { Keys: unique.slice(start, start + BATCH_LIMIT).map((pk) => ({ [PARTITION_KEY]: { S: pk } })), ConsistentRead: true };
      for (let attempt = 1; pending?.Keys.length; attempt++) {
        if (attempt > maxAttempts) throw unavailable(new Error(`BatchGetItem left ${pending.Keys.length} keys unprocessed after ${maxAttempts} attempts`));
        if (attempt > 1) await sleep(25 * 2 ** (attempt - 2));
        const response = await this.batchGet(pending);
        items.push(...(response.Responses?.[this.tableName] ?? []));
        const unprocessed = response.UnprocessedKeys?.[this.tableName]?.Keys;
        pending = unprocessed?.length ? { Keys: unprocessed, ConsistentRead: true } : undefined;
      }
    }
    return items.map(revocationFromItem);
  }

  private async batchGet(request: KeysAndAttributes): Promise<BatchGetItemOutput> {
    try {
      return (await this.client.call('BatchGetItem', { RequestItems: { [this.tableName]: request } })) as BatchGetItemOutput;
    } catch (error) {
      throw translateDynamoDbError(error);
    }
  }
}
