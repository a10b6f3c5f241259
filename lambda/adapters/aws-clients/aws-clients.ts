/**
 * The one builder of the AWS SDK clients (KMS, Secrets Manager, Cognito), so that every call
 * has the same explicit timeouts and bounded retries (config.awsCalls). Without them the SDK
 * waits on a silent connection for as long as the function runs: a DynamoDB that stops
 * answering held `/token` until API Gateway's 29 s timeout. With them a call gives up within
 * awsCallWorstCaseMs (2.1 s with the defaults); the adapters turn that into
 * DependencyUnavailableError, which the router answers 503 temporarily_unavailable with
 * Retry-After, and a failed call wrote nothing the request depends on (docs/design.md, "Fail fast").
 * KMS, Secrets Manager and Cognito load at their first client (sdk-packages.ts).
 * DynamoDB is not among them: the functions' and local mode's stores call it through
 * dynamodb-json-client.ts, which keeps the same promises without loading the SDK.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsCallsConfig } from '../../core/config';
import { FixedDelayRetries } from './fixed-delay-retries';
import { cognitoSdk, kmsSdk, secretsManagerSdk } from './sdk-packages';

/** What each client is built with besides its own settings (endpoint, region, credentials). */
export interface AwsCallSettings {
  readonly maxAttempts: number;
  readonly retryStrategy: FixedDelayRetries;
  readonly requestHandler: { readonly connectionTimeout: number; readonly requestTimeout: number; readonly throwOnRequestTimeout: true };
}

export function awsCallSettings(calls: AwsCallsConfig): AwsCallSettings {
  return {
    maxAttempts: calls.maxAttempts,
    retryStrategy: new FixedDelayRetries(calls.maxAttempts, calls.retryDelayMs),
    // The SDK only warns when requestTimeout passes unless throwOnRequestTimeout is set; an attempt that only warns never ends.
    requestHandler: { connectionTimeout: calls.connectionTimeoutMs, requestTimeout: calls.requestTimeoutMs, throwOnRequestTimeout: true },
  };
}

/** Where a client talks when not to AWS: DynamoDB Local (with its fake region and credentials), or a test's loopback server. Absent in AWS. */
export interface EndpointOverride {
  readonly endpoint: string;
  readonly region?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export function kmsClient(calls: AwsCallsConfig, override?: EndpointOverride): KMSClient {
  return new (kmsSdk().KMSClient)({ ...awsCallSettings(calls), ...override });
}

export function secretsManagerClient(calls: AwsCallsConfig, override?: EndpointOverride): SecretsManagerClient {
  return new (secretsManagerSdk().SecretsManagerClient)({ ...awsCallSettings(calls), ...override });
}

/** Cognito's user pool API (a user's groups at refresh), in the pool's own region. */
export function cognitoClient(calls: AwsCallsConfig, region: string): CognitoIdentityProviderClient {
  return new (cognitoSdk().CognitoIdentityProviderClient)({ ...awsCallSettings(calls), region });
}
