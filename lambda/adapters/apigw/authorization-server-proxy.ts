/**
 * The authorization server's Lambda entry: proxy event -> core -> proxy result, nothing
 * else. Local mode runs the same createAuthorizationServerHandler behind the API Gateway
 * emulator, with local adapters in the deps.
 *
 * Dependencies are built on the first invocation and kept for the container's life
 * (clients, JWKS, discovery documents and caches survive between invocations). A failure
 * while building them is not kept: the next invocation tries again.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createAuthorizationServer } from '../core/authorization-server/router';
import type { AuthorizationServerDeps } from '../core/authorization-server/deps';
import { errorResponse } from '../core/authorization-server/responses';
import type { Config } from '../core/config';
import { toHttpRequest, toProxyResult } from '../adapters/apigw/proxy-event';
import { readAuthorizationServerEnvironment, readServiceName, type AuthorizationServerEnvironment, type EndpointGroup } from '../adapters/config/env';
import { createDynamoDbStores } from '../adapters/dynamodb/dynamodb-stores';
import { HttpClientMetadataFetcher } from '../adapters/http/client-metadata-fetcher';
import { KmsSigner } from '../adapters/kms/kms-signer';
import { EmfAuditSink } from '../adapters/observability/emf-audit-sink';
import { EmfDependencyOutages } from '../adapters/observability/emf-operational-metrics';
import { SERVICE_NAMES } from '../adapters/observability/metric-names';
import { createSafeLogger } from '../adapters/observability/safe-logger';
import { cryptoRandom } from '../adapters/system/crypto-random';
import { systemClock } from '../adapters/system/system-clock';
import { SecretsManagerClientSecret } from '../adapters/secrets/secrets-manager-client-secret';
import { OidcUpstreamIdp } from '../adapters/upstream-oidc/oidc-upstream-idp';

export type AuthorizationServerHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

const serviceName = (): string => readServiceName(SERVICE_NAMES.authorizationServer);

export function createAuthorizationServerHandler(deps: AuthorizationServerDeps): AuthorizationServerHandler {
  const server = createAuthorizationServer(deps);
  return async (event) => {
    try {
      return toProxyResult(await server.handle(toHttpRequest(event)));
    } catch (error) {
      // The router already answers every failure; this only guards the conversion itself.
      return toProxyResult(errorResponse(error, deps.logError));
    }
  };
}

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

export async function buildLambdaDeps(
  env: AuthorizationServerEnvironment,
  secrets: Pick<SecretsManagerClientSecret, 'read'> = new SecretsManagerClientSecret(new SecretsManagerClient({})),
): Promise<AuthorizationServerDeps> {
  const { config } = env;
  const { logError } = createSafeLogger({ serviceName: serviceName() });
  const outages = new EmfDependencyOutages({ serviceName: serviceName() });
  const dynamoDb = new DynamoDBClient(env.dynamoDbEndpoint ? { endpoint: env.dynamoDbEndpoint } : {});
  return {
    config,
    clock: systemClock,
    random: cryptoRandom,
    signer: new KmsSigner({ kms: new KMSClient({}), activeKeyId: env.signingKeys.active, publishedKeyIds: env.signingKeys.published }),
    ...createDynamoDbStores(dynamoDb, env.tableNames),
    upstream: new OidcUpstreamIdp({
      issuer: config.upstream.issuer,
      clientId: config.upstream.clientId,
      clientSecret: await resolveUpstreamClientSecret(config, secrets, env.endpointGroup),
      scopes: config.upstream.scopes,
      groupsClaim: config.upstream.groupsClaim,
    }),
    metadataFetcher: new HttpClientMetadataFetcher({
      timeoutMs: config.registration.metadataDocumentTimeoutMs,
      maxBytes: config.registration.metadataDocumentMaxBytes,
      cacheSeconds: config.registration.metadataDocumentCacheSeconds,
      clock: systemClock,
    }),
    audit: new EmfAuditSink({ serviceName: serviceName() }),
    logError: countingOutages(logError, outages),
  };
}

let building: Promise<AuthorizationServerHandler> | undefined;

function coldStartHandler(): Promise<AuthorizationServerHandler> {
  // Built once per container; a failure (a config error, Secrets Manager unreachable) is not kept, so the next invocation tries again.
  building ??= Promise.resolve()
    .then(() => buildLambdaDeps(readAuthorizationServerEnvironment()))
    .then(createAuthorizationServerHandler)
    .catch((error: unknown) => {
      building = undefined;
      throw error;
    });
  return building;
}

export const handler: AuthorizationServerHandler = async (event) => {
  let serve: AuthorizationServerHandler;
  try {
    serve = await coldStartHandler();
  } catch (error) {
    // A misconfigured function says so in its log, and callers get the generic 500.
    new EmfDependencyOutages({ serviceName: serviceName() }).record(error);
    createSafeLogger({ serviceName: serviceName() }).logError('authorization server could not start', error);
    return toProxyResult(errorResponse(error, () => undefined));
  }
  return serve(event);
};
