/**
 * One DynamoDB Local for the whole Jest run. Suites create their own tables under a unique
 * prefix (test/support/dynamodb.ts), so they never see each other's data.
 */
import { startDynamoDbLocal } from '../../local/dynamodb-local';

export default async function globalSetup(): Promise<void> {
  if (process.env.DYNAMODB_ENDPOINT) return; // an already running engine, e.g. started by .ci/run
  const dynamo = await startDynamoDbLocal({ port: 0 });
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  (globalThis as { __dynamoDbLocal?: typeof dynamo }).__dynamoDbLocal = dynamo;
}
