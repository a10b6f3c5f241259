/**
 * A write that DynamoDB applied but whose answer never came back (docs/performance.md, "Fail
 * fast"): the attempt times out and config.awsCalls retries it. The writes that issue tokens
 * and codes are TransactWriteItems (the grant writer, the callback's commit), and the
 * functions' DynamoDB client (DynamoDbJsonClient) gives every transaction a ClientRequestToken
 * before its retry loop, as the SDK does, so each attempt carries the same token and DynamoDB answers a repeat within ten
 * minutes with the first attempt's outcome instead of running it again. A plain conditional
 * PutItem has no such token: its retry fails its own condition. Both are shown against the
 * real DynamoDB Local behind a loopback proxy that forwards a write, lets DynamoDB apply it,
 * and drops the answer.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createServer, request, type Server } from 'node:http';
import type { AwsCallsConfig } from '../../lambda/core/config';
import { DynamoDbJsonClient } from '../../lambda/adapters/aws-clients/dynamodb-json-client';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../local/dynamodb-local';
import { useDynamoDbTables } from '../support/dynamodb';

/** The attempt whose answer is dropped must time out, so attempts are short; two as by default. */
const CALLS: AwsCallsConfig = { connectionTimeoutMs: 500, requestTimeoutMs: 1_000, maxAttempts: 2, retryDelayMs: 50 };

const tables = useDynamoDbTables('lost-answer');
let proxy: Server;
let proxyEndpoint: string;
/** What each write through the proxy carried, in order: its operation and its ClientRequestToken. */
let writes: { readonly operation: string; readonly clientRequestToken?: string }[] = [];
let dropNextWriteAnswer = false;

beforeAll(async () => {
  proxy = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(incoming.headers['x-amz-target']).split('.').pop()!;
      const isWrite = operation === 'PutItem' || operation === 'TransactWriteItems';
      if (isWrite) writes.push({ operation, clientRequestToken: JSON.parse(body.toString()).ClientRequestToken });
      const dropThisAnswer = isWrite && dropNextWriteAnswer;
      if (dropThisAnswer) dropNextWriteAnswer = false;
      const upstream = request(tables().endpoint, { method: incoming.method, path: incoming.url, headers: incoming.headers }, (answer) => {
        const answerChunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
        answer.on('end', () => {
          if (dropThisAnswer) return; // applied by DynamoDB; the caller hears nothing and times out
          outgoing.writeHead(answer.statusCode!, answer.headers);
          outgoing.end(Buffer.concat(answerChunks));
        });
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyEndpoint = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});

afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
});

beforeEach(() => {
  writes = [];
  dropNextWriteAnswer = true;
});

function clientThroughProxy() {
  return new DynamoDbJsonClient({ calls: CALLS, endpoint: proxyEndpoint, region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS });
}

const itemOnce = (pk: string) => ({ TableName: tables().names.codes, Item: { pk: { S: pk }, written: { S: 'once' } }, ConditionExpression: 'attribute_not_exists(pk)' });

it('a conditional transaction applied on an attempt whose answer was lost succeeds on the retry: same ClientRequestToken, applied once', async () => {
  const client = clientThroughProxy();
  try {
    await client.call('TransactWriteItems', { TransactItems: [{ Put: itemOnce('lost-answer-transaction') }] });

    expect(writes.map((w) => w.operation)).toEqual(['TransactWriteItems', 'TransactWriteItems']);
    expect(writes[0]!.clientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    expect(writes[1]!.clientRequestToken).toBe(writes[0]!.clientRequestToken);
    const stored = await tables().client.send(new GetItemCommand({ TableName: tables().names.codes, Key: { pk: { S: 'lost-answer-transaction' } }, ConsistentRead: true }));
    expect(stored.Item?.written).toEqual({ S: 'once' });
  } finally {
    client.destroy();
  }
});

it('a conditional PutItem applied on an attempt whose answer was lost fails its condition on the retry (why the grants are transactions)', async () => {
  const client = clientThroughProxy();
  try {
    await expect(client.call('PutItem', itemOnce('lost-answer-put'))).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });

    expect(writes.map((w) => w.operation)).toEqual(['PutItem', 'PutItem']);
    const stored = await tables().client.send(new GetItemCommand({ TableName: tables().names.codes, Key: { pk: { S: 'lost-answer-put' } }, ConsistentRead: true }));
    expect(stored.Item?.written).toEqual({ S: 'once' });
  } finally {
    client.destroy();
  }
});
