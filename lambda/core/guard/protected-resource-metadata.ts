/**
 * The OAuth 2.0 Protected Resource Metadata document (RFC 9728 section 2) that MCP clients
 * fetch after the first 401 to find the authorization server.
 */
import type { Config, ResourceConfig } from '../config';

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
