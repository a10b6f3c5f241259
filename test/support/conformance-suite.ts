/**
 * Runs the official MCP conformance suite's `authorization` command against an issuer,
 * on Node 20 (through test/support/conformance-loader.mjs), and collects its verdict.
 *
 * The suite prints an authorization URL for a human to open, then waits (up to five
 * minutes) on its own callback server at http://127.0.0.1:<callbackPort>/callback, which
 * must be a registered redirect URI of `clientId`. `onAuthorizationUrl` is called once
 * with that URL: the e2e test lets the test browser play the user there.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '../..');
const LOADER = join(REPO_ROOT, 'test/support/conformance-loader.mjs');
const SUITE = join(REPO_ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');

export interface ConformanceCheck {
  readonly id: string;
  readonly status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  readonly description: string;
  readonly errorMessage?: string;
}

export interface ConformanceRunOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly callbackPort: number;
  /** Sent as --resource (RFC 8707); without it the AS falls back to its defaultResource. */
  readonly resource?: string;
  readonly onAuthorizationUrl: (url: string) => Promise<void>;
  /** Copy the suite's output to this process's stdout as it arrives. */
  readonly echo?: boolean;
  readonly timeoutMs?: number;
}

export interface ConformanceRun {
  readonly exitCode: number | null;
  /** stdout and stderr, ANSI colours removed. */
  readonly output: string;
  /** The per-scenario lines after "=== SUMMARY ===", e.g. "✓ authorization-code-grant: 1 passed, 0 failed". */
  readonly summary: readonly string[];
  /** Every check of every scenario, from the suite's checks.json files. */
  readonly checks: readonly ConformanceCheck[];
  /** Set when onAuthorizationUrl failed (the suite is then stopped). */
  readonly authorizationError?: Error;
}

export function runConformanceSuite(options: ConformanceRunOptions): Promise<ConformanceRun> {
  const resultsDir = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
  const args = ['--import', LOADER, SUITE, 'authorization', '--url', options.issuer, '--client-id', options.clientId, '--port', String(options.callbackPort), '--output-dir', resultsDir];
  if (options.resource) args.push('--resource', options.resource);

  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    let authorizing: Promise<void> | undefined;
    let authorizationError: Error | undefined;
    const authorizeEndpoint = `${options.issuer}/authorize?`;
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (options.echo) process.stdout.write(chunk);
      if (authorizing) return;
      const url = output.split('\n').map((l) => l.trim()).find((l) => l.startsWith(authorizeEndpoint));
      if (!url) return;
      authorizing = options.onAuthorizationUrl(url).catch((error: Error) => {
        authorizationError = error;
        child.kill('SIGTERM'); // the suite would otherwise wait minutes for a callback that will not come
      });
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 120_000);
    child.once('error', reject);
    child.once('exit', async (exitCode) => {
      clearTimeout(timer);
      await authorizing;
      const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
      const afterSummary = clean.split('=== SUMMARY ===')[1] ?? '';
      const summary = afterSummary.split('\n').map((l) => l.trim()).filter((l) => /^[✓✗] /.test(l));
      const checks = readChecks(resultsDir);
      rmSync(resultsDir, { recursive: true, force: true });
      resolve({ exitCode, output: clean, summary, checks, authorizationError });
    });
  });
}

/** The suite writes one checks.json per scenario under its output folder. */
function readChecks(dir: string): ConformanceCheck[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('checks.json'))
    .sort()
    .flatMap((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as ConformanceCheck[]);
}

export function formatChecks(checks: readonly ConformanceCheck[]): string {
  return checks.map((c) => `  [${c.status}] ${c.id}: ${c.description}${c.errorMessage ? ` (${c.errorMessage})` : ''}`).join('\n');
}
