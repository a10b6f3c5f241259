/**
 * The demo MCP server's Lambda entry, behind the guard's authorizer (createDemoMcpHandler in
 * lambda/adapters/mcp/demo-mcp-server.ts).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { readGuardEnvironment, readServiceName } from '../adapters/config/env';
import { createDemoMcpHandler } from '../adapters/mcp/demo-mcp-server';
import { lambdaGuardAudit } from '../adapters/observability/guard-audit-log';
import { SERVICE_NAMES } from '../adapters/observability/metric-names';
import { oncePerContainer } from '../adapters/wiring/cold-start';

const server = oncePerContainer(() => createDemoMcpHandler({ ...readGuardEnvironment(), audit: lambdaGuardAudit(readServiceName(SERVICE_NAMES.demoMcpServer)) }));

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return (await server())(event);
}
