/**
 * The demo MCP server's Lambda entry, behind the guard's authorizer (createDemoMcpHandler in
 * lambda/adapters/mcp/demo-mcp-server.ts).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { readGuardEnvironment } from '../adapters/config/env';
import { createDemoMcpHandler } from '../adapters/mcp/demo-mcp-server';
import { oncePerContainer } from '../adapters/wiring/cold-start';

const server = oncePerContainer(() => createDemoMcpHandler(readGuardEnvironment()));

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return (await server())(event);
}
