/**
 * lambda/adapters/aws-clients/aws-clients.ts and dynamodb-json-client.ts: every client of a
 * dependency (the SDK's for KMS and Secrets Manager, the JSON protocol's for DynamoDB) gives up on one that
 * accepts connections and never answers, after exactly config.awsCalls.maxAttempts attempts,
 * and the adapter in front of it turns that into DependencyUnavailableError (503, nothing
 * consumed: docs/security.md, case 68). The silent dependency is a loopback TCP server that
 * reads requests and answers none; the attempts are the connections it accepted (a timed-out
 * attempt's socket is destroyed, so each attempt opens its own).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { DependencyUnavailableError } from '../../lambda/core/errors';
import type { AwsCallsConfig } from '../../lambda/core/config';
import { kmsClient, secretsManagerClient, type EndpointOverride } from '../../lambda/adapters/aws-clients/aws-clients';
import { DynamoDbJsonClient } from '../../lambda/adapters/aws-clients/dynamodb-json-client';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import { DynamoDbClientStore } from '../../lambda/adapters/dynamodb/dynamodb-client-store';
import { KmsSigner } from '../../lambda/adapters/kms/kms-signer';
import { SecretsManagerClientSecret } from '../../lambda/adapters/secrets/secrets-manager-client-secret';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../local/dynamodb-local';
import { localTestConfig } from '../support/in-memory-ports';

/** Short attempts so that the file runs in seconds; the shape of the budget is the defaults'. */
const CALLS: AwsCallsConfig = { connectionTimeoutMs: 200, requestTimeoutMs: 300, maxAttempts: 3, retryDelayMs: 20 };

let server: Server;
let override: EndpointOverride;
let accepted = 0;
const sockets = new Set<Socket>();
/** What the dependency does with a request: nothing, or refuse it as DynamoDB refuses a write whose condition failed (a client error). */
let behaviour: 'silent' | 'conditionFailed' = 'silent';
const CONDITION_FAILED = JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' });

beforeAll(async () => {
  server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', () => {
      if (behaviour === 'silent') return; // read the request, never answer
      socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: ${Buffer.byteLength(CONDITION_FAILED)}\r\nConnection: close\r\n\r\n${CONDITION_FAILED}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  override = { endpoint: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS };
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  accepted = 0;
  behaviour = 'silent';
});

const dynamoDb = (calls: AwsCallsConfig) => new DynamoDbJsonClient({ calls, endpoint: override.endpoint, region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS });

async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call to a silent dependency succeeded');
}

describe('aws-clients: a dependency that never answers', () => {
  it('DynamoDB: the store gives up after maxAttempts attempts with DependencyUnavailableError', async () => {
    const client = dynamoDb(CALLS);
    try {
      const error = await failure(() => new DynamoDbClientStore(client, 'clients').get('some-client'));
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(accepted).toBe(CALLS.maxAttempts);
    } finally {
      client.destroy();
    }
  });

  it('KMS: the signer gives up after maxAttempts attempts with DependencyUnavailableError', async () => {
    const client = kmsClient(CALLS, override);
    try {
      const error = await failure(() => new KmsSigner({ kms: client, activeKeyId: 'alias/signing', publishedKeyIds: [] }).currentKeyId());
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(accepted).toBe(CALLS.maxAttempts);
    } finally {
      client.destroy();
    }
  });

  it('Secrets Manager: the secret reader gives up after maxAttempts attempts with DependencyUnavailableError', async () => {
    const client = secretsManagerClient(CALLS, override);
    try {
      const error = await failure(() => new SecretsManagerClientSecret(client).read('arn:aws:secretsmanager:us-east-1:123456789012:secret:upstream'));
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(accepted).toBe(CALLS.maxAttempts);
    } finally {
      client.destroy();
    }
  });

  it('one attempt only when maxAttempts is 1: no retry at all', async () => {
    const client = dynamoDb({ ...CALLS, maxAttempts: 1 });
    try {
      expect(await failure(() => new DynamoDbClientStore(client, 'clients').get('some-client'))).toBeInstanceOf(DependencyUnavailableError);
      expect(accepted).toBe(1);
    } finally {
      client.destroy();
    }
  });
});

describe('aws-clients: a client error', () => {
  it('is not retried: a failed condition is the answer, one attempt', async () => {
    behaviour = 'conditionFailed';
    const client = dynamoDb(CALLS);
    try {
      const error = await failure(() => client.call('PutItem', { TableName: 'codes', Item: { pk: { S: 'x' } }, ConditionExpression: 'attribute_not_exists(pk)' }));
      expect((error as Error).name).toBe('ConditionalCheckFailedException');
      expect(accepted).toBe(1);
    } finally {
      client.destroy();
    }
  });
});

describe('config.awsCalls', () => {
  it('defaults to 2 attempts of at most 1000 ms with 100 ms between them: 2.1 s at worst, under the 2.5 s of case 68', () => {
    expect(localTestConfig().awsCalls).toEqual({ connectionTimeoutMs: 500, requestTimeoutMs: 1000, maxAttempts: 2, retryDelayMs: 100 });
  });

  it.each([
    ['a worst case beyond 4 s (the authorizer times out at 5 s)', { maxAttempts: 5, requestTimeoutMs: 1000 }, 'awsCalls: maxAttempts x requestTimeoutMs + (maxAttempts - 1) x retryDelayMs is 5400 ms: must be at most 4000 ms'],
    ['a connection timeout longer than the request timeout that includes it', { connectionTimeoutMs: 2000 }, 'awsCalls.connectionTimeoutMs: must not exceed awsCalls.requestTimeoutMs'],
    ['no attempt at all', { maxAttempts: 0 }, 'awsCalls.maxAttempts: must be a whole number > 0'],
    ['an unknown option', { timeoutMs: 5 }, 'awsCalls.timeoutMs: is not a known option'],
  ])('refuses %s, naming the option', (_label, awsCalls, message) => {
    const raw = JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));
    raw.awsCalls = awsCalls;
    expect(() => parseConfig(raw)).toThrow(message);
  });
});

