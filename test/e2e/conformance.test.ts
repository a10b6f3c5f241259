/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, `authorization`
 * command) against the local stack. The suite prints an authorization URL for a human to
 * open and waits on its own loopback callback server; here the test browser plays the
 * human (alice approves) and delivers the redirect to that callback server.
 *
 * Its scenarios: authorization-server-metadata-endpoint (RFC 8414 metadata, exact issuer,
 * S256, CIMD support) and authorization-code-grant (PKCE code flow, state, iss, token
 * response headers). It runs once as the suite runs by default (no resource parameter:
 * the AS applies its defaultResource) and once with --resource (RFC 8707).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../lambda/adapters/local/dynamodb-local';
import { authorizeInBrowser } from '../support/browser';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';

const REPO_ROOT = join(__dirname, '../..');
const LOADER = join(REPO_ROOT, 'test/support/conformance-loader.mjs');
const SUITE = join(REPO_ROOT, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const CLIENT_ID = 'mcp-conformance-suite';
const SUITE_TIMEOUT_MS = 120_000;

let stack: LocalStack;
let callbackPort: number;

beforeAll(async () => {
  callbackPort = await freePort();
  stack = await startLocalStack({
    configOverrides: (config) => {
      // The suite's callback server is http://127.0.0.1:<port>/callback; register it as a public client.
      config.clients = [{ clientId: CLIENT_ID, clientName: 'MCP conformance suite', redirectUris: [`http://127.0.0.1:${callbackPort}/callback`], tokenEndpointAuthMethod: 'none' }];
    },
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

it.each([
  ['without a resource parameter (the AS uses its defaultResource)', false],
  ['with --resource (RFC 8707)', true],
])('passes the authorization server conformance suite %s', async (_name, withResource) => {
  const resultsDir = mkdtempSync(join(tmpdir(), 'mcp-conformance-'));
  const args = ['--import', LOADER, SUITE, 'authorization', '--url', stack.issuer, '--client-id', CLIENT_ID, '--port', String(callbackPort), '--output-dir', resultsDir];
  if (withResource) args.push('--resource', stack.config.resources[0].uri);
  const run = await runSuite(args);
  const checks = readChecks(resultsDir);
  rmSync(resultsDir, { recursive: true, force: true });

  const checkLines = checks.map((c) => `  [${c.status}] ${c.id}: ${c.description}${c.errorMessage ? ` (${c.errorMessage})` : ''}`);
  console.log(`conformance suite (${withResource ? 'with' : 'without'} resource), exit code ${run.exitCode}\nchecks:\n${checkLines.join('\n')}\n\noutput:\n${run.output}`);
  if (run.browserError) throw run.browserError;
  expect(checks.filter((c) => c.status === 'FAILURE')).toEqual([]);
  expect(checks.map((c) => c.id)).toEqual(expect.arrayContaining(['authorization-server-metadata', 'authorization-server-metadata-cimd', 'authorization-code-grant']));
  expect(checks.find((c) => c.id === 'authorization-code-grant')?.status).toBe('SUCCESS');
  expect(run.summary).toEqual([
    expect.stringMatching(/^✓ authorization-server-metadata-endpoint: [1-9]\d* passed, 0 failed$/),
    expect.stringMatching(/^✓ authorization-code-grant: 1 passed, 0 failed$/),
  ]);
  expect(run.output).toMatch(/^Total: [1-9]\d* passed, 0 failed$/m);
  expect(run.output).not.toMatch(/\bFAILURE\b/);
  expect(run.exitCode).toBe(0);
}, SUITE_TIMEOUT_MS + 30_000);

interface SuiteCheck {
  readonly id: string;
  readonly status: 'SUCCESS' | 'FAILURE' | 'WARNING' | 'INFO' | 'SKIPPED';
  readonly description: string;
  readonly errorMessage?: string;
}

/** The suite writes one checks.json per scenario under the output folder. */
function readChecks(dir: string): SuiteCheck[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('checks.json'))
    .sort()
    .flatMap((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as SuiteCheck[]);
}

interface SuiteRun {
  readonly exitCode: number | null;
  /** stdout and stderr, ANSI colours removed. */
  readonly output: string;
  /** The per-scenario lines after "=== SUMMARY ===". */
  readonly summary: string[];
  readonly browserError?: Error;
}

/** Runs the suite; when it prints the authorization URL, logs in as alice, approves, and hands the redirect to the suite's callback server. */
function runSuite(args: string[]): Promise<SuiteRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    let browsing: Promise<void> | undefined;
    let browserError: Error | undefined;
    const authorizeEndpoint = `${stack.issuer}/authorize?`;
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (browsing) return;
      const url = output.split('\n').map((l) => l.trim()).find((l) => l.startsWith(authorizeEndpoint));
      if (!url) return;
      browsing = (async () => {
        const result = await authorizeInBrowser(url, { username: 'alice', password: 'alice' });
        // The suite's callback server is the client here: deliver the redirect like a browser would.
        const delivered = await fetch(result.redirectUrl);
        if (delivered.status !== 200) throw new Error(`the suite's callback server answered ${delivered.status}`);
      })().catch((error: Error) => {
        browserError = error;
        child.kill('SIGTERM'); // the suite would otherwise wait minutes for a callback that will not come
      });
    };
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
    const timer = setTimeout(() => child.kill('SIGTERM'), SUITE_TIMEOUT_MS);
    child.once('error', reject);
    child.once('exit', async (exitCode) => {
      clearTimeout(timer);
      await browsing;
      const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
      const afterSummary = clean.split('=== SUMMARY ===')[1] ?? '';
      const summary = afterSummary.split('\n').map((l) => l.trim()).filter((l) => /^[✓✗] /.test(l));
      resolve({ exitCode, output: clean, summary, browserError });
    });
  });
}
