/**
 * DynamoDB's JSON protocol over node:https, signed with SigV4 (sigv4.ts): the transport of
 * the functions' and local mode's DynamoDB calls (dynamodb/dynamodb-calls.ts), without the AWS
 * SDK. Loading the SDK's DynamoDB client and making its first call cost the authorizer's cold
 * start about 100 ms here, more than everything else together, and each warm call through the
 * SDK about 1.7 ms more (docs/performance.md, "Cold starts" and "Full flow").
 *
 * It keeps the promises of config.awsCalls that the SDK clients keep (aws-clients.ts): each
 * attempt has its connection timeout (TCP and TLS) and its request timeout (from the start to
 * the whole answer), at most maxAttempts attempts with retryDelayMs between them, and only
 * what the store adapters count as the dependency being unavailable (store-errors.ts:
 * throttling, 5xx, timeouts, a refused or reset connection) is retried. What it throws has
 * the SDK's error shape (name, $fault, $metadata.httpStatusCode, a cancelled transaction's
 * CancellationReasons, or the socket's code), so translateDynamoDbError reads it as it reads
 * the SDK's. Connections are kept alive.
 */
import type { TransactWriteItemsCommandInput } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { AwsCallsConfig } from '../../core/config';
import type { DynamoDbCalls, DynamoDbOperation, DynamoDbOperations } from '../dynamodb/dynamodb-calls';
import { isUnavailable } from '../dynamodb/store-errors';
import { signRequest, type AwsCredentials } from './sigv4';

export interface DynamoDbJsonClientOptions {
  readonly calls: AwsCallsConfig;
  readonly region: string;
  readonly credentials: AwsCredentials;
  /** The service's URL: https://dynamodb.<region>.amazonaws.com in AWS (dynamoDbEndpointFor). */
  readonly endpoint: string;
  /** The signing time; replaceable for tests. */
  readonly now?: () => Date;
}

/** A cancelled transaction's reason for each of its items, in order, as the SDK gives them. */
type CancellationReasons = readonly { readonly Code?: string; readonly Message?: string }[];

/** A DynamoDB error answer, shaped as the SDK's service exceptions are. */
export class DynamoDbServiceError extends Error {
  readonly $fault: 'client' | 'server';
  readonly $metadata: { readonly httpStatusCode: number };
  readonly CancellationReasons?: CancellationReasons;

  constructor(name: string, message: string, httpStatusCode: number, cancellationReasons?: CancellationReasons) {
    super(message);
    this.name = name;
    this.$fault = httpStatusCode >= 500 ? 'server' : 'client';
    this.$metadata = { httpStatusCode };
    if (cancellationReasons) this.CancellationReasons = cancellationReasons;
  }
}

/** The SDK's name for an attempt that ran out of time. */
function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { name: 'TimeoutError' });
}

const API_VERSION_TARGET = 'DynamoDB_20120810';

export class DynamoDbJsonClient implements DynamoDbCalls {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;
  private readonly now: () => Date;

  constructor(private readonly options: DynamoDbJsonClientOptions) {
    this.url = new URL(options.endpoint);
    const secure = this.url.protocol === 'https:';
    this.agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.send = secure ? httpsRequest : httpRequest;
    this.now = options.now ?? (() => new Date());
  }

  /** One operation (`BatchGetItem`, ...) with its JSON input; its JSON output, or the error of the last attempt. */
  async call<O extends DynamoDbOperation>(operation: O, input: DynamoDbOperations[O]['input']): Promise<DynamoDbOperations[O]['output']> {
    const body = JSON.stringify(operation === 'TransactWriteItems' ? withIdempotencyToken(input as TransactWriteItemsCommandInput) : input);
    const { maxAttempts, retryDelayMs } = this.options.calls;
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.attempt(operation, body)) as DynamoDbOperations[O]['output'];
      } catch (error) {
        if (attempt >= maxAttempts || !isUnavailable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      }
    }
  }

  /**
   * Opens the kept-alive connection (TCP and TLS) before the first call, so that a handshake
   * made during Lambda's init is not on the first request's path: a GET of the endpoint's root,
   * which DynamoDB answers unsigned and unbilled (a health check, docs/performance.md "Cold
   * starts"). Its answer is read and dropped. It never fails: a connection it could not open is
   * opened by the first call, as it would have been.
   */
  connect(): Promise<void> {
    const { connectionTimeoutMs, requestTimeoutMs } = this.options.calls;
    return new Promise<void>((resolve) => {
      const request = this.send({ protocol: this.url.protocol, hostname: this.url.hostname, port: this.url.port, path: '/', method: 'GET', agent: this.agent }, (response) => {
        response.on('end', resolve);
        response.on('error', () => resolve());
        response.resume();
      });
      request.setTimeout(connectionTimeoutMs + requestTimeoutMs, () => request.destroy());
      request.on('error', () => resolve());
      request.end();
    });
  }

  /** Closes the kept-alive connections (local mode's stop, tests); Lambda freezes them instead. */
  destroy(): void {
    this.agent.destroy();
  }

  private attempt(operation: string, body: string): Promise<unknown> {
    const { connectionTimeoutMs, requestTimeoutMs } = this.options.calls;
    const path = this.url.pathname || '/';
    const headers = signRequest(
      {
        method: 'POST',
        host: this.url.host,
        path,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `${API_VERSION_TARGET}.${operation}` },
        body,
      },
      { service: 'dynamodb', region: this.options.region, credentials: this.options.credentials, now: this.now() },
    );
    return new Promise((resolve, reject) => {
      const timers: NodeJS.Timeout[] = [];
      const fail = (error: Error) => {
        timers.forEach(clearTimeout);
        request.destroy();
        reject(error);
      };
      const request: ClientRequest = this.send(
        { protocol: this.url.protocol, hostname: this.url.hostname, port: this.url.port, path, method: 'POST', agent: this.agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', fail);
          response.on('end', () => {
            timers.forEach(clearTimeout);
            try {
              resolve(answerOf(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
            } catch (error) {
              reject(error as Error);
            }
          });
        },
      );
      timers.push(setTimeout(() => fail(timeoutError(`DynamoDB ${operation} took longer than ${requestTimeoutMs} ms`)), requestTimeoutMs));
      request.on('error', fail);
      request.on('socket', (socket: Socket) => {
        // A kept-alive socket is connected already; a new one has connectionTimeoutMs to finish its TCP (and TLS) handshake.
        if (!socket.connecting) return;
        const connecting = setTimeout(() => fail(timeoutError(`DynamoDB connection took longer than ${connectionTimeoutMs} ms`)), connectionTimeoutMs);
        timers.push(connecting);
        socket.once(this.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => clearTimeout(connecting));
      });
      request.end(body);
    });
  }
}

/**
 * A transaction carries a ClientRequestToken made once per call, before the retries, as the
 * SDK makes it: an attempt DynamoDB applied but whose answer was lost is then answered on the
 * retry with the first attempt's outcome, not run again and refused by its own conditions
 * (test/integration/lost-answer-retry.test.ts).
 */
function withIdempotencyToken(input: TransactWriteItemsCommandInput): TransactWriteItemsCommandInput {
  return input.ClientRequestToken === undefined ? { ...input, ClientRequestToken: randomUUID() } : input;
}

function answerOf(status: number, text: string): unknown {
  let parsed: unknown;
  try {
    parsed = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new DynamoDbServiceError(status >= 500 ? 'InternalServerError' : 'UnknownError', `DynamoDB answered ${status} with a body that is not JSON`, status);
  }
  if (status === 200) return parsed;
  const error = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as { __type?: unknown; message?: unknown; Message?: unknown; CancellationReasons?: unknown };
  // "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException": the name is after the #.
  const name = typeof error.__type === 'string' ? error.__type.slice(error.__type.lastIndexOf('#') + 1) : status >= 500 ? 'InternalServerError' : 'UnknownError';
  const message = typeof error.message === 'string' ? error.message : typeof error.Message === 'string' ? error.Message : `DynamoDB answered ${status}`;
  const reasons = Array.isArray(error.CancellationReasons) ? (error.CancellationReasons as CancellationReasons) : undefined;
  throw new DynamoDbServiceError(name, message, status, reasons);
}

/**
 * DynamoDB's regional endpoint, as the SDK's endpoint rules give it for the partitions Lambda
 * runs in (test/unit/dynamodb-json-client.test.ts compares them): amazonaws.com, and
 * amazonaws.com.cn in China; `dynamodb-fips` when AWS_USE_FIPS_ENDPOINT asks for it, except
 * in GovCloud, whose regional endpoints are the FIPS ones. Any other partition, and FIPS in
 * China, need the endpoint named (AWS_ENDPOINT_URL_DYNAMODB): undefined then.
 */
export function dynamoDbEndpointFor(region: string, fips: boolean): string | undefined {
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d+$/.test(region)) return undefined;
  if (region.startsWith('cn-')) return fips ? undefined : `https://dynamodb.${region}.amazonaws.com.cn`;
  const fipsHost = fips && !region.startsWith('us-gov-');
  return `https://dynamodb${fipsHost ? '-fips' : ''}.${region}.amazonaws.com`;
}
