import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbAuthorizationCodeStore } from './dynamodb-authorization-code-store';
import { DynamoDbAuthorizationCommits } from './dynamodb-authorization-commits';
import { DynamoDbClientStore } from './dynamodb-client-store';
import { DynamoDbGrantWriter } from './dynamodb-grant-writer';
import { DynamoDbRefreshFamilyStore } from './dynamodb-refresh-family-store';
import { DynamoDbRevocationStore } from './dynamodb-revocation-store';
import { DynamoDbSessionStore } from './dynamodb-session-store';
import { DynamoDbUsedAssertionStore } from './dynamodb-used-assertion-store';
import type { TableNames } from './tables';

/** The stores, and the grant writer over three of them, named as in AuthorizationServerDeps so a handler can spread them in. */
export interface DynamoDbStores {
  readonly clients: DynamoDbClientStore;
  readonly codes: DynamoDbAuthorizationCodeStore;
  readonly commits: DynamoDbAuthorizationCommits;
  readonly families: DynamoDbRefreshFamilyStore;
  readonly grantWriter: DynamoDbGrantWriter;
  readonly revocations: DynamoDbRevocationStore;
  readonly sessions: DynamoDbSessionStore;
  readonly usedAssertions: DynamoDbUsedAssertionStore;
}

export function createDynamoDbStores(client: DynamoDBClient, names: TableNames): DynamoDbStores {
  return {
    clients: new DynamoDbClientStore(client, names.clients),
    codes: new DynamoDbAuthorizationCodeStore(client, names.codes),
    commits: new DynamoDbAuthorizationCommits(client, { sessions: names.sessions, codes: names.codes }),
    families: new DynamoDbRefreshFamilyStore(client, names.families),
    grantWriter: new DynamoDbGrantWriter(client, names),
    revocations: new DynamoDbRevocationStore(client, names.revocations),
    sessions: new DynamoDbSessionStore(client, names.sessions),
    usedAssertions: new DynamoDbUsedAssertionStore(client, names.assertions),
  };
}
