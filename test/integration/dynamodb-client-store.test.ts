import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ConditionFailedError } from '../../lambda/core/errors';
import { DynamoDbClientDirectory } from '../../lambda/adapters/dynamodb/dynamodb-client-directory';
import type { ClientRecord } from '../../lambda/core/ports';
import { createTestTables, useDynamoDbTables } from '../support/dynamodb';

const tables = useDynamoDbTables('clients');

const publicClient: ClientRecord = {
  clientId: 'dcr-public-1',
  tokenEndpointAuthMethod: 'none',
  redirectUris: ['http://127.0.0.1/cb'],
  grantTypes: ['authorization_code', 'refresh_token'],
  responseTypes: ['code'],
  source: 'dynamic',
  createdAt: 1_767_268_800,
};

const fullClient: ClientRecord = {
  clientId: 'https://client.example/metadata.json',
  clientSecretHash: 'n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg',
  tokenEndpointAuthMethod: 'client_secret_basic',
  redirectUris: ['https://client.example/cb', 'https://client.example/cb2'],
  grantTypes: ['authorization_code'],
  responseTypes: ['code'],
  clientName: 'Example client',
  clientUri: 'https://client.example/',
  logoUri: 'https://client.example/logo.png',
  scope: 'tool:read tool:execute',
  applicationType: 'web',
  source: 'metadata_document',
  createdAt: 1_767_268_800,
  expiresAt: 1_767_355_200,
};

describe('DynamoDbClientStore', () => {
  it('round-trips a client with only the required fields', async () => {
    await tables().stores.clients.create(publicClient);
    expect(await tables().stores.clients.get(publicClient.clientId)).toStrictEqual(publicClient);
  });

  it('round-trips a client with every optional field', async () => {
    await tables().stores.clients.create(fullClient);
    expect(await tables().stores.clients.get(fullClient.clientId)).toStrictEqual(fullClient);
  });

  it('returns undefined for an unknown client', async () => {
    expect(await tables().stores.clients.get('nobody')).toBeUndefined();
  });

  it('refuses a second client with the same id and keeps the first', async () => {
    const original = { ...publicClient, clientId: 'taken' };
    await tables().stores.clients.create(original);
    await expect(tables().stores.clients.create({ ...original, redirectUris: ['https://evil.example/cb'] })).rejects.toThrow(ConditionFailedError);
    expect((await tables().stores.clients.get('taken'))?.redirectUris).toEqual(['http://127.0.0.1/cb']);
  });

  it('refuses to read an item whose enumerated field was tampered with', async () => {
    await tables().client.send(
      new PutItemCommand({
        TableName: tables().names.clients,
        Item: {
          pk: { S: 'tampered' },
          clientId: { S: 'tampered' },
          tokenEndpointAuthMethod: { S: 'private_key_jwt_or_whatever' },
          redirectUris: { L: [] },
          grantTypes: { L: [] },
          responseTypes: { L: [] },
          source: { S: 'dynamic' },
          createdAt: { N: '1' },
        },
      }),
    );
    await expect(tables().stores.clients.get('tampered')).rejects.toThrow('stored client item is malformed: attribute tokenEndpointAuthMethod');
  });

  it('the operator directory lists every stored client and deletes one, saying whether it was there', async () => {
    const separate = await createTestTables('clients-list');
    try {
      const directory = new DynamoDbClientDirectory(separate.calls, separate.names.clients);
      const second = { ...publicClient, clientId: 'dcr-public-2', createdAt: publicClient.createdAt + 1 };
      for (const client of [second, publicClient, fullClient]) await separate.stores.clients.create(client);
      expect((await directory.list()).map((client) => client.clientId)).toEqual([publicClient.clientId, fullClient.clientId, second.clientId]);
      expect(await directory.delete(publicClient.clientId)).toBe(true);
      expect(await directory.delete(publicClient.clientId)).toBe(false);
      expect(await directory.get(publicClient.clientId)).toBeUndefined();
      expect((await directory.list()).map((client) => client.clientId)).toEqual([fullClient.clientId, second.clientId]);
    } finally {
      await separate.dispose();
    }
  });
});
