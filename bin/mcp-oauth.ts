#!/usr/bin/env -S npx tsx
/**
 * The mcp-oauth command line.
 *
 *   mcp-oauth local [--config config/local.json] [--data-dir .local] [--fresh]
 *                   [--dynamodb-endpoint URL] [--table-prefix mcp-oauth-local-]
 *   mcp-oauth scan <mcp-url> [--register] [--token <t>] [--other-resource-token <t>] [--login]
 *                  [--json] [--sarif <file>] [--timeout <ms>]
 *
 * `npm start` runs `mcp-oauth local` (local/local-command.ts): the authorization server, the
 * dev IdP and the demo MCP server on this machine (docs/local-mode.md). `mcp-oauth scan`
 * audits the authorization of any MCP server from its URL (docs/scanner.md).
 */
import { runScanCommand } from '../cli/scan';
import { LOCAL_HELP, runLocal } from '../local/local-command';

const USAGE = `usage: mcp-oauth local [options]
       mcp-oauth scan <mcp-url> [options]   (mcp-oauth scan --help)

${LOCAL_HELP}`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'local':
      return runLocal(rest, USAGE);
    case 'scan':
      process.exitCode = await runScanCommand(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
      return;
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return;
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`mcp-oauth: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
