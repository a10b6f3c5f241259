import { DynamoDbAuthorizationCodeStore } from './dynamodb-authorization-code-store';
import { DynamoDbAuthorizationCommits } from './dynamodb-authorization-commits';
import { DynamoDbClientStore } from './dynamodb-client-store';
import { DynamoDbGrantWriter } from './dynamodb-grant-writer';
import { DynamoDbRefreshFamilyStore } from './dynamodb-refresh-family-store';
import { DynamoDbRevocationStore } from './dynamodb-revocation-store';
import { DynamoDbSessionStore } from './dynamodb-session-store';
import { DynamoDbTokenRequestReads } from './dynamodb-token-request-reads';
import { DynamoDbUsedAssertionStore } from './dynamodb-used-assertion-store';
import type { ClientStore, Clock } from '../../core/ports';
import { CachedClientStore } from './cached-client-store';
import type { TableNames } from './table-keys';
import type { DynamoDbCalls } from './dynamodb-calls';

/** The stores, and the grant writer over three of them, named as in AuthorizationServerDeps so a handler can spread them in. */
export interface DynamoDbStores {
  readonly clients: ClientStore;
  readonly codes: DynamoDbAuthorizationCodeStore;
  readonly commits: DynamoDbAuthorizationCommits;
  readonly families: DynamoDbRefreshFamilyStore;
  readonly grantWriter: DynamoDbGrantWriter;
  readonly revocations: DynamoDbRevocationStore;
  readonly sessions: DynamoDbSessionStore;
  readonly tokenRequestReads: DynamoDbTokenRequestReads;
  readonly usedAssertions: DynamoDbUsedAssertionStore;
}

export interface DynamoDbStoresOptions {
  /**
   * Remember clients per container (cached-client-store.ts) for `ttlSeconds`
   * (registration.clientCacheSeconds); /token's one read honours the same cache.
   * @default clients are read every time
   */
  readonly clientCache?: { readonly clock: Clock; readonly ttlSeconds: number };
}

export function createDynamoDbStores(client: DynamoDbCalls, names: TableNames, options: DynamoDbStoresOptions = {}): DynamoDbStores {
  const storedClients = new DynamoDbClientStore(client, names.clients);
  const cache = options.clientCache && new CachedClientStore(storedClients, options.clientCache.clock, options.clientCache.ttlSeconds);
  return {
    clients: cache ?? storedClients,
    codes: new DynamoDbAuthorizationCodeStore(client, names.codes),
    commits: new DynamoDbAuthorizationCommits(client, { sessions: names.sessions, codes: names.codes }),
    families: new DynamoDbRefreshFamilyStore(client, names.families),
    grantWriter: new DynamoDbGrantWriter(client, names),
    revocations: new DynamoDbRevocationStore(client, names.revocations),
    sessions: new DynamoDbSessionStore(client, names.sessions),
    tokenRequestReads: new DynamoDbTokenRequestReads(client, names, cache),
    usedAssertions: new DynamoDbUsedAssertionStore(client, names.assertions),
  };
}
