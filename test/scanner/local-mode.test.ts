/**
 * mcp-oauth scan against local mode (the whole stack through the real CLI, on free ports,
 * with the default guard settings and a second MCP server for the audience probe): every
 * probe passes, without credentials, with --register, with tokens from real browser flows,
 * and with --login driven by the test browser as alice.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FINDINGS, type FindingDefinition } from '../../cli/scan/findings';
import { OPT_IN_PREFIX } from '../../cli/scan/scanner';
import { freePort } from '../../local/dynamodb-local';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';
import { runCli } from './support/cli-process';
import { accessTokenFromLocalStack, expectValidReport, expectValidSarif, explain, idsWith, scan, testBrowserOpener } from './support/scan-helpers';

let stack: LocalStack;
let fileServer: string;
let token: string;
let otherResourceToken: string;

beforeAll(async () => {
  const fileServerPort = await freePort();
  stack = await startLocalStack({
    configOverrides: (config) => {
      config.resources.push({
        uri: `http://localhost:${fileServerPort}/mcp`,
        name: 'File server',
        scopes: [{ name: 'files:read', description: 'Read your files' }],
        defaultScopes: ['files:read'],
        routes: [{ method: 'POST', path: '/mcp', scopes: ['files:read'] }],
        tools: [],
      });
      config.groupScopes['mcp-users'] = [...config.groupScopes['mcp-users'], 'files:read'];
    },
  });
  fileServer = stack.config.resources[1].uri;
  [token, otherResourceToken] = await Promise.all([
    accessTokenFromLocalStack(stack.issuer, stack.mcpUrl, 'tool:read tool:execute'),
    accessTokenFromLocalStack(stack.issuer, fileServer, 'files:read'),
  ]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const idsOfMode = (mode: string) => Object.entries(FINDINGS).filter(([, d]) => (d as FindingDefinition).modes.some((m) => m === mode)).map(([id]) => id);

it('without credentials: every probe passes, and each opt-in probe says how to turn it on', async () => {
  const report = await scan(stack.mcpUrl);
  expectValidReport(report);
  expect(explain(report)).toMatchObject(Object.fromEntries(idsOfMode('default').map((id) => [id, expect.stringMatching(/^pass: /)])));
  const optIn = report.findings.filter((f) => !idsOfMode('default').includes(f.id));
  expect(optIn.map((f) => [f.status, f.detail.startsWith(OPT_IN_PREFIX)])).toEqual(optIn.map(() => ['skip', true]));
});

it('--register: the probe client registers and every broken authorization request is refused; there is no redirect to check, because this AS answers each with a page', async () => {
  const report = await scan(stack.mcpUrl, { register: true });
  expect(idsWith(report, 'fail')).toEqual([]);
  expect(idsWith(report, 'warn')).toEqual([]);
  expect(explain(report)).toMatchObject({
    'register-probe-client': expect.stringMatching(/^pass: registered "mcp-oauth scan probe client \(safe to delete\)" as client_id \S+$/),
    'authorize-pkce-required': 'pass: a request without code_challenge got HTTP 400 without a redirect',
    'authorize-pkce-plain': 'pass: a request with code_challenge_method=plain got HTTP 400 without a redirect',
    'authorize-redirect-uri': expect.stringMatching(/^pass: an unregistered redirect_uri: HTTP 400 without a redirect; .*; a look-alike host: HTTP 400 without a redirect$/),
    'authorize-resource': expect.stringMatching(/^pass: a request for resource=\S+ got HTTP 400 without a redirect$/),
    'authorize-response-params': expect.stringMatching(/^skip: no redirect back to the client was seen/),
  });
});

it('--token and --other-resource-token from real flows: accepted, a tampered copy and the file server\'s token refused, step-up to admin, headers checked against the body', async () => {
  const report = await scan(stack.mcpUrl, { token, otherResourceToken });
  expect(idsWith(report, 'fail')).toEqual([]);
  expect(idsWith(report, 'warn')).toEqual([]);
  expect(explain(report)).toMatchObject({
    'token-accepted': 'pass: initialize answered 200; the server speaks MCP 2025-11-25',
    'token-tampered': 'pass: the token with one character of its signature changed: 401, invalid_token in the body (not in the challenge)',
    'token-audience-bound': `pass: a live token for ${fileServer}: 401, invalid_token in the body (not in the challenge)`,
    'step-up-insufficient-scope': 'pass: tools/call admin_stats got 403 insufficient_scope, scope="tool:read admin"',
    'mcp-header-mismatch': 'pass: Mcp-Method: tools/list on a tools/call: 400 HeaderMismatch; Mcp-Name: whoami on a call of admin_stats: 400 HeaderMismatch',
  });
});

it('--login: alice signs in and consents in the test browser, the success redirect carries state and iss, and the token probes pass with her token', async () => {
  const said: string[] = [];
  const report = await scan(stack.mcpUrl, { login: true, openBrowser: testBrowserOpener(), say: (line) => said.push(line) });
  expect(idsWith(report, 'fail')).toEqual([]);
  expect(explain(report)).toMatchObject({
    'login-flow': expect.stringMatching(/^pass: signed in through client \S+ and redeemed the code for an access token with scope "tool:read tool:execute"$/),
    'authorize-response-params': `pass: 1 redirect back to the client, each with the state sent and iss="${stack.issuer}"`,
    'token-accepted': expect.stringMatching(/^pass: /),
    'token-tampered': expect.stringMatching(/^pass: /),
    'step-up-insufficient-scope': 'pass: tools/call admin_stats got 403 insufficient_scope, scope="tool:read admin"',
    'mcp-header-mismatch': expect.stringMatching(/^pass: /),
  });
  expect(said.join('\n')).toContain(`${stack.issuer}/authorize?`);
});

it('through the CLI process: exit 0, the JSON and the SARIF validate, and no token is printed or written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mcp-oauth-scan-'));
  try {
    const sarifFile = join(dir, 'scan.sarif');
    const run = await runCli(['scan', stack.mcpUrl, '--register', '--token', token, '--other-resource-token', otherResourceToken, '--json', '--sarif', sarifFile]);
    // stderr holds one progress line per probe, and nothing else.
    const progress = run.stderr.trimEnd().split('\n');
    expect({ code: run.code, progress: progress.length, other: progress.filter((l) => !/^\[\s*\d+\/\d+\] [a-z0-9-]+ (pass|skip)$/.test(l)) }).toEqual({ code: 0, progress: Object.keys(FINDINGS).length, other: [] });
    const report = JSON.parse(run.stdout);
    expectValidReport(report);
    expect(report.summary.fail).toBe(0);
    const sarif = readFileSync(sarifFile, 'utf8');
    expectValidSarif(JSON.parse(sarif));
    for (const text of [run.stdout, run.stderr, sarif]) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(otherResourceToken);
      expect(text).not.toContain(token.split('.')[2]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
