import { Token } from 'aws-cdk-lib';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as z from 'zod/mini';
import type { Config } from '../../lambda/core/config';
import { productConfigSchema } from '../../lambda/adapters/config/config-schema';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import { CONFIG_SCHEMA_FINGERPRINT, synthValidatedConfigJson } from '../../lambda/adapters/config/synth-validated-config';

/** The file name inside each function's bundle; MCP_OAUTH_CONFIG_FILE names it, relative to the task root. */
export const BUNDLED_CONFIG_FILE_NAME = 'mcp-oauth.config.json';

/**
 * Writes the product configuration, validated now, to a file outside cdk.out that bundling
 * copies into each function's output: Lambda allows 4 KB of environment in total, and a real
 * configuration (resources, tool rules, clients, group policy) is larger than that.
 *
 * The file holds the configuration as parseConfig returned it (defaults applied) in the
 * synth-validated form (lambda/adapters/config/synth-validated-config.ts), marked with the
 * fingerprint of the schema it was validated against: the authorizer reads that form without
 * validating it again (no zod at its cold start), the other functions validate it again.
 * Synth fails rather than bundle a file the two would read differently.
 *
 * The file is written at synth, so it can hold no deploy-time value (a Cognito pool id, a
 * table name): those travel as small environment variables. The path is derived from the
 * content, so repeated syntheses reuse it and the bundle's hash changes only with the
 * configuration.
 */
export function writeBundledConfig(config: Config): string {
  const given = JSON.stringify(config);
  if (Token.isUnresolved(given) || /\$\{Token\[/.test(given)) {
    throw new Error('The product configuration holds a deploy-time value (a CDK token); only static values can be bundled. Pass it as an environment variable instead.');
  }
  const fingerprint = configSchemaFingerprint();
  if (fingerprint !== CONFIG_SCHEMA_FINGERPRINT) {
    throw new Error(`CONFIG_SCHEMA_FINGERPRINT (lambda/adapters/config/synth-validated-config.ts) is ${CONFIG_SCHEMA_FINGERPRINT}, but the configuration schema's fingerprint is ${fingerprint}: the schema changed, so set it to ${fingerprint}`);
  }
  const validated = parseConfig(JSON.parse(given));
  // What the authorizer reads (the file's config) must be what the other functions' parseConfig makes of it.
  const bundled = JSON.parse(JSON.stringify(validated)) as Config;
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(parseConfig(bundled))), bundled)) {
    throw new Error('The validated product configuration changes when it is validated again, so the functions would read it differently; this is a bug of the configuration schema (lambda/adapters/config/config-schema.ts)');
  }
  const json = synthValidatedConfigJson(bundled, fingerprint);
  const dir = join(tmpdir(), 'mcp-oauth-bundled-config');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${createHash('sha256').update(json).digest('hex').slice(0, 24)}.json`);
  writeFileSync(path, json);
  return path;
}

/** The schema is fixed for the life of the process, and a synth may write many configurations. */
let schemaFingerprint: string | undefined;

/**
 * The product schema's fingerprint: the first 16 hex digits of the SHA-256 of its JSON Schema
 * (the input it accepts, with its defaults), descriptions left out so that rewording one does
 * not change it.
 */
export function configSchemaFingerprint(): string {
  schemaFingerprint ??= createHash('sha256').update(JSON.stringify(withoutDescriptions(z.toJSONSchema(productConfigSchema, { io: 'input', target: 'draft-2020-12' })))).digest('hex').slice(0, 16);
  return schemaFingerprint;
}

function withoutDescriptions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDescriptions);
  if (typeof node !== 'object' || node === null) return node;
  const kept: Record<string, unknown> = {};
  // A text is a string; an option named `description` (a scope's) is a schema, an object, and stays.
  for (const [key, value] of Object.entries(node)) if (!(key === 'description' && typeof value === 'string')) kept[key] = withoutDescriptions(value);
  return kept;
}
