/**
 * Serves the protected resource metadata (RFC 9728) of the guarded MCP server, at the
 * path-inserted URL the 401 challenge names and at the root variant older clients probe.
 * Public and identical for everyone, so browsers may read and caches may keep it. A browser
 * sends a CORS preflight before it (the MCP SDK's metadata request carries
 * MCP-Protocol-Version, not a CORS-safelisted header), and API Gateway routes OPTIONS here
 * without the authorizer: it gets the same answer as the authorization server's metadata.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Config, ResourceConfig } from '../../core/config';
import { preflightResponse } from '../../core/authorization-server/cors';
import { protectedResourceMetadata, protectedResourceMetadataPaths } from '../../core/guard/protected-resource-metadata';
import type { ProxyHandler } from './proxy-event';

export function createProtectedResourceMetadataHandler(deps: { readonly config: Config; readonly resource: ResourceConfig }): ProxyHandler {
  const paths = new Set(protectedResourceMetadataPaths(deps.resource));
  const body = JSON.stringify(protectedResourceMetadata(deps.resource, deps.config));
  const preflight = preflightResponse(['GET', 'HEAD']);
  return async (event): Promise<APIGatewayProxyResult> => {
    const path = (event.path || '/').replace(/\/+$/, '') || '/';
    if (!paths.has(path)) return { statusCode: 404, headers: { 'Content-Type': 'application/json' }, body: '{"error":"not_found"}' };
    if (event.httpMethod === 'OPTIONS') return { statusCode: preflight.status, headers: { ...preflight.headers }, body: preflight.body };
    if (event.httpMethod !== 'GET' && event.httpMethod !== 'HEAD') {
      return { statusCode: 405, headers: { Allow: 'GET, HEAD, OPTIONS', 'Content-Type': 'application/json' }, body: '{"error":"method_not_allowed"}' };
    }
    return {
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' },
      body: event.httpMethod === 'HEAD' ? '' : body,
    };
  };
}
