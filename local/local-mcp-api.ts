/**
 * Local mode's protected API: the demo MCP server and its protected resource metadata on
 * the API Gateway emulator, behind the guard's REQUEST authorizer, with the same gateway
 * responses, identity source and cache TTL that the CDK construct configures on AWS, and
 * the CloudFront functions McpProtectedApi puts in front of it (the same source files): the
 * viewer stamp, and the restore that lets a 403 challenge from the MCP server reach clients
 * as WWW-Authenticate.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config, ResourceConfig } from '../../core/config';
import { gatewayResponsesFor, protectedResourceMetadataPaths } from '../../core/guard/challenges';
import { ENDPOINT_PATHS } from '../../core/authorization-server/deps';
import { createAuthorizer } from '../../handlers/authorizer';
import { createDemoMcpHandler } from '../../handlers/demo-mcp-server';
import { createProtectedResourceMetadataHandler } from '../../handlers/protected-resource-metadata';
import { DynamoDbRevocationStore } from '../dynamodb/dynamodb-revocation-store';
import type { TableNames } from '../dynamodb/tables';
import { startApiGatewayEmulator } from './apigw-emulator';
import { RESTORE_WWW_AUTHENTICATE_SOURCE, STAMP_VIEWER_IP_SOURCE } from './cloudfront-function-runner';
import { VIEWER_IP_HEADER } from '../../edge/edge-headers';
import type { EmulatedRoute, RunningApi } from './emulator-types';

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
  const responses = gatewayResponsesFor(resource, config);
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
