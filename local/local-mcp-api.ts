/**
 * Local mode's protected API: the demo MCP server and its protected resource metadata on
 * the API Gateway emulator, behind the guard's REQUEST authorizer, with the same gateway
 * responses, identity source and cache TTL that the CDK construct configures on AWS, and
 * the CloudFront functions McpProtectedApi puts in front of it (the same source files): the
 * viewer stamp, and the restore that lets a 403 challenge from the MCP server reach clients
 * as WWW-Authenticate.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ENDPOINT_PATHS } from '../lambda/core/authorization-server/endpoints';
import type { Config, ResourceConfig } from '../lambda/core/config';
import { protectedResourceMetadataPaths } from '../lambda/core/guard/protected-resource-metadata';
import { gatewayResponsesFor } from '../lambda/adapters/apigw/gateway-responses';
import { createProtectedResourceMetadataHandler } from '../lambda/adapters/apigw/protected-resource-metadata-proxy';
import { createAuthorizer } from '../lambda/adapters/apigw/request-authorizer';
import { DynamoDbRevocationStore } from '../lambda/adapters/dynamodb/dynamodb-revocation-store';
import type { TableNames } from '../lambda/adapters/dynamodb/tables';
import { createDemoMcpHandler } from '../lambda/adapters/mcp/demo-mcp-server';
import { VIEWER_IP_HEADER } from '../lambda/edge/edge-headers';
import { RESTORE_WWW_AUTHENTICATE_SOURCE, STAMP_VIEWER_IP_SOURCE } from './emulator/cloudfront-functions';
import { startApiGatewayEmulator } from './emulator/stage';
import type { EmulatedRoute, RunningApi } from './emulator/types';

export interface LocalMcpApiOptions {
  readonly config: Config;
  readonly resource: ResourceConfig;
  readonly port: number;
  readonly dynamoDb: DynamoDBClient;
  readonly tableNames: TableNames;
  readonly log: (line: string) => void;
  /** Where the authorizer fetches the JWKS; default: the issuer's. Tests point it at their own key server. */
  readonly jwksUri?: string;
  readonly host?: string;
}

/** The authorizer's single identity source: the only header every guarded request must carry. */
export const GUARD_IDENTITY_SOURCES = ['method.request.header.Authorization'] as const;

export async function startLocalMcpApi(opts: LocalMcpApiOptions): Promise<RunningApi> {
  const { config, resource } = opts;
  const resourcePath = new URL(resource.uri).pathname.replace(/\/$/, '') || '/';
  const authorizer = createAuthorizer({
    config,
    resource,
    jwksUri: opts.jwksUri ?? `${config.issuer}${ENDPOINT_PATHS.jwks}`,
    revocations: new DynamoDbRevocationStore(opts.dynamoDb, opts.tableNames.revocations),
    log: (entry) => opts.log(`[guard] ${JSON.stringify(entry)}`),
  });
  const mcp = createDemoMcpHandler({ config, resource });
  const metadata = createProtectedResourceMetadataHandler({ config, resource });
  const routes: EmulatedRoute[] = [
    ...['POST', 'GET', 'DELETE'].map((method) => ({ method, resource: resourcePath, handler: mcp, authorized: true })),
    ...protectedResourceMetadataPaths(resource).map((path) => ({ method: 'GET', resource: path, handler: metadata, authorized: false })),
  ];
  const responses = gatewayResponsesFor(resource);
  const api = await startApiGatewayEmulator({
    name: `mcp-api:${resource.uri}`,
    port: opts.port,
    host: opts.host,
    routes,
    authorizer: { handler: authorizer, identitySources: GUARD_IDENTITY_SOURCES, resultTtlSeconds: config.guard.authorizerCacheTtlSeconds },
    gatewayResponses: { UNAUTHORIZED: responses.UNAUTHORIZED, ACCESS_DENIED: responses.ACCESS_DENIED },
    edge: { viewerRequestFunction: STAMP_VIEWER_IP_SOURCE, viewerResponseFunction: RESTORE_WWW_AUTHENTICATE_SOURCE, viewerIpHeader: VIEWER_IP_HEADER },
  });
  opts.log(`${resource.name} at ${resource.uri} (authorizer cache ${config.guard.authorizerCacheTtlSeconds} s)`);
  return api;
}
