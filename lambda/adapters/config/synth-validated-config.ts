/**
 * The configuration as the CDK app validated it at synth, in the form it bundles with every
 * function (lib/constructs/bundled-config.ts writes it): the *parsed* Config (defaults applied,
 * a logo file already inlined), the SHA-256 of its JSON, and the fingerprint of the schema it
 * was validated against.
 *
 * The authorizer reads this form only, so its cold start loads neither zod nor the schema
 * (docs/performance.md, "Cold starts"); the other functions validate the Config it holds again
 * (env.ts). Anything else is refused, never read in part: a raw configuration (no envelope), a
 * file edited after synth (its digest no longer matches) or one validated against another
 * schema (its fingerprint is not this code's). This module loads no zod, by design.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../../core/config';

/** The `format` of the envelope: what tells it from a raw configuration file. */
export const SYNTH_VALIDATED_CONFIG_FORMAT = 'mcp-oauth/synth-validated-config';

/**
 * The fingerprint of the product schema (config-schema.ts) this code was built with:
 * configSchemaFingerprint() of lib/constructs/bundled-config.ts, which refuses to synthesize
 * while the two differ, so a schema change cannot ship with a stale value (update it to the
 * value that error names).
 */
export const CONFIG_SCHEMA_FINGERPRINT = '49671e29cfba4029';

export interface SynthValidatedConfigFile {
  readonly format: typeof SYNTH_VALIDATED_CONFIG_FORMAT;
  readonly schemaFingerprint: string;
  /** Hex SHA-256 of JSON.stringify(config). */
  readonly configSha256: string;
  readonly config: Config;
}

const ENVELOPE_KEYS = ['format', 'schemaFingerprint', 'configSha256', 'config'] as const;

/** The file's text for a Config that parseConfig returned, validated against the schema of `schemaFingerprint`. */
export function synthValidatedConfigJson(config: Config, schemaFingerprint: string = CONFIG_SCHEMA_FINGERPRINT): string {
  const file: SynthValidatedConfigFile = { format: SYNTH_VALIDATED_CONFIG_FORMAT, schemaFingerprint, configSha256: sha256(JSON.stringify(config)), config };
  return JSON.stringify(file);
}

/** Whether parsed JSON claims to be the envelope (whether or not it is a valid one). */
export function isSynthValidatedConfigFile(raw: unknown): boolean {
  return isObject(raw) && 'format' in raw;
}

/** The Config inside a synth-validated file, or an Error saying what makes the file unusable. */
export function readSynthValidatedConfig(raw: unknown): Config {
  if (!isObject(raw) || raw.format !== SYNTH_VALIDATED_CONFIG_FORMAT) throw new Error(`is not a configuration validated at synth (no "format": "${SYNTH_VALIDATED_CONFIG_FORMAT}")`);
  const keys = Object.keys(raw).sort();
  if (keys.join() !== [...ENVELOPE_KEYS].sort().join()) throw new Error(`must hold exactly ${ENVELOPE_KEYS.join(', ')} (found ${keys.join(', ')})`);
  if (raw.schemaFingerprint !== CONFIG_SCHEMA_FINGERPRINT) {
    throw new Error(`was validated against another configuration schema (fingerprint ${JSON.stringify(raw.schemaFingerprint)}, this code's is ${CONFIG_SCHEMA_FINGERPRINT}): synthesize again with this version`);
  }
  if (!isObject(raw.config)) throw new Error('"config" must be a JSON object');
  if (typeof raw.configSha256 !== 'string' || raw.configSha256 !== sha256(JSON.stringify(raw.config))) throw new Error('"config" does not match its configSha256 (edited after synth?)');
  return raw.config as unknown as Config;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
