/**
 * Validating untrusted input (parsed JSON) into the product Config: one schema
 * (config-schema.ts), every problem listed at once, each named by its option's dotted path,
 * e.g. `resources[0].uri: must be an absolute https URL`.
 */
import type * as z from 'zod/mini';
import type { Config } from '../../core/config';
import { productConfigSchema } from './config-schema';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates a config file's content into the product Config (its `local` section is not the product's), or throws ConfigError listing every problem. */
export function parseConfig(input: unknown): Config {
  return validate(productConfigSchema, input).config;
}

/** The output of `schema` for `input`, or a ConfigError naming every problem by its dotted path. */
export function validate<S extends z.ZodMiniType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => `${dottedPath([...issue.path, key])}: ${issue.message}`)
      : [`${dottedPath(issue.path)}: ${issue.message}`]));
}

function dottedPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : `${text ? '.' : ''}${String(part)}`;
  return text || '(root)';
}
