/**
 * The Bearer challenges of the guard (RFC 6750 section 3, RFC 9728 section 5.1, MCP
 * authorization 2025-11-25) and the API Gateway gateway responses that carry them.
 *
 * API Gateway renames a WWW-Authenticate header returned by an integration to
 * x-amzn-remapped-www-authenticate, so the challenges a client must read come from API
 * Gateway itself: UNAUTHORIZED (the authorizer threw "Unauthorized") and ACCESS_DENIED (the
 * authorizer returned Deny). Gateway response headers are static per API, hence one 401
 * and one 403 value per resource.
 */
import type { Config, ResourceConfig } from '../config';
import { unionScopes } from './scopes';

const WELL_KNOWN_PRM = '/.well-known/oauth-protected-resource';

/**
 * The protected resource metadata URL of a resource: the well-known segment inserted
 * between host and path (RFC 9728 section 3.1), e.g. https://h/mcp ->
 * https://h/.well-known/oauth-protected-resource/mcp.
 */
export function protectedResourceMetadataUrl(resource: Pick<ResourceConfig, 'uri'>): string {
  const url = new URL(resource.uri);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return `${url.origin}${WELL_KNOWN_PRM}${path}`;
}

/** Paths (on the resource's own host) where the metadata is served: path-inserted and root. */
export function protectedResourceMetadataPaths(resource: Pick<ResourceConfig, 'uri'>): string[] {
  const inserted = new URL(protectedResourceMetadataUrl(resource)).pathname;
  return inserted === WELL_KNOWN_PRM ? [WELL_KNOWN_PRM] : [inserted, WELL_KNOWN_PRM];
}

/** 401: no error code, because the same static value answers a missing token (RFC 6750 section 3.1). */
export function unauthorizedChallenge(resource: ResourceConfig): string {
  return `Bearer resource_metadata="${protectedResourceMetadataUrl(resource)}", scope="${resource.defaultScopes.join(' ')}"`;
}

export function insufficientScopeChallenge(resource: ResourceConfig, scopes: readonly string[]): string {
  return `Bearer error="insufficient_scope", scope="${scopes.join(' ')}", resource_metadata="${protectedResourceMetadataUrl(resource)}"`;
}

/**
 * The scope a static 403 names: every scope some route or tool rule of the resource needs,
 * in the order the resource declares its scopes. A client that steps up with it can reach
 * every route and tool its user may use; the authorization server still grants only what
 * the user's groups allow.
 */
export function accessDeniedScopes(resource: ResourceConfig): string[] {
  const needed = new Set(unionScopes(...resource.routes.map((r) => r.scopes), ...resource.tools.map((t) => t.scopes)));
  const ordered = resource.scopes.map((s) => s.name).filter((name) => needed.has(name));
  return ordered.length ? ordered : [...resource.defaultScopes];
}

export interface GatewayResponseValue {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface GuardGatewayResponses {
  readonly UNAUTHORIZED: GatewayResponseValue;
  readonly ACCESS_DENIED: GatewayResponseValue;
}

/**
 * The UNAUTHORIZED and ACCESS_DENIED gateway responses of a protected API, with the exact
 * header values to configure (without CloudFormation's outer single quotes). Browser-based
 * MCP clients must be able to read the challenge, hence the CORS headers.
 */
export function gatewayResponsesFor(resource: ResourceConfig, _config?: Config): GuardGatewayResponses {
  const common = {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'WWW-Authenticate',
  };
  return {
    UNAUTHORIZED: {
      statusCode: 401,
      headers: { ...common, 'WWW-Authenticate': unauthorizedChallenge(resource) },
      body: JSON.stringify({ error: 'invalid_token', error_description: 'A valid access token is required' }),
    },
    ACCESS_DENIED: {
      statusCode: 403,
      headers: { ...common, 'WWW-Authenticate': insufficientScopeChallenge(resource, accessDeniedScopes(resource)) },
      body: JSON.stringify({ error: 'insufficient_scope', error_description: 'The access token does not grant the scope this request needs' }),
    },
  };
}
