/**
 * Cold starts, measured: the authorizer's and the authorization server's production bundles
 * (esbuild with the CDK app's own options, lib/definitions/bundling.ts) are each loaded in
 * fresh Node processes. Each process times its init (loading the bundle, which builds the
 * function's dependencies: the config read, the clients) plus its first
 * request: for the authorizer an MCP request with a valid token, including its JWKS fetch
 * and its revocation BatchGetItem; for the authorization server a dynamic registration (one
 * PutItem) on the function that serves it when deployed (the `public` endpoint group).
 * DynamoDB is a DynamoDB Local of this run's own. Both are on loopback and, as in AWS, over
 * HTTPS (the JWKS server, and a TLS proxy in front of DynamoDB Local, with a certificate made
 * for the run that the children trust through NODE_EXTRA_CA_CERTS): a plain-http JWKS would
 * take Node's fetch (undici), whose first load costs more than the whole authorizer, and
 * which the deployed authorizer never loads. Node's own start (about 40 ms here) is not
 * counted, as Lambda's runtime start is not the function's.
 *
 * Each part is reported as wall time and as the CPU time the process spent in it (user +
 * system, process.cpuUsage): on a machine other processes load, wall time also holds the
 * time the process waited for a CPU, CPU time mostly does not.
 *
 * Each function reads its configuration as deployed: the file the CDK app bundles beside it
 * (MCP_OAUTH_CONFIG_FILE in its task root), written by that version's own writer
 * (lib/constructs/bundled-config.ts writeBundledConfig, run here on config/local.json), so the
 * authorizer gets the configuration validated "at synth" that it reads without zod.
 *
 * With a baseline (a git ref), the same functions are also bundled from that ref's lambda/
 * sources, their configuration file written by that ref's writer, and the processes alternate
 * between the two bundles, so that a change is shown against its baseline under the same load.
 *
 *   npm run bench -- --cold-start [--baseline <git ref>] [--processes <n>] [--cpu-prof <folder>]
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import { connect, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { createServer as createTlsServer } from 'node:tls';
import { join, relative } from 'node:path';
import { build } from 'esbuild';
import { createTables, tableNamesForPrefix } from '../lambda/adapters/dynamodb/tables';
import { parseConfig } from '../lambda/adapters/config/parse-config';
import { BUNDLED_CONFIG_FILE_NAME } from '../lib/constructs/bundled-config';
import { HANDLER_ENTRIES } from '../lib/constructs/handler-entries';
import { FUNCTION_BUNDLING } from '../lib/definitions/bundling';
import { localDynamoDbClient, LOCAL_AWS_REGION, startDynamoDbLocal } from '../local/dynamodb-local';
import { createTestSigningKey, mintAccessToken } from '../test/support/guard-token-forge';
import { proxyEvent } from '../test/support/api-gateway-event';
import { authorizerEvent } from './authorizer-hot-path';
import { percentile } from './stats';

const REPO_ROOT = join(__dirname, '..');

/** Medians (and the 90th percentile of the total) of one bundle's processes, in ms. */
export interface ColdStartSummary {
  readonly processes: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly initP50Ms: number;
  readonly firstRequestP50Ms: number;
  /** CPU time (user + system) of init plus the first request. */
  readonly cpuP50Ms: number;
  readonly cpuP90Ms: number;
  readonly initCpuP50Ms: number;
  readonly firstRequestCpuP50Ms: number;
}

export type ColdStartFunction = 'authorizer' | 'authorizationServer';

export interface ColdStartRow {
  readonly fn: ColdStartFunction;
  /** `current` (this working tree) or the baseline's git ref. */
  readonly variant: string;
  readonly summary: ColdStartSummary;
}

export interface ColdStartOptions {
  readonly processes: number;
  /** A git ref whose lambda/ sources are bundled too, its processes alternating with the current ones. */
  readonly baseline?: string;
  /** A folder for a V8 CPU profile of every process (node --cpu-prof), one subfolder per function and bundle: where their time goes. */
  readonly cpuProfileDir?: string;
}

/**
 * What Lambda's Node.js runtime gives a function, as far as the function's code reads it:
 * the execution role's credentials as environment variables (key, secret and session token,
 * so the SDK's credential chain stops at its first, environment, provider, as it does in
 * Lambda), the region, the function's name, memory and version, UTC (the task root is each
 * bundle's folder, set per process). No
 * HOME, so nothing reads ~/.aws files that Lambda does not have. The credentials are fake:
 * DynamoDB Local accepts any.
 */
function lambdaLikeEnvironment(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: 'ASIACOLDSTARTBENCH00',
    AWS_SECRET_ACCESS_KEY: 'cold-start-bench-secret-access-key-000000',
    AWS_SESSION_TOKEN: 'cold-start-bench-session-token',
    AWS_REGION: LOCAL_AWS_REGION,
    AWS_DEFAULT_REGION: LOCAL_AWS_REGION,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: 'cold-start-bench',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    TZ: ':UTC',
    // The bundle leaves @aws-sdk/* to the runtime, as Lambda's Node.js runtime provides it.
    NODE_PATH: join(REPO_ROOT, 'node_modules'),
    PATH: process.env.PATH ?? '',
  };
}

/** The child: loads the bundle, answers one event, prints the durations and CPU times. Plain CommonJS, as Lambda's runtime loads a bundle. */
const DRIVER = `
const cpuMs = (from, to) => (to.user - from.user + to.system - from.system) / 1000;
const start = process.hrtime.bigint();
const startCpu = process.cpuUsage();
const { handler } = require(process.env.COLD_START_BUNDLE);
const loaded = process.hrtime.bigint();
const loadedCpu = process.cpuUsage();
Promise.resolve(handler(JSON.parse(process.env.COLD_START_EVENT))).then((result) => {
  const answered = process.hrtime.bigint();
  const answeredCpu = process.cpuUsage();
  process.stdout.write('\\nCOLD_START ' + JSON.stringify({
    initMs: Number(loaded - start) / 1e6, firstRequestMs: Number(answered - loaded) / 1e6,
    initCpuMs: cpuMs(startCpu, loadedCpu), firstRequestCpuMs: cpuMs(loadedCpu, answeredCpu), result,
  }));
}, (error) => {
  process.stdout.write('\\nCOLD_START ' + JSON.stringify({ error: String(error) }));
});
`;

interface Measurement {
  readonly initMs: number;
  readonly firstRequestMs: number;
  readonly initCpuMs: number;
  readonly firstRequestCpuMs: number;
}

export async function benchColdStarts(options: ColdStartOptions): Promise<ColdStartRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'mcp-oauth-cold-start-'));
  const tls = makeCertificate(work);
  const dynamo = await startDynamoDbLocal({ port: 0 });
  const key = await createTestSigningKey('cold-start-key');
  const body = JSON.stringify({ keys: [key.publicJwk] });
  const jwks = createHttpsServer(tls, (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(body));
  const dynamoTls = createTlsServer(tls, (socket) => {
    const engine = connect(dynamo.port, '127.0.0.1');
    socket.pipe(engine).pipe(socket);
    const end = () => (socket.destroy(), engine.destroy());
    socket.on('error', end);
    engine.on('error', end);
  });
  try {
    const jwksOrigin = `https://127.0.0.1:${await listen(jwks)}`;
    const dynamoEndpoint = `https://127.0.0.1:${await listen(dynamoTls)}`;
    const raw = JSON.parse(readFileSync(join(REPO_ROOT, 'config/local.json'), 'utf8'));
    // The JWKS at <issuer>/.well-known/jwks.json: the server answers it at any path. No API Gateway cache in front.
    const configJson = { ...raw, issuer: jwksOrigin, guard: { ...raw.guard, authorizerCacheTtlSeconds: 0 } };
    delete configJson.local;
    const config = parseConfig(configJson);
    const tables = tableNamesForPrefix(`cold-start-${process.pid}`);
    const admin = localDynamoDbClient(dynamo.endpoint);
    await createTables(admin, tables);
    admin.destroy();

    const driver = join(work, 'driver.js');
    writeFileSync(driver, DRIVER);
    const sources = [{ variant: 'current', root: REPO_ROOT }];
    if (options.baseline) sources.unshift({ variant: options.baseline, root: checkOut(options.baseline, join(work, 'baseline')) });
    // One task root per version, holding the configuration file its CDK app would bundle.
    const taskRoots = await Promise.all(sources.map(async ({ root }, index) => {
      const taskRoot = join(work, `task-${index}`);
      mkdirSync(taskRoot);
      copyFileSync(await writeBundledConfigOf(root, configJson), join(taskRoot, BUNDLED_CONFIG_FILE_NAME));
      return taskRoot;
    }));
    const bundles = (fn: ColdStartFunction) =>
      Promise.all(sources.map(async ({ variant, root }, index) => ({ variant, taskRoot: taskRoots[index]!, file: await bundle(join(root, relative(REPO_ROOT, HANDLER_ENTRIES[fn])), join(taskRoots[index]!, `${fn}.js`)) })));
    const common = { ...lambdaLikeEnvironment(), NODE_EXTRA_CA_CERTS: tls.caFile, MCP_OAUTH_CONFIG_FILE: BUNDLED_CONFIG_FILE_NAME };

    const rows: ColdStartRow[] = [];
    rows.push(
      ...(await runAlternating('authorizer', await bundles('authorizer'), options, driver, async () => ({
        ...common,
        REVOCATIONS_TABLE_NAME: tables.revocations,
        // The SDK's (and the authorizer's) own variable for a DynamoDB endpoint other than AWS's.
        AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
        COLD_START_EVENT: JSON.stringify(authorizerEvent(await mintAccessToken(config, key))),
      }), (result) => (result as { policyDocument?: { Statement?: { Effect?: string }[] } }).policyDocument?.Statement?.[0]?.Effect === 'Allow')),
    );
    const registration = { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none', client_name: 'Cold start' };
    rows.push(
      ...(await runAlternating('authorizationServer', await bundles('authorizationServer'), options, driver, async () => ({
        ...common,
        MCP_OAUTH_TABLES: JSON.stringify(tables),
        MCP_OAUTH_SIGNING_KEYS: JSON.stringify({ active: 'alias/cold-start', published: [] }),
        MCP_OAUTH_ENDPOINT_GROUP: 'public',
        DYNAMODB_ENDPOINT: dynamoEndpoint,
        COLD_START_EVENT: JSON.stringify(proxyEvent('POST', '/register', { headers: { 'content-type': 'application/json' }, multiValueHeaders: { 'content-type': ['application/json'] }, body: JSON.stringify(registration) })),
      }), (result) => (result as { statusCode?: number }).statusCode === 201)),
    );
    return rows;
  } finally {
    jwks.closeAllConnections();
    await Promise.all([jwks, dynamoTls].map((server) => new Promise((resolve) => server.close(resolve))));
    await dynamo.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** A certificate for 127.0.0.1, made for this run, and the file that makes the children trust it. */
function makeCertificate(work: string): { readonly cert: Buffer; readonly key: Buffer; readonly caFile: string } {
  const [keyFile, certFile] = [join(work, 'tls-key.pem'), join(work, 'tls-cert.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert: readFileSync(certFile), key: readFileSync(keyFile), caFile: certFile };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

/** The ref's lambda/ and lib/ folders, extracted under `dir`; their imports of packages resolve from this repository's node_modules. */
function checkOut(ref: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['-C', REPO_ROOT, 'archive', '--format=tar', ref, 'lambda', 'lib'], { maxBuffer: 64 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  return dir;
}

/**
 * The configuration file the CDK app of the sources under `root` bundles for `raw`: that
 * version's parseConfig, then its writeBundledConfig (lib/constructs/bundled-config.ts), run
 * from a bundle of the two, as `cdk synth` would run them. The bundle is written under this
 * repository's node_modules, so that its packages (aws-cdk-lib, zod) resolve from there.
 */
async function writeBundledConfigOf(root: string, raw: unknown): Promise<string> {
  const entry = [
    `export { writeBundledConfig } from ${JSON.stringify(join(root, 'lib/constructs/bundled-config'))};`,
    `export { parseConfig } from ${JSON.stringify(join(root, 'lambda/adapters/config/parse-config'))};`,
  ].join('\n');
  const dir = mkdtempSync(join(REPO_ROOT, 'node_modules', '.cold-start-config-writer-'));
  try {
    const outfile = join(dir, 'writer.js');
    await build({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'cjs', packages: 'external', outfile, logLevel: 'silent' });
    const writer = createRequire(outfile)(outfile) as { writeBundledConfig(config: unknown): string; parseConfig(input: unknown): unknown };
    return writer.writeBundledConfig(writer.parseConfig(raw));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bundle(entry: string, outfile: string): Promise<string> {
  await build({ entryPoints: [entry], bundle: true, ...FUNCTION_BUNDLING, external: [...FUNCTION_BUNDLING.external], nodePaths: [join(REPO_ROOT, 'node_modules')], outfile, logLevel: 'silent' });
  return outfile;
}

async function runAlternating(
  fn: ColdStartFunction,
  bundles: readonly { readonly variant: string; readonly file: string; readonly taskRoot: string }[],
  options: ColdStartOptions,
  driver: string,
  env: () => Promise<Record<string, string>>,
  succeeded: (result: unknown) => boolean,
): Promise<ColdStartRow[]> {
  const measured = bundles.map(() => [] as Measurement[]);
  const nodeFlags = (variant: string) => (options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(options.cpuProfileDir, `${fn}-${variant.replace(/[^\w.-]/g, '_')}`)}`] : []);
  for (let i = 0; i < options.processes; i++) {
    // One process at a time, so that they do not slow each other down; asynchronously, so that this process keeps serving the JWKS.
    for (const [index, { file, variant, taskRoot }] of bundles.entries()) measured[index]!.push(await runOnce([...nodeFlags(variant), driver], { ...(await env()), LAMBDA_TASK_ROOT: taskRoot, COLD_START_BUNDLE: file }, succeeded));
  }
  return bundles.map(({ variant }, index) => ({ fn, variant, summary: summarizeColdStarts(measured[index]!) }));
}

async function runOnce(args: readonly string[], env: Record<string, string>, succeeded: (result: unknown) => boolean): Promise<Measurement> {
  const child = await runChild(args, env);
  let measured: Partial<Measurement> & { result?: unknown; error?: string };
  try {
    // The functions print their own lines (EMF metrics) to stdout too.
    const line = child.stdout.split('\n').filter((l) => l.startsWith('COLD_START ')).pop();
    measured = JSON.parse(line?.slice('COLD_START '.length) ?? '');
  } catch {
    throw new Error(`a cold start printed no measurement (status ${child.status}):\n${child.stdout}\n${child.stderr}`);
  }
  if (measured.error !== undefined || !succeeded(measured.result)) throw new Error(`a cold start did not answer as expected: ${JSON.stringify(measured)}\n${child.stderr}`);
  return measured as Measurement;
}

function summarizeColdStarts(runs: readonly Measurement[]): ColdStartSummary {
  const p = (values: number[], q: number) => percentile([...values].sort((a, b) => a - b), q);
  const totals = runs.map((r) => r.initMs + r.firstRequestMs);
  const cpuTotals = runs.map((r) => r.initCpuMs + r.firstRequestCpuMs);
  return {
    processes: runs.length,
    p50Ms: p(totals, 0.5),
    p90Ms: p(totals, 0.9),
    initP50Ms: p(runs.map((r) => r.initMs), 0.5),
    firstRequestP50Ms: p(runs.map((r) => r.firstRequestMs), 0.5),
    cpuP50Ms: p(cpuTotals, 0.5),
    cpuP90Ms: p(cpuTotals, 0.9),
    initCpuP50Ms: p(runs.map((r) => r.initCpuMs), 0.5),
    firstRequestCpuP50Ms: p(runs.map((r) => r.firstRequestCpuMs), 0.5),
  };
}

function runChild(args: readonly string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}
