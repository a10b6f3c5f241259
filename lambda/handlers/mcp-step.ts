/**
 * The MCP step's Lambda entry: a streaming proxy integration (API Gateway invokes it with
 * InvokeWithResponseStream) in front of an HTTP MCP backend (createMcpStepHandler in
 * lambda/adapters/mcp/mcp-step.ts). The shared secret, when configured, is read from Secrets
 * Manager once per container; if it cannot be read the step answers 503, never forwards without it.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Writable } from 'node:stream';
import { writeStreamingResponse, type StreamingPrelude } from '../adapters/apigw/streaming-response';
import { secretsManagerClient } from '../adapters/aws-clients/aws-clients';
import { readMcpStepEnvironment, readServiceName } from '../adapters/config/env';
import { createMcpStepHandler } from '../adapters/mcp/mcp-step';
import { EmfMcpStepMetrics } from '../adapters/observability/emf-operational-metrics';
import { lambdaGuardAudit } from '../adapters/observability/guard-audit-log';
import { SERVICE_NAMES } from '../adapters/observability/metric-names';
import { SecretsManagerClientSecret } from '../adapters/secrets/secrets-manager-client-secret';
import { oncePerContainer } from '../adapters/wiring/cold-start';

/** The Lambda Node.js runtime's response streaming globals. */
declare const awslambda: {
  streamifyResponse(handler: (event: APIGatewayProxyEvent, responseStream: Writable) => Promise<void>): unknown;
  HttpResponseStream: { from(responseStream: Writable, prelude: StreamingPrelude): Writable };
};

const step = oncePerContainer(async () => {
  const env = readMcpStepEnvironment();
  const serviceName = readServiceName(SERVICE_NAMES.mcpStep);
  const secret = env.sharedSecret && { header: env.sharedSecret.header, value: await new SecretsManagerClientSecret(secretsManagerClient(env.config.awsCalls), 'the backend shared secret').read(env.sharedSecret.secretArn) };
  return createMcpStepHandler({ resource: env.resource, backendUrl: env.backendUrl, sharedSecret: secret, audit: lambdaGuardAudit(serviceName), metrics: new EmfMcpStepMetrics({ serviceName, resourceUri: env.resource.uri }) });
});

const UNAVAILABLE = { statusCode: 503, headers: { 'Content-Type': 'application/json', 'Retry-After': '1' }, body: '{"jsonrpc":"2.0","id":null,"error":{"code":-32000,"message":"The guard cannot reach its backend settings; try again"}}' };

export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const serve = await step().catch(() => undefined);
  const result = serve ? await serve(event) : UNAVAILABLE;
  await writeStreamingResponse(result, (prelude) => awslambda.HttpResponseStream.from(responseStream, prelude));
});
