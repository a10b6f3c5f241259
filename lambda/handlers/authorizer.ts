/**
 * The guard's REQUEST authorizer as a Lambda entry: the CDK app bundles the configuration it
 * validated at synth and names the guarded resource and the revocations table; the rest is
 * createAuthorizer's. Its cold start is on the path of a container's first MCP request, so it
 * loads no AWS SDK (DynamoDbJsonClient), no zod (env-readers.ts) and no Powertools Metrics
 * (authorizer-metrics.ts), and it is built at init, its JWKS fetch and DynamoDB connection
 * started then; a build that fails there is built again by the first invocation.
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { ENDPOINT_PATHS } from '../core/authorization-server/endpoints';
import { createAuthorizer } from '../adapters/apigw/request-authorizer';
import { DynamoDbJsonClient } from '../adapters/aws-clients/dynamodb-json-client';
import { readAuthorizerEnvironment, readAwsEnvironment, readMetricsDisabled, readServiceName } from '../adapters/config/env-readers';
import { RevocationReader } from '../adapters/dynamodb/revocation-reader';
import { EmfAuthorizerMetrics } from '../adapters/observability/authorizer-metrics';
import { lambdaGuardAudit } from '../adapters/observability/guard-audit-log';
import { SERVICE_NAMES } from '../adapters/observability/metric-names';
import { oncePerContainer, startDuringInit } from '../adapters/wiring/cold-start';

const authorizer = oncePerContainer(() => {
  const env = readAuthorizerEnvironment();
  const aws = readAwsEnvironment();
  const serviceName = readServiceName(SERVICE_NAMES.authorizer);
  const dynamoDb = new DynamoDbJsonClient({ calls: env.config.awsCalls, region: aws.region, credentials: aws.credentials, endpoint: aws.dynamoDbEndpoint });
  void dynamoDb.connect();
  return createAuthorizer({
    config: env.config,
    resource: env.resource,
    jwksUri: `${env.config.issuer}${ENDPOINT_PATHS.jwks}`,
    prefetchJwks: true,
    revocations: new RevocationReader(dynamoDb, env.revocationsTableName),
    metrics: new EmfAuthorizerMetrics({ serviceName, resourceUri: env.resource.uri, disabled: readMetricsDisabled() }),
    audit: lambdaGuardAudit(serviceName),
  });
});
startDuringInit(authorizer);

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  return (await authorizer())(event);
}
