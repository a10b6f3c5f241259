/**
 * The one builder of the authorization server's dependencies, shared by the Lambda function
 * and local mode: the DynamoDB stores, the upstream IdP, the client metadata fetcher, the
 * signer, the audit sink and the error log. Each host passes only what differs (KMS or a key
 * file, EMF or console lines, local mode's test-only trust).
 */
import type { AuthorizationServerDeps } from '../../core/authorization-server/deps';
import type { EndpointGroup } from '../../core/authorization-server/endpoints';
import type { Config } from '../../core/config';
import type { AuditSink, CookieKeys, Signer, UpstreamGroups } from '../../core/ports';
import { cognitoClient, kmsClient, secretsManagerClient } from '../aws-clients/aws-clients';
import { DynamoDbJsonClient } from '../aws-clients/dynamodb-json-client';
import { builtAtFirstCall } from '../aws-clients/sdk-packages';
import type { AuthorizationServerEnvironment, AwsEnvironment } from '../config/env';
import type { DynamoDbCalls } from '../dynamodb/dynamodb-calls';
import { createDynamoDbStores } from '../dynamodb/dynamodb-stores';
import type { TableNames } from '../dynamodb/tables';
import { HttpClientMetadataFetcher, type HttpClientMetadataFetcherOptions } from '../http/client-metadata-fetcher';
import { HttpTrustedJwksSource } from '../http/trusted-jwks-source';
import { KmsCookieKeys } from '../kms/kms-cookie-keys';
import { KmsSigner } from '../kms/kms-signer';
import { EmfAuditSink } from '../observability/emf-audit-sink';
import { EmfDependencyOutages } from '../observability/emf-operational-metrics';
import { createSafeLogger } from '../observability/safe-logger';
import { SecretsManagerClientSecret } from '../secrets/secrets-manager-client-secret';
import { cryptoRandom } from '../system/crypto-random';
import { systemClock } from '../system/system-clock';
import { cognitoUserPoolOf } from '../upstream-oidc/cognito-issuer';
import { CognitoUpstreamGroups } from '../upstream-oidc/cognito-upstream-groups';
import { noUpstreamGroups } from '../upstream-oidc/no-upstream-groups';
import { OidcUpstreamIdp } from '../upstream-oidc/oidc-upstream-idp';

export interface AuthorizationServerParts {
  readonly config: Config;
  readonly dynamoDb: DynamoDbCalls;
  readonly tableNames: TableNames;
  readonly signer: Signer;
  /** The keys of the sealed browser cookies: a key file locally, a KMS HMAC key on AWS. */
  readonly cookieKeys: CookieKeys;
  /** The upstream IdP's client secret, when this function talks to it. */
  readonly upstreamClientSecret: string | undefined;
  readonly audit: AuditSink;
  readonly logError: AuthorizationServerDeps['logError'];
  /** Where a refresh re-reads a user's groups (docs/operations.md, "Groups at refresh"). @default nowhere: a recheck needs a new login */
  readonly upstreamGroups?: UpstreamGroups;
  /** What local mode adds to the client metadata fetcher for its tests. @default none */
  readonly metadataFetcher?: Pick<HttpClientMetadataFetcherOptions, 'resolve' | 'allowedTestOrigins' | 'ca'>;
}

export function buildAuthorizationServerDeps(parts: AuthorizationServerParts): AuthorizationServerDeps {
  const { config } = parts;
  // Per container (docs/operations.md, "Deleting a client"): revocations are not cached, so revoke --client acts at once.
  const stores = createDynamoDbStores(parts.dynamoDb, parts.tableNames, { clientCache: { clock: systemClock, ttlSeconds: config.registration.clientCacheSeconds } });
  return {
    config,
    clock: systemClock,
    random: cryptoRandom,
    signer: parts.signer,
    cookieKeys: parts.cookieKeys,
    ...stores,
    upstream: new OidcUpstreamIdp({
      issuer: config.upstream.issuer,
      clientId: config.upstream.clientId,
      clientSecret: parts.upstreamClientSecret,
      scopes: config.upstream.scopes,
      groupsClaim: config.upstream.groupsClaim,
    }),
    upstreamGroups: parts.upstreamGroups ?? upstreamGroupsFor(config),
    metadataFetcher: new HttpClientMetadataFetcher({
      timeoutMs: config.registration.metadataDocumentTimeoutMs,
      maxBytes: config.registration.metadataDocumentMaxBytes,
      cacheSeconds: config.registration.metadataDocumentCacheSeconds,
      clock: systemClock,
      ...parts.metadataFetcher,
    }),
    trustedIssuerKeys: new HttpTrustedJwksSource({ clock: systemClock }),
    audit: parts.audit,
    logError: parts.logError,
  };
}

/** Cognito can list a user's groups (AdminListGroupsForUser); another OIDC provider cannot, so a recheck there needs a new login. */
function upstreamGroupsFor(config: Config): UpstreamGroups {
  const pool = cognitoUserPoolOf(config.upstream.issuer);
  if (!pool) return noUpstreamGroups;
  return new CognitoUpstreamGroups(builtAtFirstCall(() => cognitoClient(config.awsCalls, pool.region)), pool.userPoolId);
}

/** The Lambda function's parts: DynamoDB's JSON protocol signed with the execution role's credentials, KMS, EMF metrics, the upstream secret from Secrets Manager. */
export async function lambdaAuthorizationServerDeps(
  env: AuthorizationServerEnvironment,
  aws: AwsEnvironment,
  serviceName: string,
  secrets: Pick<SecretsManagerClientSecret, 'read'> = new SecretsManagerClientSecret(builtAtFirstCall(() => secretsManagerClient(env.config.awsCalls))),
): Promise<AuthorizationServerDeps> {
  const { logError } = createSafeLogger({ serviceName });
  // KMS's package loads at the first signature or JWKS, not with the bundle (sdk-packages.ts).
  const kms = builtAtFirstCall(() => kmsClient(env.config.awsCalls));
  // No AWS SDK for DynamoDB: its load and first call were most of a cold start (docs/performance.md, "Cold starts").
  const dynamoDb = new DynamoDbJsonClient({ calls: env.config.awsCalls, region: aws.region, credentials: aws.credentials, endpoint: env.dynamoDbEndpoint ?? aws.dynamoDbEndpoint });
  void dynamoDb.connect();
  return buildAuthorizationServerDeps({
    config: env.config,
    dynamoDb,
    tableNames: env.tableNames,
    signer: new KmsSigner({ kms, activeKeyId: env.signingKeys.active, publishedKeyIds: env.signingKeys.published }),
    cookieKeys: env.cookieKeyId ? new KmsCookieKeys({ kms, macKeyId: env.cookieKeyId }) : noCookieKeys,
    upstreamClientSecret: await resolveUpstreamClientSecret(env.config, secrets, env.endpointGroup),
    audit: new EmfAuditSink({ serviceName }),
    logError: countingOutages(logError, new EmfDependencyOutages({ serviceName })),
  });
}

/** A function that serves no browser route has no cookie key (and no permission on one): reaching for it is a wiring bug. */
const noCookieKeys: CookieKeys = {
  keyRing: () => Promise.reject(new Error('this function has no cookie key (MCP_OAUTH_COOKIE_KEY): it serves no browser route')),
};

/** Every failure the router answers passes through logError: outages also become the metric the alarms watch (no log text to match). */
export function countingOutages(logError: AuthorizationServerDeps['logError'], outages: Pick<EmfDependencyOutages, 'record'>): AuthorizationServerDeps['logError'] {
  return (message, error) => {
    outages.record(error);
    logError(message, error);
  };
}

/**
 * The upstream client secret: inline in local mode and tests, in Secrets Manager
 * (config.upstream.clientSecretArn) in AWS. Read at cold start by the functions that talk to
 * the upstream IdP only; the others have no permission to read it and no use for it.
 */
export async function resolveUpstreamClientSecret(
  config: Config,
  secrets: Pick<SecretsManagerClientSecret, 'read'>,
  endpointGroup?: EndpointGroup,
): Promise<string | undefined> {
  if (config.upstream.clientSecret !== undefined) return config.upstream.clientSecret;
  if (!config.upstream.clientSecretArn || (endpointGroup !== undefined && endpointGroup !== 'browser')) return undefined;
  return secrets.read(config.upstream.clientSecretArn);
}

/** A function that could not start (a config error, Secrets Manager unreachable) says so in its log; callers get the generic 500. */
export function startupFailure(serviceName: string, error: unknown): void {
  new EmfDependencyOutages({ serviceName }).record(error);
  createSafeLogger({ serviceName }).logError('authorization server could not start', error);
}
