/**
 * mcp-oauth scan against an MCP server no one here wrote: the official TypeScript SDK's
 * example server (examples/server/simpleStreamableHttp with --oauth: the Streamable HTTP
 * server, requireBearerAuth, and the demo in-memory authorization server on its own port),
 * run from the installed @modelcontextprotocol/sdk. Every probe runs, --login included (the
 * demo approves without a sign-in page). What it finds is recorded in docs/scanner.md; this
 * test keeps that record true.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../local/dynamodb-local';
import type { ScanReport } from '../../cli/scan/scanner';
import { expectValidReport, scan, testBrowserOpener } from './support/scan-helpers';

let child: ChildProcess;
let mcpUrl: string;
let authorizationServer: string;
let report: ScanReport;

beforeAll(async () => {
  const [mcpPort, authPort] = [await freePort(), await freePort()];
  mcpUrl = `http://localhost:${mcpPort}/mcp`;
  authorizationServer = `http://localhost:${authPort}`;
  const example = require.resolve('@modelcontextprotocol/sdk/examples/server/simpleStreamableHttp.js');
  child = spawn(process.execPath, [example, '--oauth'], { env: { ...process.env, MCP_PORT: String(mcpPort), MCP_AUTH_PORT: String(authPort) }, stdio: ['ignore', 'pipe', 'pipe'] });
  await listening(child, ['OAuth Authorization Server listening', 'MCP Streamable HTTP Server listening']);
  const otherResourceToken = await demoTokenFor('https://other.example/mcp');
  report = await scan(mcpUrl, { register: true, login: true, openBrowser: testBrowserOpener(), otherResourceToken });
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
});

it('finds what docs/scanner.md records for it, finding by finding', () => {
  expectValidReport(report);
  const seen = report.findings.map((f) => `${f.id} ${f.status}`);
  expect(seen).toEqual(recordedInDocs());
});

it('the failures name what the example gets wrong', () => {
  const failed = Object.fromEntries(report.findings.filter((f) => f.status === 'fail').map((f) => [f.id, f.detail]));
  expect(failed).toEqual({
    'authorize-resource': 'a request for resource=https://mcp-oauth-scan.invalid/not-this-server was taken on to a redirect to the client with a code, as a valid request is',
    'authorize-response-params': 'a request without code_challenge: state missing; a request with code_challenge_method=plain: state missing',
    'token-audience-bound': 'a token for another resource (opaque: check that it is live): accepted (HTTP 200), the request was served',
  });
});

/** The `id status` lines of the table between the markers in docs/scanner.md. */
function recordedInDocs(): string[] {
  const docs = readFileSync(join(__dirname, '../../docs/scanner.md'), 'utf8');
  const section = /<!-- sdk-example-findings -->([\s\S]*?)<!-- \/sdk-example-findings -->/.exec(docs)?.[1];
  if (!section) throw new Error('docs/scanner.md has no sdk-example-findings section');
  return [...section.matchAll(/^\| `([a-z0-9-]+)` \| (pass|fail|warn|skip) \|/gm)].map((m) => `${m[1]} ${m[2]}`);
}

/** A token of the demo authorization server for another resource (the demo binds it to any resource asked for). */
async function demoTokenFor(resource: string): Promise<string> {
  const redirectUri = 'http://127.0.0.1/scanner-test/callback';
  const registration = await fetch(`${authorizationServer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'scanner test', redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' }),
  });
  const { client_id: clientId } = (await registration.json()) as { client_id: string };
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${authorizationServer}/authorize`);
  const params = { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', state: 's', resource };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const location = (await fetch(url, { redirect: 'manual' })).headers.get('location');
  const code = location ? new URL(location).searchParams.get('code') : null;
  if (!code) throw new Error(`the demo authorization server gave no code: ${location}`);
  const exchange = await fetch(`${authorizationServer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: redirectUri, resource }).toString(),
  });
  const body = (await exchange.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`the demo token endpoint answered ${exchange.status}: ${JSON.stringify(body)}`);
  return body.access_token;
}

function listening(process: ChildProcess, lines: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`the SDK example did not start:\n${output}`)), 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (lines.every((line) => output.includes(line))) {
        clearTimeout(timer);
        resolve();
      }
    };
    process.stdout?.on('data', onData);
    process.stderr?.on('data', onData);
    process.once('exit', (code) => reject(new Error(`the SDK example exited (${code}):\n${output}`)));
  });
}
