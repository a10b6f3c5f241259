/**
 * The stores' DynamoDB calls (dynamodb/dynamodb-calls.ts) through the AWS SDK's client: for
 * the operator CLI, whose credentials come from the SDK's chain (profiles, SSO, the instance's
 * role), which only the SDK resolves. The functions and local mode use DynamoDbJsonClient.
 */
import {
  BatchGetItemCommand,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { DynamoDbCalls, DynamoDbOperation } from '../dynamodb/dynamodb-calls';

const COMMANDS = {
  BatchGetItem: BatchGetItemCommand,
  DeleteItem: DeleteItemCommand,
  GetItem: GetItemCommand,
  PutItem: PutItemCommand,
  Query: QueryCommand,
  Scan: ScanCommand,
  TransactWriteItems: TransactWriteItemsCommand,
  UpdateItem: UpdateItemCommand,
} satisfies Record<DynamoDbOperation, unknown>;

export function sdkDynamoDbCalls(client: DynamoDBClient): DynamoDbCalls {
  return {
    call: (operation, input) => {
      // The map pairs each operation with its command class, which TypeScript cannot follow through the generic.
      const Command = COMMANDS[operation] as unknown as new (input: unknown) => Parameters<DynamoDBClient['send']>[0];
      return client.send(new Command(input)) as never;
    },
  };
}
