/**
 * The REST resources and methods each API deploys, as plain data (no CDK import): the
 * constructs create exactly these, and local mode routes by the same tables, so a route
 * that exists on one host and not on the other cannot happen silently.
 */
import type { ResourceConfig } from '../../lambda/core/config';
import { protectedResourceMetadataPaths } from '../../lambda/core/guard/challenges';

/** The functions of the authorization server, split so each holds only the permissions its endpoints need. */
export type EndpointGroup = 'browser' | 'token' | 'public';

export interface AuthorizationServerRoute {
  readonly path: string;
  readonly methods: readonly string[];
  readonly group: EndpointGroup;
}

/**
 * Every route of the authorization server, with the methods its router serves
 * (lambda/core/authorization-server/router.ts) plus OPTIONS where the router answers CORS
 * preflights. Any other method or path never reaches a function: API Gateway answers it.
 */
export const AUTHORIZATION_SERVER_ROUTES: readonly AuthorizationServerRoute[] = [
  { path: '/authorize', methods: ['GET'], group: 'browser' },
  { path: '/consent', methods: ['POST'], group: 'browser' },
  { path: '/callback', methods: ['GET'], group: 'browser' },
  { path: '/token', methods: ['POST', 'OPTIONS'], group: 'token' },
  { path: '/revoke', methods: ['POST', 'OPTIONS'], group: 'token' },
  { path: '/introspect', methods: ['POST', 'OPTIONS'], group: 'token' },
  { path: '/register', methods: ['POST', 'OPTIONS'], group: 'public' },
  { path: '/.well-known/oauth-authorization-server', methods: ['GET', 'OPTIONS'], group: 'public' },
  { path: '/.well-known/jwks.json', methods: ['GET', 'OPTIONS'], group: 'public' },
];

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
