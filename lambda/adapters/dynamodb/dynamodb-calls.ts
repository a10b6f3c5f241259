/**
 * The DynamoDB operations the stores make, named as DynamoDB's API names them, each with its
 * input and output as DynamoDB's JSON protocol carries them. The SDK's command types describe
 * exactly those shapes (no store writes a binary attribute, the one type the SDK marshals
 * differently), so they are borrowed as types only: nothing of the SDK is loaded by them.
 *
 * Two transports implement it:
 * - DynamoDbJsonClient (aws-clients/dynamodb-json-client.ts), the functions' and local mode's:
 *   the protocol over node:https, signed with the execution role's credentials. Loading the
 *   SDK's DynamoDB client and making its first call was most of a cold start, and each warm
 *   call through it cost about 1.7 ms more (docs/performance.md, "Cold starts" and "Full flow").
 * - sdkDynamoDbCalls (aws-clients/sdk-dynamodb-calls.ts), the operator CLI's: an operator's
 *   credentials come from the SDK's chain (profiles, SSO), which only the SDK resolves.
 *
 * Both throw what the SDK throws (name, $fault, $metadata, CancellationReasons), which
 * store-errors.ts translates into the core's errors.
 */
import type {
  BatchGetItemCommandInput,
  BatchGetItemCommandOutput,
  DeleteItemCommandInput,
  DeleteItemCommandOutput,
  GetItemCommandInput,
  GetItemCommandOutput,
  PutItemCommandInput,
  PutItemCommandOutput,
  QueryCommandInput,
  QueryCommandOutput,
  ScanCommandInput,
  ScanCommandOutput,
  TransactWriteItemsCommandInput,
  TransactWriteItemsCommandOutput,
  UpdateItemCommandInput,
  UpdateItemCommandOutput,
} from '@aws-sdk/client-dynamodb';

/** Each operation's input and output; the output without the SDK's response metadata, which no store reads. */
export interface DynamoDbOperations {
  BatchGetItem: { input: BatchGetItemCommandInput; output: Omit<BatchGetItemCommandOutput, '$metadata'> };
  DeleteItem: { input: DeleteItemCommandInput; output: Omit<DeleteItemCommandOutput, '$metadata'> };
  GetItem: { input: GetItemCommandInput; output: Omit<GetItemCommandOutput, '$metadata'> };
  PutItem: { input: PutItemCommandInput; output: Omit<PutItemCommandOutput, '$metadata'> };
  Query: { input: QueryCommandInput; output: Omit<QueryCommandOutput, '$metadata'> };
  Scan: { input: ScanCommandInput; output: Omit<ScanCommandOutput, '$metadata'> };
  TransactWriteItems: { input: TransactWriteItemsCommandInput; output: Omit<TransactWriteItemsCommandOutput, '$metadata'> };
  UpdateItem: { input: UpdateItemCommandInput; output: Omit<UpdateItemCommandOutput, '$metadata'> };
}

export type DynamoDbOperation = keyof DynamoDbOperations;

/** One call of `operation` with its input: its output, or what the last attempt threw (the SDK's error shapes). */
export interface DynamoDbCalls {
  call<O extends DynamoDbOperation>(operation: O, input: DynamoDbOperations[O]['input']): Promise<DynamoDbOperations[O]['output']>;
}
