/**
 * The OAuth 2.0 Protected Resource Metadata document (RFC 9728 section 2) that MCP clients
 * fetch after the first 401 to find the authorization server, and where it is served
 * (section 3.1).
 */
import type { Config, ResourceConfig } from '../config';

const WELL_KNOWN_PRM = '/.well-known/oauth-protected-resource';

export interface ProtectedResourceMetadata {
  readonly resource: string;
  readonly authorization_servers: readonly string[];
  readonly scopes_supported: readonly string[];
  readonly bearer_methods_supported: readonly string[];
  readonly resource_name: string;
}

/** offline_access is a request to the AS, not a permission at this resource, so it is never advertised here. */
export function protectedResourceMetadata(resource: ResourceConfig, config: Pick<Config, 'issuer'>): ProtectedResourceMetadata {
  return {
    resource: resource.uri,
    authorization_servers: [config.issuer],
    scopes_supported: resource.scopes.map((s) => s.name).filter((name) => name !== 'offline_access'),
    bearer_methods_supported: ['header'],
    resource_name: resource.name,
  };
}

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
