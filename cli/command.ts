/** A top-level command of `mcp-oauth`: its name, one line for the command list, and how it runs. */
import type { CliIo } from './io';

export interface Command {
  readonly name: string;
  /** One line for `mcp-oauth --help`. */
  readonly summary: string;
  /** Printed after a usage error; a command group's subcommands carry their own. */
  readonly usage?: string;
  /** Resolves to the exit code; throws UsageError (2) or CommandFailure (1). */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** A command made of subcommands (`clients list`, `keys rotate`): the first argument picks one. */
export interface Subcommand {
  readonly name: string;
  readonly usage: string;
  run(args: readonly string[], io: CliIo): Promise<number>;
}
