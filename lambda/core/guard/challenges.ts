/**
 * The Bearer challenges of the guard (RFC 6750 section 3, RFC 9728 section 5.1, MCP
 * authorization 2025-11-25): the WWW-Authenticate values a client reads to find the
 * authorization server and the scope to ask for. Behind API Gateway they travel in its
 * gateway responses (lambda/adapters/apigw/gateway-responses.ts), which are static per API:
 * hence one 401 and one 403 value per resource.
 */
import type { ResourceConfig } from '../config';
import { unionScopes } from '../scopes';
import { protectedResourceMetadataUrl } from './protected-resource-metadata';

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
