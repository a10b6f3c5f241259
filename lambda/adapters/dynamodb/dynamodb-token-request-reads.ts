/**
 * POST /token's first round trip as one BatchGetItem across the tables it names: the client
 * (unless the container's client cache holds it), the code or the refresh family, and the
 * revocation rows. The code, the family and the revocations are read strongly consistent, as
 * their own stores read them (a replay right after a redemption, a rotation or a revocation a
 * moment ago must be seen); the client as its store reads it, eventually consistent. Keys left
 * unprocessed are asked again, then DependencyUnavailableError (batchGetAcrossTables), never
 * "absent".
 */
import type { TokenRequestNames, TokenRequestReads, TokenRequestRecords } from '../../core/ports';
import type { ClientCache } from './cached-client-store';
import { clientFromItem } from './dynamodb-client-store';
import { codeFromItem } from './dynamodb-authorization-code-store';
import { familyFromItem } from './dynamodb-refresh-family-store';
import { revocationFromItem, revocationPartitionKey } from './revocation-items';
import { batchGetAcrossTables, type BatchGetOptions, type TableKeys } from './table-operations';
import type { TableNames } from './table-keys';
import type { DynamoDbCalls } from './dynamodb-calls';

export class DynamoDbTokenRequestReads implements TokenRequestReads {
  constructor(
    private readonly client: DynamoDbCalls,
    private readonly tables: Pick<TableNames, 'clients' | 'codes' | 'families' | 'revocations'>,
    /** The cache in front of the client store, so a client it holds is not asked for. @default none */
    private readonly clientCache?: ClientCache,
    private readonly options: BatchGetOptions = {},
  ) {}

  async read(names: TokenRequestNames): Promise<TokenRequestRecords> {
    const cachedClient = names.clientId === undefined ? undefined : this.clientCache?.cached(names.clientId);
    const asked: TableKeys[] = [];
    if (names.clientId !== undefined && !cachedClient) asked.push({ tableName: this.tables.clients, pks: [names.clientId], read: 'eventual' });
    if (names.codeHash !== undefined) asked.push({ tableName: this.tables.codes, pks: [names.codeHash], read: 'consistent' });
    if (names.familyId !== undefined) asked.push({ tableName: this.tables.families, pks: [names.familyId], read: 'consistent' });
    if (names.revocationKeys.length > 0) asked.push({ tableName: this.tables.revocations, pks: names.revocationKeys.map(revocationPartitionKey), read: 'consistent' });
    if (asked.length === 0) return { client: cachedClient, revocations: [] };

    const items = await batchGetAcrossTables(this.client, asked, this.options);
    const only = (tableName: string) => items.get(tableName)?.[0];
    const storedClient = only(this.tables.clients);
    const readClient = storedClient && clientFromItem(storedClient);
    if (readClient) this.clientCache?.remember(readClient);
    const code = only(this.tables.codes);
    const family = only(this.tables.families);
    return {
      client: readClient ?? cachedClient,
      code: code && codeFromItem(code),
      family: family && familyFromItem(family),
      revocations: (items.get(this.tables.revocations) ?? []).map(revocationFromItem),
    };
  }
}
