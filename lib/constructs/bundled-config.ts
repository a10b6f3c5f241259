import { Token } from 'aws-cdk-lib';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../lambda/core/config';
import { parseConfig } from '../../lambda/adapters/config/parse-config';

/** The file name inside each function's bundle; MCP_OAUTH_CONFIG_FILE names it, relative to the task root. */
export const BUNDLED_CONFIG_FILE_NAME = 'mcp-oauth.config.json';

/**
 * Writes the validated product configuration to a file outside cdk.out that bundling copies
 * into each function's output: Lambda allows 4 KB of environment in total, and a real
 * configuration (resources, tool rules, clients, group policy) is larger than that.
 *
 * The file is written at synth, so it can hold no deploy-time value (a Cognito pool id, a
 * table name): those travel as small environment variables. The path is derived from the
 * content, so repeated syntheses reuse it and the bundle's hash changes only with the
 * configuration.
 */
export function writeBundledConfig(config: Config): string {
  const json = JSON.stringify(config);
  if (Token.isUnresolved(json) || /\$\{Token\[/.test(json)) {
    throw new Error('The product configuration holds a deploy-time value (a CDK token); only static values can be bundled. Pass it as an environment variable instead.');
  }
  // Round trip through the runtime's parser now: a configuration the functions would refuse fails synth instead.
  parseConfig(JSON.parse(json));
  const dir = join(tmpdir(), 'mcp-oauth-bundled-config');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${createHash('sha256').update(json).digest('hex').slice(0, 24)}.json`);
  writeFileSync(path, json);
  return path;
}
