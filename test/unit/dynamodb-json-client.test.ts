/**
 * The authorizer's DynamoDB client without the SDK: what it sends, how it reads DynamoDB's
 * answers and errors, and that it keeps config.awsCalls' promises (timeouts, a bounded and
 * selective retry), on loopback servers. Its regional endpoints are the SDK's own.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbJsonClient, dynamoDbEndpointFor } from '../../lambda/adapters/aws-clients/dynamodb-json-client';
import { translateDynamoDbError } from '../../lambda/adapters/dynamodb/store-errors';
import { ConditionFailedError, DependencyUnavailableError } from '../../lambda/core/errors';

const calls = { connectionTimeoutMs: 200, requestTimeoutMs: 400, maxAttempts: 2, retryDelayMs: 10 };
const credentials = { accessKeyId: 'ASIATEST', secretAccessKey: 'secret', sessionToken: 'token' };

interface Seen {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A DynamoDB stand-in answering each request with the next of `answers` (the last one repeats); `null` never answers. */
async function fakeDynamoDb(answers: ({ status: number; body: unknown } | null)[]): Promise<{ endpoint: string; seen: Seen[]; connections: () => number; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  let connections = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ headers: request.headers, body });
      const answer = answers[Math.min(seen.length, answers.length) - 1];
      if (answer === null || answer === undefined) return;
      response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer.body));
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    connections: () => connections,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const client = (endpoint: string) => new DynamoDbJsonClient({ calls, region: 'eu-west-1', credentials, endpoint, now: () => new Date('2026-12-02T19:00:00Z') });
const failureOf = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as Error & { $metadata?: { httpStatusCode?: number } });

describe('DynamoDbJsonClient', () => {
  it('connect() opens the kept-alive connection that the first call then uses, with an unsigned GET of the root', async () => {
    const dynamo = await fakeDynamoDb([{ status: 200, body: 'healthy: dynamodb.eu-west-1.amazonaws.com' }, { status: 200, body: { Responses: { t: [] } } }]);
    try {
      const dynamoDb = client(dynamo.endpoint);
      await dynamoDb.connect();
      expect(await dynamoDb.call('BatchGetItem', { RequestItems: {} })).toEqual({ Responses: { t: [] } });
      expect(dynamo.connections()).toBe(1);
      expect(dynamo.seen[0]!.headers.authorization).toBeUndefined();
      expect(dynamo.seen[1]!.headers['x-amz-target']).toBe('DynamoDB_20120810.BatchGetItem');
    } finally {
      await dynamo.close();
    }
  });

  it('connect() never fails: with nothing listening it resolves, and the first call reports the failure itself', async () => {
    const closed = await fakeDynamoDb([]);
    await closed.close();
    const dynamoDb = client(closed.endpoint);
    await expect(dynamoDb.connect()).resolves.toBeUndefined();
    expect(translateDynamoDbError(await failureOf(dynamoDb.call('BatchGetItem', { RequestItems: {} })))).toBeInstanceOf(DependencyUnavailableError);
  });

  it('posts the operation as signed JSON 1.0 and returns the answer, over one kept-alive connection', async () => {
    const dynamo = await fakeDynamoDb([{ status: 200, body: { Responses: { t: [] } } }]);
    try {
      const dynamoDb = client(dynamo.endpoint);
      const input = { RequestItems: { t: { Keys: [{ pk: { S: 'jti#1' } }], ConsistentRead: true } } };
      expect(await dynamoDb.call('BatchGetItem', input)).toEqual({ Responses: { t: [] } });
      expect(await dynamoDb.call('BatchGetItem', input)).toEqual({ Responses: { t: [] } });
      const [first] = dynamo.seen;
      expect(JSON.parse(first!.body)).toEqual(input);
      expect(first!.headers['x-amz-target']).toBe('DynamoDB_20120810.BatchGetItem');
      expect(first!.headers['content-type']).toBe('application/x-amz-json-1.0');
      expect(first!.headers['x-amz-security-token']).toBe('token');
      expect(first!.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=ASIATEST\/20261202\/eu-west-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/);
      expect(dynamo.connections()).toBe(1);
    } finally {
      await dynamo.close();
    }
  });

  it('carries a cancelled transaction\'s reasons as the SDK does, so a lost race reads as a failed condition and a conflict as an outage', async () => {
    const cancelled = (codes: string[]) => ({ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException', message: 'Transaction cancelled', CancellationReasons: codes.map((Code) => ({ Code })) } });
    const dynamo = await fakeDynamoDb([cancelled(['None', 'ConditionalCheckFailed']), cancelled(['TransactionConflict', 'None'])]);
    try {
      const lostRace = await failureOf(client(dynamo.endpoint).call('TransactWriteItems', { TransactItems: [] }));
      expect(lostRace).toMatchObject({ name: 'TransactionCanceledException', CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }] });
      expect(translateDynamoDbError(lostRace, 'already used')).toBeInstanceOf(ConditionFailedError);
      const conflict = await failureOf(client(dynamo.endpoint).call('TransactWriteItems', { TransactItems: [] }));
      expect(translateDynamoDbError(conflict, 'already used')).toBeInstanceOf(DependencyUnavailableError);
    } finally {
      await dynamo.close();
    }
  });

  it('throws a client error at once, named as the SDK names it, and the stores do not call it an outage', async () => {
    const dynamo = await fakeDynamoDb([{ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException', message: 'Requested resource not found' } }]);
    try {
      const error = await failureOf(client(dynamo.endpoint).call('BatchGetItem', { RequestItems: {} }));
      expect(error).toMatchObject({ name: 'ResourceNotFoundException', message: 'Requested resource not found', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      expect(dynamo.seen).toHaveLength(1);
      expect(translateDynamoDbError(error)).toBe(error);
    } finally {
      await dynamo.close();
    }
  });

  it('retries a server error once after retryDelayMs, and succeeds', async () => {
    const dynamo = await fakeDynamoDb([{ status: 500, body: { __type: 'com.amazon.coral.service#InternalFailure' } }, { status: 200, body: { ok: true } }]);
    try {
      expect(await client(dynamo.endpoint).call('BatchGetItem', { RequestItems: {} })).toEqual({ ok: true });
      expect(dynamo.seen).toHaveLength(2);
    } finally {
      await dynamo.close();
    }
  });

  it('gives up on throttling after maxAttempts, as an outage', async () => {
    const dynamo = await fakeDynamoDb([{ status: 400, body: { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'slow down' } }]);
    try {
      const error = await failureOf(client(dynamo.endpoint).call('BatchGetItem', { RequestItems: {} }));
      expect(error?.name).toBe('ProvisionedThroughputExceededException');
      expect(dynamo.seen).toHaveLength(calls.maxAttempts);
      expect(translateDynamoDbError(error)).toBeInstanceOf(DependencyUnavailableError);
    } finally {
      await dynamo.close();
    }
  });

  it('ends an attempt that gets no answer at requestTimeoutMs, and the call within the documented worst case', async () => {
    const dynamo = await fakeDynamoDb([null]);
    try {
      const started = Date.now();
      const error = await failureOf(client(dynamo.endpoint).call('BatchGetItem', { RequestItems: {} }));
      const took = Date.now() - started;
      expect(error?.name).toBe('TimeoutError');
      expect(dynamo.seen).toHaveLength(calls.maxAttempts);
      expect(took).toBeGreaterThanOrEqual(calls.maxAttempts * calls.requestTimeoutMs);
      expect(translateDynamoDbError(error)).toBeInstanceOf(DependencyUnavailableError);
    } finally {
      await dynamo.close();
    }
  });

  it('ends an attempt whose TLS handshake never finishes at connectionTimeoutMs', async () => {
    // Accepts the TCP connection and never says a word: the TLS handshake hangs.
    const sockets: Socket[] = [];
    const silent: NetServer = createNetServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const error = await failureOf(client(`https://127.0.0.1:${(silent.address() as AddressInfo).port}`).call('BatchGetItem', { RequestItems: {} }));
      expect(error?.name).toBe('TimeoutError');
      expect(error?.message).toContain('connection');
      expect(sockets).toHaveLength(calls.maxAttempts);
      expect(Date.now() - started).toBeLessThan(calls.maxAttempts * calls.requestTimeoutMs);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports a refused connection as the socket does, which the stores count as an outage', async () => {
    const dynamo = await fakeDynamoDb([]);
    const { endpoint } = dynamo;
    await dynamo.close();
    const error = await failureOf(client(endpoint).call('BatchGetItem', { RequestItems: {} }));
    expect((error as Error & { code?: string }).code).toBe('ECONNREFUSED');
    expect(translateDynamoDbError(error)).toBeInstanceOf(DependencyUnavailableError);
  });
});

describe('dynamoDbEndpointFor', () => {
  it.each([
    ['us-east-1', false],
    ['eu-central-2', false],
    ['ap-southeast-5', false],
    ['mx-central-1', false],
    ['cn-north-1', false],
    ['cn-northwest-1', false],
    ['us-gov-west-1', false],
    ['us-east-1', true],
    ['ca-central-1', true],
    ['us-gov-east-1', true],
    ['us-gov-west-1', true],
  ])('gives the SDK\'s endpoint for %s (FIPS %s)', async (region, fips) => {
    const sdk = new DynamoDBClient({ region, useFipsEndpoint: fips, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    try {
      const resolved = sdk.config.endpointProvider({ Region: region, UseFIPS: fips, UseDualStack: false });
      expect(dynamoDbEndpointFor(region, fips)).toBe(resolved.url.href.replace(/\/$/, ''));
    } finally {
      sdk.destroy();
    }
  });

  it('knows no endpoint in partitions whose domains it does not hold, so the deployment must name one', () => {
    expect(dynamoDbEndpointFor('us-iso-east-1', false)).toBeUndefined();
    expect(dynamoDbEndpointFor('eu-isoe-west-1', false)).toBeUndefined();
    expect(dynamoDbEndpointFor('cn-north-1', true)).toBeUndefined();
  });
});
