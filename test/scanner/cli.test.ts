/**
 * The `scan` command's contract, through the real CLI process (`tsx bin/mcp-oauth.ts scan
 * ...`): exit 0 when nothing failed, 1 when a finding failed, 2 for usage errors and
 * unreachable targets. The remaining usage errors run in-process, where they are cheap.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/dynamodb-local';
import { runScanCommand } from '../../cli/scan';
import { startReferenceServer, type ReferenceServer } from './fixtures/reference-server';
import { runCli } from './support/cli-process';

let reference: ReferenceServer;
let withoutS256: ReferenceServer;

beforeAll(async () => {
  [reference, withoutS256] = await Promise.all([startReferenceServer(), startReferenceServer('no-s256')]);
});

afterAll(async () => {
  await Promise.all([reference?.close(), withoutS256?.close()]);
});

it('exit 0 and a plain table (no colour: stdout is not a TTY) when nothing failed', async () => {
  const run = await runCli(['scan', reference.mcpUrl]);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain(`mcp-oauth scan ${reference.mcpUrl}`);
  expect(run.stdout).toMatch(/^0 failed, 1 warnings, 18 passed, 12 skipped$/m);
  expect(run.stdout).not.toContain('\u001b[');
  expect(run.stderr).toMatch(/^\[ 1\/31\] auth-required pass$/m);
});

it('exit 1 when a finding failed, with the failure first, what to change and the spec', async () => {
  const run = await runCli(['scan', withoutS256.mcpUrl]);
  expect(run.code).toBe(1);
  const lines = run.stdout.split('\n');
  expect(lines[3]).toBe('FAIL  high      as-pkce-s256                 PKCE: S256 is advertised and plain is not');
  expect(run.stdout).toContain('code_challenge_methods_supported is absent: MCP clients must refuse to proceed without it');
  expect(run.stdout).toContain('fix: Advertise code_challenge_methods_supported: ["S256"]');
  expect(run.stdout).toMatch(/^1 failed, /m);
});

it('exit 2, with the usage, for a missing URL, an unknown option and conflicting options', async () => {
  const runs = await Promise.all([runCli(['scan']), runCli(['scan', reference.mcpUrl, '--verbose']), runCli(['scan', reference.mcpUrl, '--token', 'x', '--login'])]);
  expect(runs.map((r) => r.code)).toEqual([2, 2, 2]);
  expect(runs.map((r) => r.stderr.split('\n')[0])).toEqual([
    'mcp-oauth scan: the MCP URL is missing',
    "mcp-oauth scan: Unknown option '--verbose'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--verbose\"",
    'mcp-oauth scan: --token and --login both give the token probes a token: use one',
  ]);
  for (const run of runs) expect(run.stderr).toContain('usage: mcp-oauth scan <mcp-url> [options]');
});

it('exit 2 for a target nothing listens on', async () => {
  const url = `http://127.0.0.1:${await freePort()}/mcp`;
  const run = await runCli(['scan', url]);
  expect({ code: run.code, stderr: run.stderr.trim() }).toEqual({ code: 2, stderr: expect.stringMatching(new RegExp(`^mcp-oauth scan: cannot reach ${url.replace(/[.?]/g, '\\$&')}: ECONNREFUSED`)) });
  expect(run.stdout).toBe('');
});

describe('usage errors (in-process)', () => {
  const run = async (args: string[]) => {
    let stderr = '';
    const code = await runScanCommand(args, { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: {} });
    return { code, message: stderr.split('\n')[0] };
  };

  it.each([
    [['ftp://example.com/mcp'], 'mcp-oauth scan: the MCP URL must be http(s), not ftp:'],
    [['not a url'], 'mcp-oauth scan: "not a url" is not a URL (e.g. https://mcp.example.com/mcp)'],
    [['https://a.example/mcp#x'], 'mcp-oauth scan: the MCP URL must not have a fragment'],
    [['https://a.example/mcp', 'https://b.example/mcp'], 'mcp-oauth scan: one MCP URL, not 2: https://a.example/mcp https://b.example/mcp'],
    [['https://a.example/mcp', '--timeout', 'soon'], 'mcp-oauth scan: --timeout must be a whole number of milliseconds from 100 to 600000, not "soon"'],
    [['https://a.example/mcp', '--token', ''], 'mcp-oauth scan: --token needs a value'],
    [['https://a.example/mcp', '--token', 'secret with spaces\n'], 'mcp-oauth scan: --token is not a bearer token (RFC 6750 §2.1 allows letters, digits and -._~+/ with trailing =)'],
    [['https://a.example/mcp', '--sarif'], "mcp-oauth scan: Option '--sarif <value>' argument missing"],
  ])('%j', async (args, message) => {
    expect(await run(args)).toEqual({ code: 2, message });
  });

  it('exit 2 when the SARIF file cannot be written, after the report was printed', async () => {
    let stdout = '';
    let stderr = '';
    const unwritable = join(tmpdir(), `mcp-oauth-scan-missing-${process.pid}`, 'scan.sarif');
    const code = await runScanCommand([reference.mcpUrl, '--sarif', unwritable], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: {} });
    expect(code).toBe(2);
    expect(stdout).toMatch(/^0 failed, /m);
    expect(stderr).toContain(`mcp-oauth scan: cannot write the SARIF file ${unwritable}: ENOENT`);
  });

  it('--help prints the usage and exits 0', async () => {
    let stdout = '';
    const code = await runScanCommand(['--help'], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, env: {} });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: mcp-oauth scan <mcp-url> \[options\]/);
  });
});
