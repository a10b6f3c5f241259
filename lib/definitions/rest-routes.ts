/**
 * The REST resources and methods each API deploys, as plain data (no CDK import): the
 * constructs create exactly these, and local mode routes by the same tables, so a route
 * that exists on one host and not on the other cannot happen silently.
 */
import { ENDPOINTS, type EndpointGroup } from '../../lambda/core/authorization-server/endpoints';
import type { ResourceConfig } from '../../lambda/core/config';
import { protectedResourceMetadataPaths } from '../../lambda/core/guard/protected-resource-metadata';

export type { EndpointGroup };

export interface AuthorizationServerRoute {
  readonly path: string;
  readonly methods: readonly string[];
  readonly group: EndpointGroup;
}

/**
 * Every route of the authorization server, from the one endpoint table
 * (lambda/core/authorization-server/endpoints.ts): the methods its router serves plus OPTIONS
 * where the router answers CORS preflights. Any other method or path never reaches a
 * function: API Gateway answers it.
 */
export const AUTHORIZATION_SERVER_ROUTES: readonly AuthorizationServerRoute[] = Object.values(ENDPOINTS)
  .map((endpoint) => ({ path: endpoint.path, methods: endpoint.routedMethods, group: endpoint.group }));

export interface ProtectedApiRoute {
  readonly path: string;
  readonly method: 'ANY' | 'GET' | 'OPTIONS';
  /** What serves it: the MCP backend, or the protected resource metadata function. */
  readonly target: 'backend' | 'metadata';
  /** Behind the REQUEST authorizer. */
  readonly guarded: boolean;
}

/** The path of the resource URI without a trailing slash (`/` for a resource at the root). */
export function resourcePath(resource: Pick<ResourceConfig, 'uri'>): string {
  return new URL(resource.uri).pathname.replace(/\/$/, '') || '/';
}

/**
 * The routes of one MCP server's API: the protected resource metadata (RFC 9728) at its
 * well-known URLs, open; the resource path and every configured route path, any method
 * behind the authorizer, OPTIONS open (a CORS preflight carries no Authorization header).
 */
export function protectedApiRoutes(resource: Pick<ResourceConfig, 'uri' | 'routes'>): readonly ProtectedApiRoute[] {
  const metadata = protectedResourceMetadataPaths(resource).flatMap((path): ProtectedApiRoute[] => [
    { path, method: 'GET', target: 'metadata', guarded: false },
    { path, method: 'OPTIONS', target: 'metadata', guarded: false },
  ]);
  const mcpPaths = [...new Set([resourcePath(resource), ...resource.routes.map((r) => r.path)])];
  const mcp = mcpPaths.flatMap((path): ProtectedApiRoute[] => [
    { path, method: 'ANY', target: 'backend', guarded: true },
    { path, method: 'OPTIONS', target: 'backend', guarded: false },
  ]);
  return [...metadata, ...mcp];
}
