/**
 * The operator's view of the clients table (the mcp-oauth CLI: `clients list | show | delete`).
 * Apart from the request-path store (dynamodb-client-store.ts) so that no deployed function's
 * bundle holds a Scan or a DeleteItem on clients, and least privilege can grant neither
 * (test/infra/least-privilege.test.ts reads the bundles).
 */
import type { ClientDirectory, ClientRecord } from '../../core/ports';
import type { Item } from './attribute-values';
import { clientFromItem, DynamoDbClientStore } from './dynamodb-client-store';
import { translateDynamoDbError } from './store-errors';
import { keyOf } from './table-operations';
import type { DynamoDbCalls } from './dynamodb-calls';

export class DynamoDbClientDirectory implements ClientDirectory {
  private readonly store: DynamoDbClientStore;

  constructor(
    private readonly client: DynamoDbCalls,
    private readonly tableName: string,
  ) {
    this.store = new DynamoDbClientStore(client, tableName);
  }

  get(clientId: string): Promise<ClientRecord | undefined> {
    return this.store.get(clientId);
  }

  /** Every stored client, for an operator: a Scan, which no request path ever makes. */
  async list(): Promise<readonly ClientRecord[]> {
    const clients: ClientRecord[] = [];
    let exclusiveStartKey: Item | undefined;
    try {
      do {
        const page = await this.client.call('Scan', { TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: exclusiveStartKey });
        for (const item of page.Items ?? []) clients.push(clientFromItem(item));
        exclusiveStartKey = page.LastEvaluatedKey;
      } while (exclusiveStartKey);
    } catch (error) {
      throw translateDynamoDbError(error);
    }
    return clients.sort((a, b) => a.createdAt - b.createdAt || a.clientId.localeCompare(b.clientId));
  }

  async delete(clientId: string): Promise<boolean> {
    try {
      const { Attributes } = await this.client.call('DeleteItem', { TableName: this.tableName, Key: keyOf(clientId), ReturnValues: 'ALL_OLD' });
      return Attributes !== undefined;
    } catch (error) {
      throw translateDynamoDbError(error);
    }
  }
}
