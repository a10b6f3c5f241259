/** Runs a command group (`clients`, `keys`, ...): the first argument names the subcommand. */
import type { Subcommand } from './command';
import { EXIT, UsageError, type CliIo } from './io';

export function groupUsage(group: string, subcommands: readonly Subcommand[], summary: string): string {
  return `${subcommands.map((s, i) => `${i === 0 ? 'usage:' : '      '} ${s.usage.split('\n')[0]!.replace(/^usage: /, '')}`).join('\n')}\n\n${summary}\n\n(mcp-oauth ${group} <subcommand> --help for its options)`;
}

export async function runSubcommand(group: string, subcommands: readonly Subcommand[], summary: string, args: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  const refuse = (message: string) => Object.assign(new UsageError(message), { usage: groupUsage(group, subcommands, summary) });
  if (name === undefined) throw refuse(`which ${group} subcommand: ${subcommands.map((s) => s.name).join(', ')}?`);
  if (name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${groupUsage(group, subcommands, summary)}\n`);
    return EXIT.ok;
  }
  const subcommand = subcommands.find((s) => s.name === name);
  if (!subcommand) throw refuse(`unknown ${group} subcommand "${name}" (one of ${subcommands.map((s) => s.name).join(', ')})`);
  try {
    return await subcommand.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) error.usage ??= subcommand.usage;
    throw error;
  }
}
