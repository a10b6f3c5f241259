/**
 * What the guard's Lambda functions read from their environment. A stand-in until the one
 * environment reader (lambda/adapters/config/env.ts) exists; the variable names are the
 * contract with the CDK construct that deploys the guard.
 *
 *   MCP_OAUTH_CONFIG        the validated configuration, as JSON
 *   MCP_RESOURCE_URI        which of its resources this API guards (default: defaultResource)
 *   REVOCATIONS_TABLE_NAME  the revocations table (authorizer only)
 */
import { parseConfig, type Config, type ResourceConfig } from '../../core/config';

export interface GuardEnvironment {
  readonly config: Config;
  readonly resource: ResourceConfig;
  readonly revocationsTableName: string;
}

export function guardEnvironment(env: NodeJS.ProcessEnv = process.env): GuardEnvironment {
  const raw = env.MCP_OAUTH_CONFIG;
  if (!raw) throw new Error('MCP_OAUTH_CONFIG is not set');
  const config = parseConfig(JSON.parse(raw));
  const uri = env.MCP_RESOURCE_URI || config.defaultResource;
  const resource = config.resources.find((r) => r.uri === uri);
  if (!resource) throw new Error(`MCP_RESOURCE_URI names no configured resource: ${uri}`);
  return { config, resource, revocationsTableName: env.REVOCATIONS_TABLE_NAME ?? '' };
}
