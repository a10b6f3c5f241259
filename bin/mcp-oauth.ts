#!/usr/bin/env -S npx tsx
/**
 * The mcp-oauth command line: `mcp-oauth --help` lists the commands (cli/index.ts holds the
 * table; docs/cli.md describes each). `npm start` runs `mcp-oauth local`.
 */
import { runCli } from '../cli';

// The AWS SDK's nine-line notice that it drops Node 20 in January 2027 would precede every
// command's output; `mcp-oauth doctor` says it once, on its Node line.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `mcp-oauth clients list | head`: a reader that stops early is not an error of the command.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
}

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`mcp-oauth: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
