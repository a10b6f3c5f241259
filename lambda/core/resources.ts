/**
 * The protected resources (MCP servers) this authorization server issues tokens for, named
 * by their canonical URI (RFC 8707 section 2), and the scopes each one defines.
 */
import type { Config, ResourceConfig } from './config';
import { unionScopes } from './scopes';

export function findResource(config: Pick<Config, 'resources'>, uri: string): ResourceConfig | undefined {
  return config.resources.find((r) => r.uri === uri);
}

export function scopeNamesOf(resource: ResourceConfig): string[] {
  return resource.scopes.map((s) => s.name);
}

/** Every scope of every configured resource, in configuration order, without repeats. */
export function allScopeNames(config: Pick<Config, 'resources'>): string[] {
  return unionScopes(...config.resources.map(scopeNamesOf));
}
