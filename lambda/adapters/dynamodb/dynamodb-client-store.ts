import type { ClientRecord, ClientStore, TokenEndpointAuthMethod } from '../../core/ports';
import {
  ItemReader,
  buildItem,
  numberValue,
  optionalValue,
  stringListValue,
  stringValue,
  withoutUndefined,
  type Item,
} from './attribute-values';
import { getByKey, putIfAbsent } from './table-operations';
import { PARTITION_KEY } from './table-keys';
import type { DynamoDbCalls } from './dynamodb-calls';

const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ['none', 'client_secret_basic', 'client_secret_post'];
const SOURCES: readonly ClientRecord['source'][] = ['static', 'dynamic', 'metadata_document'];
const APPLICATION_TYPES: readonly NonNullable<ClientRecord['applicationType']>[] = ['web', 'native'];

/**
 * Registered clients. Static clients come from the configuration and never expire, so
 * their items carry no `expiresAt` and TTL leaves them alone.
 */
export class DynamoDbClientStore implements ClientStore {
  constructor(
    private readonly client: DynamoDbCalls,
    private readonly tableName: string,
  ) {}

  async get(clientId: string): Promise<ClientRecord | undefined> {
    const item = await getByKey(this.client, this.tableName, clientId, 'eventual');
    return item ? clientFromItem(item) : undefined;
  }

  async create(client: ClientRecord): Promise<void> {
    // Two registrations racing for one client_id (a metadata document fetched twice
    // at once): the first put wins, the second must not silently replace it.
    await putIfAbsent(this.client, this.tableName, clientToItem(client), 'client already exists');
  }
}

function clientToItem(client: ClientRecord): Item {
  return buildItem({
    [PARTITION_KEY]: stringValue(client.clientId),
    clientId: stringValue(client.clientId),
    clientSecretHash: optionalValue(client.clientSecretHash, stringValue),
    tokenEndpointAuthMethod: stringValue(client.tokenEndpointAuthMethod),
    redirectUris: stringListValue(client.redirectUris),
    grantTypes: stringListValue(client.grantTypes),
    responseTypes: stringListValue(client.responseTypes),
    clientName: optionalValue(client.clientName, stringValue),
    clientUri: optionalValue(client.clientUri, stringValue),
    logoUri: optionalValue(client.logoUri, stringValue),
    scope: optionalValue(client.scope, stringValue),
    applicationType: optionalValue(client.applicationType, stringValue),
    source: stringValue(client.source),
    createdAt: numberValue(client.createdAt),
    expiresAt: optionalValue(client.expiresAt, numberValue),
  });
}

export function clientFromItem(item: Item): ClientRecord {
  const read = new ItemReader(item, 'client');
  return withoutUndefined<ClientRecord>({
    clientId: read.string('clientId'),
    clientSecretHash: read.optionalString('clientSecretHash'),
    tokenEndpointAuthMethod: read.oneOf('tokenEndpointAuthMethod', AUTH_METHODS),
    redirectUris: read.stringList('redirectUris'),
    grantTypes: read.stringList('grantTypes'),
    responseTypes: read.stringList('responseTypes'),
    clientName: read.optionalString('clientName'),
    clientUri: read.optionalString('clientUri'),
    logoUri: read.optionalString('logoUri'),
    scope: read.optionalString('scope'),
    applicationType: read.optionalOneOf('applicationType', APPLICATION_TYPES),
    source: read.oneOf('source', SOURCES),
    createdAt: read.number('createdAt'),
    expiresAt: read.optionalNumber('expiresAt'),
  });
}
