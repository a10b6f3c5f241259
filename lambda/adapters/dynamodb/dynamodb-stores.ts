import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbAuthorizationCodeStore } from './dynamodb-authorization-code-store';
import { DynamoDbClientStore } from './dynamodb-client-store';
import { DynamoDbRefreshFamilyStore } from './dynamodb-refresh-family-store';
import { DynamoDbRevocationStore } from './dynamodb-revocation-store';
import { DynamoDbSessionStore } from './dynamodb-session-store';
import { DynamoDbUsedAssertionStore } from './dynamodb-used-assertion-store';
import type { TableNames } from './tables';

/** The six stores, named as in AuthorizationServerDeps so a handler can spread them in. */
export interface DynamoDbStores {
  readonly clients: DynamoDbClientStore;
  readonly codes: DynamoDbAuthorizationCodeStore;
  readonly families: DynamoDbRefreshFamilyStore;
  readonly revocations: DynamoDbRevocationStore;
  readonly sessions: DynamoDbSessionStore;
  readonly usedAssertions: DynamoDbUsedAssertionStore;
}

export function createDynamoDbStores(client: DynamoDBClient, names: TableNames): DynamoDbStores {
  return {
    clients: new DynamoDbClientStore(client, names.clients),
    codes: new DynamoDbAuthorizationCodeStore(client, names.codes),
    families: new DynamoDbRefreshFamilyStore(client, names.families),
    revocations: new DynamoDbRevocationStore(client, names.revocations),
    sessions: new DynamoDbSessionStore(client, names.sessions),
    usedAssertions: new DynamoDbUsedAssertionStore(client, names.assertions),
  };
}
