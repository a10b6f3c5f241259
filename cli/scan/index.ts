/**
 * `mcp-oauth scan <mcp-url>`: audits the authorization of any MCP server from its URL
 * (docs/scanner.md). Exit 0 when nothing failed, 1 when a finding failed, 2 for a usage
 * error or a target that cannot be reached.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openInDefaultBrowser } from './open-browser';
import type { BrowserOpener } from './probe';
import { progressLine, renderTable } from './render/table';
import { toSarif } from './render/sarif';
import { exitCodeOf, runScan, TargetUnreachableError } from './scanner';

export const SCAN_USAGE = `usage: mcp-oauth scan <mcp-url> [options]

Audits the OAuth authorization of an MCP server: discovery, the authorization server's
metadata, and how the server treats tokens it must refuse. Without options it sends only
read-only requests and tokens that are invalid on purpose.

options:
  --register                    register a probe client ("mcp-oauth scan probe client") and send
                                authorization requests that each break one rule (nobody signs in)
  --token <access token>        also check a real token: accepted, a tampered copy refused, step-up
                                on a tool beyond its scope, Mcp-Method/Mcp-Name agreement (the
                                token is never printed or written)
  --other-resource-token <t>    a token issued for another resource: it must be refused
  --login                       sign in in your browser (authorization code + PKCE, loopback
                                callback), then run the --token probes with the token obtained
  --json                        print the report as JSON (schema/scan-report.schema.json)
  --sarif <file>                also write the report as SARIF 2.1.0
  --timeout <ms>                how long the requests of one probe may take (default 10000)
  -h, --help                    this text

exit status: 0 nothing failed, 1 a finding failed, 2 usage error or unreachable target`;

export interface ScanIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Replaces the system browser for --login (tests drive their own). */
  readonly openBrowser?: BrowserOpener;
  readonly loginTimeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_LOGIN_TIMEOUT_MS = 5 * 60_000;

class UsageError extends Error {}

/** b64token, RFC 6750 §2.1: what may follow "Bearer " in an Authorization header. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

export async function runScanCommand(args: readonly string[], io: ScanIo): Promise<number> {
  let options: ReturnType<typeof parseOptions>;
  try {
    options = parseOptions(args);
  } catch (error) {
    const fromParseArgs = typeof (error as { code?: unknown }).code === 'string' && (error as { code: string }).code.startsWith('ERR_PARSE_ARGS');
    if (!(error instanceof UsageError) && !fromParseArgs) throw error;
    io.stderr.write(`mcp-oauth scan: ${(error as Error).message}\n\n${SCAN_USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    io.stdout.write(`${SCAN_USAGE}\n`);
    return 0;
  }
  const colour = (stream: { isTTY?: boolean }) => Boolean(stream.isTTY) && io.env.NO_COLOR === undefined;
  let report;
  try {
    report = await runScan(
      options.target,
      {
        register: options.register,
        token: options.token,
        otherResourceToken: options.otherResourceToken,
        login: options.login,
        timeoutMs: options.timeoutMs,
        loginTimeoutMs: io.loginTimeoutMs ?? DEFAULT_LOGIN_TIMEOUT_MS,
        openBrowser: io.openBrowser ?? openInDefaultBrowser,
        say: (line) => io.stderr.write(`${line}\n`),
        nowSeconds: () => Math.floor(Date.now() / 1000),
      },
      (index, total, finding) => io.stderr.write(`${progressLine(index, total, finding, colour(io.stderr))}\n`),
    );
  } catch (error) {
    if (!(error instanceof TargetUnreachableError)) throw error;
    io.stderr.write(`mcp-oauth scan: ${error.message}\n`);
    return 2;
  }
  io.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report, { colour: colour(io.stdout) }));
  if (options.sarif) {
    try {
      writeFileSync(options.sarif, `${JSON.stringify(toSarif(report), null, 2)}\n`);
    } catch (error) {
      io.stderr.write(`mcp-oauth scan: cannot write the SARIF file ${options.sarif}: ${(error as Error).message}\n`);
      return 2;
    }
  }
  return exitCodeOf(report);
}

function parseOptions(args: readonly string[]) {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      register: { type: 'boolean', default: false },
      token: { type: 'string' },
      'other-resource-token': { type: 'string' },
      login: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      sarif: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help' as const;
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `one MCP URL, not ${positionals.length}: ${positionals.join(' ')}` : 'the MCP URL is missing');
  const target = positionals[0]!;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError(`"${target}" is not a URL (e.g. https://mcp.example.com/mcp)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`the MCP URL must be http(s), not ${url.protocol}`);
  if (target.includes('#')) throw new UsageError('the MCP URL must not have a fragment');
  if (values.token !== undefined && values.login) throw new UsageError('--token and --login both give the token probes a token: use one');
  for (const name of ['token', 'other-resource-token', 'sarif'] as const) if (values[name] === '') throw new UsageError(`--${name} needs a value`);
  // Never echoed: the message must not carry the credential.
  for (const name of ['token', 'other-resource-token'] as const) {
    if (values[name] !== undefined && !BEARER_TOKEN.test(values[name]!)) throw new UsageError(`--${name} is not a bearer token (RFC 6750 §2.1 allows letters, digits and -._~+/ with trailing =)`);
  }
  const timeoutMs = values.timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 600_000) throw new UsageError(`--timeout must be a whole number of milliseconds from 100 to 600000, not "${values.timeout}"`);
  return {
    target,
    register: values.register,
    token: values.token,
    otherResourceToken: values['other-resource-token'],
    login: values.login,
    json: values.json,
    sarif: values.sarif,
    timeoutMs,
  };
}
