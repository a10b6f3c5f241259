/**
 * The one argument parser every command uses: node:util parseArgs in strict mode, its
 * errors turned into UsageError (exit 2), plus the few value checks commands share.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type CliIo } from './io';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs<O extends Options> {
  readonly values: ReturnType<typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>>['values'];
  readonly positionals: readonly string[];
}

/** `-h`/`--help` is added to every command's options. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h', default: false } } as const;

export function parseCommandArgs<O extends Options>(args: readonly string[], options: O): ParsedArgs<O & typeof HELP_OPTION> {
  try {
    const parsed = parseArgs({ args: [...args], options: { ...options, ...HELP_OPTION }, allowPositionals: true, strict: true });
    return parsed as unknown as ParsedArgs<O & typeof HELP_OPTION>;
  } catch (error) {
    if (isParseArgsError(error)) throw new UsageError((error as Error).message);
    throw error;
  }
}

export function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** Exactly `count` positionals, named in the message when they are missing. */
export function expectPositionals(positionals: readonly string[], names: readonly string[]): string[] {
  if (positionals.length < names.length) throw new UsageError(`missing ${names.slice(positionals.length).map((n) => `<${n}>`).join(' ')}`);
  if (positionals.length > names.length) throw new UsageError(`unexpected argument "${positionals[names.length]}"`);
  return [...positionals];
}

/** One of the options, exactly: `revoke --user X` or `--client Y`, never both. */
export function exactlyOne<K extends string>(values: Partial<Record<K, string | undefined>>, names: readonly K[]): { name: K; value: string } {
  const given = names.filter((name) => values[name] !== undefined);
  if (given.length !== 1) throw new UsageError(`give exactly one of ${names.map((n) => `--${n}`).join(', ')}${given.length ? ` (got ${given.map((n) => `--${n}`).join(' and ')})` : ''}`);
  const name = given[0]!;
  const value = values[name]!;
  if (value.trim() === '') throw new UsageError(`--${name} needs a value`);
  return { name, value };
}

/** Parses a (sub)command's line; undefined when it asked for --help (then the usage is printed). */
export function parseOrHelp<O extends Options>(args: readonly string[], options: O, usage: string, io: CliIo): ParsedArgs<O & typeof HELP_OPTION> | undefined {
  const parsed = parseCommandArgs(args, options);
  if (!(parsed.values as { help?: boolean }).help) return parsed;
  io.stdout.write(`${usage}\n`);
  return undefined;
}
