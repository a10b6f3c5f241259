/**
 * The `mcp-oauth` command table and dispatcher: `--help` and `--version`, and the exit
 * codes of docs/cli.md (0 success, 1 failure, 2 usage error). Every command gets the io
 * (cli/io.ts); what it throws is printed as one line here, never as a stack trace.
 */
import { LOCAL_HELP, runLocal } from '../local/local-command';
import { isParseArgsError } from './args';
import type { Command } from './command';
import { clientsCommand } from './clients';
import { configCommand } from './config';
import { doctorCommand } from './doctor';
import { CommandFailure, EXIT, UsageError, type CliIo } from './io';
import { familiesCommand } from './families';
import { keysCommand } from './keys';
import { revokeCommand } from './revoke';
import { runScanCommand } from './scan';
import { sessionsCommand } from './sessions';
import { oneLine } from './target';
import { packageVersion } from './version';

const LOCAL_USAGE = `usage: mcp-oauth local [options]\n\n${LOCAL_HELP}`;

const localCommand: Command = {
  name: 'local',
  summary: 'run the authorization server, the dev IdP and the MCP server(s) on this machine',
  usage: LOCAL_USAGE,
  async run(args) {
    // Serves until a signal stops it (local/local-command.ts exits the process then).
    await runLocal([...args], LOCAL_USAGE);
    return EXIT.ok;
  },
};

const scanCommand: Command = {
  name: 'scan',
  summary: 'audit the authorization of any MCP server from its URL (docs/scanner.md)',
  run: (args, io) => runScanCommand(args, io),
};

export const COMMANDS: readonly Command[] = [localCommand, doctorCommand, configCommand, keysCommand, revokeCommand, sessionsCommand, familiesCommand, clientsCommand, scanCommand];

export function topLevelUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `usage: mcp-oauth <command> [options]      (mcp-oauth <command> --help)

commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

options:
  -h, --help     this text
  -v, --version  the version of mcp-oauth-aws

exit status: 0 success, 1 failure, 2 usage error`;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${topLevelUsage()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`mcp-oauth: unknown command "${name}"\n\n${topLevelUsage()}\n`);
    return EXIT.usage;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      const usage = (error instanceof UsageError && error.usage) || command.usage || `(mcp-oauth ${name} --help for its options)`;
      io.stderr.write(`mcp-oauth ${name}: ${(error as Error).message}\n\n${usage}\n`);
      return EXIT.usage;
    }
    if (error instanceof CommandFailure) {
      io.stderr.write(`mcp-oauth ${name}: ${error.message}\n`);
      return EXIT.failure;
    }
    // Not a failure the command foresaw: still one line (MCP_OAUTH_DEBUG=1 shows the stack).
    io.stderr.write(`mcp-oauth ${name}: ${oneLine(error)}\n`);
    if (io.env.MCP_OAUTH_DEBUG) io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
    return EXIT.failure;
  }
}
