/**
 * The protected resource metadata's Lambda entry (RFC 9728), next to the guarded MCP server
 * (createProtectedResourceMetadataHandler in lambda/adapters/apigw/protected-resource-metadata-proxy.ts).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createProtectedResourceMetadataHandler } from '../adapters/apigw/protected-resource-metadata-proxy';
import { readGuardEnvironment } from '../adapters/config/env';
import { oncePerContainer } from '../adapters/wiring/cold-start';

const server = oncePerContainer(() => createProtectedResourceMetadataHandler(readGuardEnvironment()));

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return (await server())(event);
}
