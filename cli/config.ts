/**
 * `mcp-oauth config check [file]`: validates a config file with the one schema
 * (lambda/adapters/config/config-schema.ts; local mode's section too when the file has one)
 * and prints the effective config, defaults filled in and secrets masked, or every problem
 * by its dotted path.
 */
import { ConfigError, parseConfig } from '../lambda/adapters/config/parse-config';
import { DEFAULT_LOCAL_CONFIG } from '../local/local-command';
import { parseLocalModeConfig, readConfigFile } from '../local/local-config';
import { expectPositionals, parseOrHelp } from './args';
import type { Command, Subcommand } from './command';
import { CommandFailure, EXIT, paletteFor, printer } from './io';
import { runSubcommand } from './subcommands';

const SUMMARY = 'Checks a config file against the schema (schema/config.schema.json is the same schema as JSON Schema).';

/** Option names whose values are secrets: the effective config shows that they are set, not what they are. */
const SECRET_KEY = /secret|password/i;

const check: Subcommand = {
  name: 'check',
  usage: `usage: mcp-oauth config check [file] [--quiet]

Validates the file (default: ${DEFAULT_LOCAL_CONFIG}): the product options and, if the file has
one, local mode's "local" section. Prints the effective config (defaults filled in, secrets
masked), or every problem by its dotted path (exit 1).

options:
  --quiet     print only the verdict, not the effective config
  -h, --help  this text`,
  async run(args, io) {
    const parsed = parseOrHelp(args, { quiet: { type: 'boolean', default: false } }, this.usage, io);
    if (!parsed) return EXIT.ok;
    const positionals = parsed.positionals.length ? parsed.positionals : [DEFAULT_LOCAL_CONFIG];
    const [file] = expectPositionals(positionals, ['file']);
    const print = printer(io);
    const colours = paletteFor(io.stdout, io.env);
    let raw: Record<string, unknown>;
    try {
      raw = readConfigFile(file!);
    } catch (error) {
      throw new CommandFailure((error as Error).message);
    }
    const withLocal = raw.local !== undefined;
    let effective: unknown;
    try {
      effective = withLocal ? parseLocalModeConfig(raw) : parseConfig(raw);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const errors = paletteFor(io.stderr, io.env);
      io.stderr.write(`${errors.fail('FAIL')} ${file}: ${error.problems.length} problem(s)\n${error.problems.map((p) => `  ${p}\n`).join('')}`);
      return EXIT.failure;
    }
    print(`${colours.ok('OK')} ${file}: a valid config${withLocal ? ' for local mode and AWS (the "local" section is read by local mode only)' : ' (no "local" section: AWS only)'}`);
    if (!parsed.values.quiet) {
      print();
      print(JSON.stringify(maskSecrets(effective), null, 2));
    }
    return EXIT.ok;
  },
};

export const configCommand: Command = {
  name: 'config',
  summary: 'check [file]: validate a config file and print the effective config',
  run: (args, io) => runSubcommand('config', [check], SUMMARY, args, io),
};

/** A copy with every string under a secret-named option replaced: the output may be pasted into a ticket. */
export function maskSecrets(value: unknown, underSecret = false): unknown {
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item, underSecret));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSecrets(v, underSecret || SECRET_KEY.test(k))]));
  if (typeof value === 'string' && underSecret) return '(set, not shown)';
  return value;
}
