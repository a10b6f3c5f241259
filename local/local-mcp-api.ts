/**
 * Local mode's protected API for one resource: its backend (the demo MCP server, or any MCP
 * server over HTTP through the MCP step, streaming) and its protected resource metadata on
 * the API Gateway emulator, behind the guard's REQUEST authorizer, with the same REST
 * resources (lib/definitions/rest-routes.ts), gateway responses, identity sources, cache
 * TTL, function timeouts, stage throttling and WAF rate rules that McpProtectedApi
 * configures on AWS, and the edge it puts in front (the same source files): the viewer
 * stamp, and the origin-response restore that lets a 403 challenge from the MCP step or
 * server reach clients as WWW-Authenticate.
 */
import { ENDPOINT_PATHS } from '../lambda/core/authorization-server/endpoints';
import type { Config, ResourceConfig } from '../lambda/core/config';
import { AUTHORIZER_IDENTITY_SOURCES } from '../lambda/adapters/apigw/authorizer-policy';
import { gatewayResponsesFor } from '../lambda/adapters/apigw/gateway-responses';
import { createProtectedResourceMetadataHandler } from '../lambda/adapters/apigw/protected-resource-metadata-proxy';
import { createAuthorizer } from '../lambda/adapters/apigw/request-authorizer';
import { writeStreamingResponse } from '../lambda/adapters/apigw/streaming-response';
import type { DynamoDbCalls } from '../lambda/adapters/dynamodb/dynamodb-calls';
import { RevocationReader } from '../lambda/adapters/dynamodb/revocation-reader';
import type { TableNames } from '../lambda/adapters/dynamodb/tables';
import { createDemoMcpHandler } from '../lambda/adapters/mcp/demo-mcp-server';
import { createMcpStepHandler } from '../lambda/adapters/mcp/mcp-step';
import { createTokenExchanger, type TokenExchanger } from '../lambda/adapters/mcp/token-exchanger';
import { consoleGuardAudit } from '../lambda/adapters/observability/guard-audit-log';
import { FUNCTION_SETTINGS } from '../lib/definitions/function-settings';
import { protectedApiRoutes } from '../lib/definitions/rest-routes';
import { startApiGatewayEmulator } from './emulator/stage';
import { lambdaResponseStream, type StreamingLambdaHandler } from './emulator/streaming-integration';
import type { EmulatedRoute, ProxyHandler, RunningApi } from './emulator/types';
import type { LocalConfig } from './local-config';
import { LOCAL_EDGE, localStageThrottling, protectedApiWebAcl } from './local-deployment';

export interface LocalMcpApiOptions {
  readonly config: Config;
  readonly resource: ResourceConfig;
  readonly port: number;
  readonly dynamoDb: DynamoDbCalls;
  readonly tableNames: TableNames;
  readonly log: (line: string) => void;
  /** The local section's overrides of the deployed rate limits and throttling. @default none: the deployed values */
  readonly local?: Pick<LocalConfig, 'rateLimits' | 'stageThrottling'>;
  /** Where the authorizer fetches the JWKS; default: the issuer's. Tests point it at their own key server. */
  readonly jwksUri?: string;
  readonly host?: string;
}

export async function startLocalMcpApi(opts: LocalMcpApiOptions): Promise<RunningApi> {
  const { config, resource } = opts;
  const audit = consoleGuardAudit((line) => opts.log(`[guard] ${line}`));
  const authorizer = createAuthorizer({
    config,
    resource,
    jwksUri: opts.jwksUri ?? `${config.issuer}${ENDPOINT_PATHS.jwks}`,
    revocations: new RevocationReader(opts.dynamoDb, opts.tableNames.revocations),
    log: (entry) => opts.log(`[guard] ${JSON.stringify(entry)}`),
    audit,
  });
  const backend = localBackend(config, resource, audit);
  const metadata = createProtectedResourceMetadataHandler({ config, resource });
  const routes = protectedApiRoutes(resource).map((route): EmulatedRoute => {
    const authorized = route.guarded;
    if (route.target === 'metadata') return { method: route.method, resource: route.path, handler: metadata, authorized, timeoutSeconds: FUNCTION_SETTINGS.protectedResourceMetadata.timeoutSeconds };
    return backend.streaming
      ? { method: route.method, resource: route.path, handler: backend.streaming, responseTransferMode: 'STREAM', authorized, timeoutSeconds: FUNCTION_SETTINGS.mcpStep.timeoutSeconds }
      : { method: route.method, resource: route.path, handler: backend.buffered, authorized, timeoutSeconds: FUNCTION_SETTINGS.demoMcpServer.timeoutSeconds };
  });
  const local = opts.local ?? {};
  const responses = gatewayResponsesFor(resource);
  const api = await startApiGatewayEmulator({
    name: `mcp-api:${resource.uri}`,
    port: opts.port,
    host: opts.host,
    routes,
    authorizer: { handler: authorizer, identitySources: AUTHORIZER_IDENTITY_SOURCES, resultTtlSeconds: config.guard.authorizerCacheTtlSeconds, timeoutSeconds: FUNCTION_SETTINGS.authorizer.timeoutSeconds },
    gatewayResponses: { UNAUTHORIZED: responses.UNAUTHORIZED, ACCESS_DENIED: responses.ACCESS_DENIED },
    waf: protectedApiWebAcl(local, resource),
    throttling: localStageThrottling(local, 'protectedApi'),
    edge: LOCAL_EDGE,
  });
  const served = resource.backend && 'httpUrl' in resource.backend ? `the MCP server at ${resource.backend.httpUrl}` : 'the demo MCP server';
  opts.log(`${resource.name} at ${resource.uri}: ${served} behind the guard (authorizer cache ${config.guard.authorizerCacheTtlSeconds} s)`);
  return api;
}

/** The demo server (buffered), or the MCP step in front of an HTTP backend (streaming, as on AWS). */
function localBackend(config: Config, resource: ResourceConfig, audit: ReturnType<typeof consoleGuardAudit>): { readonly buffered: ProxyHandler; readonly streaming?: undefined } | { readonly streaming: StreamingLambdaHandler; readonly buffered?: undefined } {
  const backend = resource.backend;
  if (!backend) return { buffered: createDemoMcpHandler({ config, resource, audit, ...demoExchanger(config, resource) }) };
  if (!('httpUrl' in backend)) throw new Error(`${resource.uri}: a Lambda backend (backend.lambdaFunctionArn) runs on AWS only; serve your MCP server over HTTP and use backend.httpUrl in local mode`);
  const secret = backend.sharedSecret;
  if (secret && secret.value === undefined) throw new Error(`${resource.uri}: backend.sharedSecret.secretArn is read from Secrets Manager on AWS only; local mode needs backend.sharedSecret.value`);
  const step = createMcpStepHandler({
    resource,
    backendUrl: backend.httpUrl,
    sharedSecret: secret ? { header: secret.header, value: secret.value! } : undefined,
    audit,
  });
  return { streaming: async (event, responseStream) => writeStreamingResponse(await step(event), (prelude) => lambdaResponseStream(responseStream, prelude)) };
}

/** The demo server's token exchanger, when its resource names downstream APIs and (local mode) the serverClient's secret. */
function demoExchanger(config: Config, resource: ResourceConfig): { exchanger?: TokenExchanger } {
  const client = resource.serverClient;
  if (resource.downstream.length === 0 || !client) return {};
  if (client.clientSecret === undefined) throw new Error(`${resource.uri}: serverClient.clientSecretArn is read from Secrets Manager on AWS only; local mode needs serverClient.clientSecret`);
  return { exchanger: createTokenExchanger({ tokenEndpoint: `${config.issuer}/token`, clientId: client.clientId, clientSecret: client.clientSecret }) };
}
