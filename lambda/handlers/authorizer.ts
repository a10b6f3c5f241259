/**
 * The guard's REQUEST authorizer as a Lambda entry. The CDK app passes the validated
 * configuration and names the guarded resource and the revocations table; everything else
 * is createAuthorizer's (lambda/adapters/apigw/request-authorizer.ts).
 */
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { ENDPOINT_PATHS } from '../core/authorization-server/endpoints';
import { createAuthorizer } from '../adapters/apigw/request-authorizer';
import { dynamoDbClient } from '../adapters/aws-clients/aws-clients';
import { readAuthorizerEnvironment, readServiceName } from '../adapters/config/env';
import { DynamoDbRevocationStore } from '../adapters/dynamodb/dynamodb-revocation-store';
import { EmfAuthorizerMetrics } from '../adapters/observability/emf-operational-metrics';
import { lambdaGuardAudit } from '../adapters/observability/guard-audit-log';
import { SERVICE_NAMES } from '../adapters/observability/metric-names';
import { oncePerContainer } from '../adapters/wiring/cold-start';

const authorizer = oncePerContainer(() => {
  const env = readAuthorizerEnvironment();
  const serviceName = readServiceName(SERVICE_NAMES.authorizer);
  return createAuthorizer({
    config: env.config,
    resource: env.resource,
    jwksUri: `${env.config.issuer}${ENDPOINT_PATHS.jwks}`,
    revocations: new DynamoDbRevocationStore(dynamoDbClient(env.config.awsCalls), env.revocationsTableName),
    metrics: new EmfAuthorizerMetrics({ serviceName, resourceUri: env.resource.uri }),
    audit: lambdaGuardAudit(serviceName),
  });
});

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  return (await authorizer())(event);
}
