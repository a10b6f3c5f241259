/**
 * What the scanner's tests share: running a scan in-process with test settings, reading a
 * report, validating it against the shipped JSON Schema and SARIF against the SARIF 2.1.0
 * schema, a --login "browser" that is the repo's test browser, and real access tokens from
 * the local stack.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import Ajv2020 from 'ajv/dist/2020';
import type { FindingId, FindingStatus } from '../../../cli/scan/findings';
import type { BrowserOpener, ScanSettings } from '../../../cli/scan/probe';
import { runScan, type ScanReport } from '../../../cli/scan/scanner';
import { authorizeInBrowser } from '../../support/browser';

export function testSettings(overrides: Partial<ScanSettings> = {}): ScanSettings {
  return {
    register: false,
    login: false,
    timeoutMs: 5_000,
    loginTimeoutMs: 20_000,
    openBrowser: async () => {
      throw new Error('this test does not expect --login to open a browser');
    },
    say: () => undefined,
    nowSeconds: () => Math.floor(Date.now() / 1000),
    ...overrides,
  };
}

export function scan(target: string, overrides: Partial<ScanSettings> = {}): Promise<ScanReport> {
  return runScan(target, testSettings(overrides));
}

export function statusOf(report: ScanReport, id: FindingId): FindingStatus {
  const finding = report.findings.find((f) => f.id === id);
  if (!finding) throw new Error(`the report has no finding ${id}`);
  return finding.status;
}

export function idsWith(report: ScanReport, status: FindingStatus): FindingId[] {
  return report.findings.filter((f) => f.status === status).map((f) => f.id);
}

/** id -> "status: detail", for failure messages that show what the scanner saw. */
export function explain(report: ScanReport): Record<string, string> {
  return Object.fromEntries(report.findings.map((f) => [f.id, `${f.status}: ${f.detail}`]));
}

const REPO_ROOT = join(__dirname, '../../..');

const reportValidator = (() => {
  const ajv = new Ajv2020({ allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(REPO_ROOT, 'schema/scan-report.schema.json'), 'utf8')));
})();

const sarifValidator = (() => {
  // The SARIF 2.1.0 schema as Microsoft ships it (rtm.5, draft-04). Its run.language pattern is
  // not a valid Unicode-mode regular expression, so patterns are compiled without the u flag.
  const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')));
})();

/** The JSON report as the CLI prints it, checked against schema/scan-report.schema.json. */
export function expectValidReport(report: unknown): void {
  const valid = reportValidator(JSON.parse(JSON.stringify(report)));
  expect(reportValidator.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
}

export function expectValidSarif(log: unknown): void {
  const valid = sarifValidator(log);
  expect(sarifValidator.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
}

/**
 * The user of --login, played by the repo's test browser: signs in at the dev IdP (or
 * wherever the authorization server sends it) and approves, then lands on the scanner's
 * loopback callback, as a real browser would.
 */
export function testBrowserOpener(user: { username: string; password: string } = { username: 'alice', password: 'alice' }): BrowserOpener {
  return async (authorizationUrl) => {
    const flow = await authorizeInBrowser(authorizationUrl, user);
    const landed = await fetch(flow.redirectUrl);
    await landed.arrayBuffer();
  };
}

/**
 * An access token as an MCP client gets it from the local stack: dynamic registration, the
 * browser flow as alice (sign-in and consent), and the code exchange with PKCE and resource.
 */
export async function accessTokenFromLocalStack(issuer: string, resource: string, scope: string): Promise<string> {
  const redirectUri = 'http://127.0.0.1/scanner-test/callback';
  const registration = await fetch(`${issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'scanner test client', redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' }),
  });
  const { client_id: clientId } = (await registration.json()) as { client_id: string };
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(`${issuer}/authorize`);
  const params = { response_type: 'code', client_id: clientId, redirect_uri: redirectUri, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', state: 's', scope, resource };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  const flow = await authorizeInBrowser(url.href, { username: 'alice', password: 'alice' });
  const code = flow.params.get('code');
  if (!code) throw new Error(`no code came back: ${flow.redirectUrl}`);
  const exchange = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: redirectUri, resource }).toString(),
  });
  const body = (await exchange.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`the token endpoint answered ${exchange.status}: ${JSON.stringify(body)}`);
  return body.access_token;
}
