/**
 * The SDK's retry strategy, cut down to what config.awsCalls promises: at most `maxAttempts`
 * attempts with a fixed pause between them, so the worst case of a call is the documented sum
 * (awsCallWorstCaseMs). The SDK's standard strategy waits longer and by chance (exponential
 * backoff with jitter, 500 ms bases for throttling, a service's Retry-After hint of up to 5 s
 * more), and importing it costs the authorizer's bundle about 27 KB (docs/performance.md).
 *
 * What is retried is what the standard strategy retries: throttling and transient errors (a
 * timeout, a refused or reset connection), never a client error such as a failed condition.
 * It keeps no retry quota across calls: with the default of 2 attempts a failing dependency
 * sees at most twice the calls, and gives up fast.
 */
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** The SDK's RetryStrategyV2 (the client config's retryStrategy that hands out tokens). */
type RetryStrategyV2 = Extract<NonNullable<DynamoDBClientConfig['retryStrategy']>, { acquireInitialRetryToken: unknown }>;
type RetryToken = Awaited<ReturnType<RetryStrategyV2['acquireInitialRetryToken']>>;
type RetryErrorInfo = Parameters<RetryStrategyV2['refreshRetryTokenForRetry']>[1];

const RETRIED: ReadonlySet<RetryErrorInfo['errorType']> = new Set(['THROTTLING', 'TRANSIENT']);

/** The token's delay is the pause the SDK's retry middleware sleeps before the next attempt. */
function token(retryCount: number, delayMs: number): RetryToken {
  return { getRetryCount: () => retryCount, getRetryDelay: () => delayMs };
}

export class FixedDelayRetries implements RetryStrategyV2 {
  constructor(private readonly maxAttempts: number, private readonly delayMs: number) {}

  async acquireInitialRetryToken(): Promise<RetryToken> {
    return token(0, 0);
  }

  async refreshRetryTokenForRetry(previous: RetryToken, errorInfo: RetryErrorInfo): Promise<RetryToken> {
    const attemptsMade = previous.getRetryCount() + 1;
    if (attemptsMade >= this.maxAttempts || !RETRIED.has(errorInfo.errorType)) throw new Error('No retry token available');
    return token(attemptsMade, this.delayMs);
  }

  recordSuccess(): void {}
}
