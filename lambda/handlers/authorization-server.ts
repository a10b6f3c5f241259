/**
 * The authorization server's Lambda entry: dependencies built once per container from the
 * environment, then every proxy event through the core router. Local mode serves the same
 * createAuthorizationServerHandler, with its own parts in the same deps builder. They are
 * built at init, where DynamoDB's connection is opened, so that its handshake is not on the
 * first request's path; a build that fails there is built again by the first invocation,
 * which answers and logs its error.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse } from '../core/authorization-server/responses';
import { createAuthorizationServerHandler } from '../adapters/apigw/authorization-server-proxy';
import { toProxyResult } from '../adapters/apigw/proxy-event';
import { readAuthorizationServerEnvironment, readAwsEnvironment, readServiceName } from '../adapters/config/env';
import { SERVICE_NAMES } from '../adapters/observability/metric-names';
import { lambdaAuthorizationServerDeps, startupFailure } from '../adapters/wiring/authorization-server-deps';
import { oncePerContainer, startDuringInit } from '../adapters/wiring/cold-start';

const serviceName = (): string => readServiceName(SERVICE_NAMES.authorizationServer);

const server = oncePerContainer(async () => createAuthorizationServerHandler(await lambdaAuthorizationServerDeps(readAuthorizationServerEnvironment(), readAwsEnvironment(), serviceName())));
startDuringInit(server);

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  let serve;
  try {
    serve = await server();
  } catch (error) {
    startupFailure(serviceName(), error);
    return toProxyResult(errorResponse(error, () => undefined));
  }
  return serve(event);
}
