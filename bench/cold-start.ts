/**
 * Cold starts, measured: the authorizer's and the authorization server's production bundles
 * (esbuild with the CDK app's own options, lib/definitions/bundling.ts) are each loaded in 20
 * fresh Node processes. Each process times its init (loading the bundle: the config parsed
 * and validated, the clients built) plus its first request: for the authorizer an MCP
 * request with a valid token, including its JWKS fetch from a loopback server and its
 * revocation BatchGetItem; for the authorization server a dynamic registration (one
 * PutItem). DynamoDB is a DynamoDB Local of this run's own, on loopback. Node's own start
 * (about 40 ms here) is not counted, as Lambda's runtime start is not the function's.
 *
 *   npm run bench -- --cold-start
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { createTables, tableNamesForPrefix } from '../lambda/adapters/dynamodb/tables';
import { parseConfig } from '../lambda/adapters/config/parse-config';
import { HANDLER_ENTRIES } from '../lib/constructs/handler-entries';
import { FUNCTION_BUNDLING } from '../lib/definitions/bundling';
import { localDynamoDbClient, LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION, startDynamoDbLocal } from '../local/dynamodb-local';
import { createTestSigningKey, mintAccessToken, startLoopbackServer } from '../test/support/guard-token-forge';
import { proxyEvent } from '../test/support/api-gateway-event';
import { authorizerEvent } from './authorizer-hot-path';
import { percentile } from './stats';

const REPO_ROOT = join(__dirname, '..');

export interface ColdStartSummary {
  readonly processes: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  /** Medians of the two parts. */
  readonly initP50Ms: number;
  readonly firstRequestP50Ms: number;
}

export interface ColdStartResult {
  readonly authorizer: ColdStartSummary;
  readonly authorizationServer: ColdStartSummary;
}

/** The child: loads the bundle, answers one event, prints the two durations. Plain CommonJS, as Lambda's runtime loads a bundle. */
const DRIVER = `
const start = process.hrtime.bigint();
const { handler } = require(process.env.COLD_START_BUNDLE);
const loaded = process.hrtime.bigint();
Promise.resolve(handler(JSON.parse(process.env.COLD_START_EVENT))).then((result) => {
  const answered = process.hrtime.bigint();
  process.stdout.write('\\nCOLD_START ' + JSON.stringify({ initMs: Number(loaded - start) / 1e6, firstRequestMs: Number(answered - loaded) / 1e6, result }));
}, (error) => {
  process.stdout.write('\\nCOLD_START ' + JSON.stringify({ error: String(error) }));
});
`;

export async function benchColdStarts(processes: number): Promise<ColdStartResult> {
  const work = mkdtempSync(join(tmpdir(), 'mcp-oauth-cold-start-'));
  const dynamo = await startDynamoDbLocal({ port: 0 });
  const key = await createTestSigningKey('cold-start-key');
  const jwks = await startLoopbackServer(() => ({ status: 200, body: JSON.stringify({ keys: [key.publicJwk] }) }));
  try {
    const raw = JSON.parse(readFileSync(join(REPO_ROOT, 'config/local.json'), 'utf8'));
    // The JWKS at <issuer>/.well-known/jwks.json: the loopback server answers it at any path. No API Gateway cache in front.
    const configJson = { ...raw, issuer: jwks.url, guard: { ...raw.guard, authorizerCacheTtlSeconds: 0 } };
    delete configJson.local;
    const config = parseConfig(configJson);
    const tables = tableNamesForPrefix(`cold-start-${process.pid}`);
    const admin = localDynamoDbClient(dynamo.endpoint);
    await createTables(admin, tables);
    admin.destroy();

    const driver = join(work, 'driver.js');
    writeFileSync(driver, DRIVER);
    const bundle = async (entry: string, name: string) => {
      const file = join(work, `${name}.js`);
      await build({ entryPoints: [entry], bundle: true, ...FUNCTION_BUNDLING, external: [...FUNCTION_BUNDLING.external], outfile: file, logLevel: 'silent' });
      return file;
    };
    const common = {
      MCP_OAUTH_CONFIG: JSON.stringify(configJson),
      AWS_REGION: LOCAL_AWS_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
      // The bundle leaves @aws-sdk/* to the runtime, as Lambda's Node.js runtime provides it.
      NODE_PATH: join(REPO_ROOT, 'node_modules'),
      PATH: process.env.PATH ?? '',
    };

    const authorizerBundle = await bundle(HANDLER_ENTRIES.authorizer, 'authorizer');
    const authorizer = await runProcesses(processes, driver, authorizerBundle, async () => ({
      ...common,
      REVOCATIONS_TABLE_NAME: tables.revocations,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      COLD_START_EVENT: JSON.stringify(authorizerEvent(await mintAccessToken(config, key))),
    }), (result) => (result as { policyDocument?: { Statement?: { Effect?: string }[] } }).policyDocument?.Statement?.[0]?.Effect === 'Allow');

    const serverBundle = await bundle(HANDLER_ENTRIES.authorizationServer, 'authorization-server');
    const registration = { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none', client_name: 'Cold start' };
    const authorizationServer = await runProcesses(processes, driver, serverBundle, async () => ({
      ...common,
      MCP_OAUTH_TABLES: JSON.stringify(tables),
      MCP_OAUTH_SIGNING_KEYS: JSON.stringify({ active: 'alias/cold-start', published: [] }),
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      COLD_START_EVENT: JSON.stringify(proxyEvent('POST', '/register', { headers: { 'content-type': 'application/json' }, multiValueHeaders: { 'content-type': ['application/json'] }, body: JSON.stringify(registration) })),
    }), (result) => (result as { statusCode?: number }).statusCode === 201);

    return { authorizer, authorizationServer };
  } finally {
    await jwks.close();
    await dynamo.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function runProcesses(count: number, driver: string, bundleFile: string, env: () => Promise<Record<string, string>>, succeeded: (result: unknown) => boolean): Promise<ColdStartSummary> {
  const totals: number[] = [];
  const inits: number[] = [];
  const firsts: number[] = [];
  for (let i = 0; i < count; i++) {
    // One process at a time, so that they do not slow each other down; asynchronously, so that this process keeps serving the JWKS.
    const child = await runChild(driver, { ...(await env()), COLD_START_BUNDLE: bundleFile });
    let measured: { initMs?: number; firstRequestMs?: number; result?: unknown; error?: string };
    try {
      // The functions print their own lines (EMF metrics) to stdout too.
      const line = child.stdout.split('\n').filter((l) => l.startsWith('COLD_START ')).pop();
      measured = JSON.parse(line?.slice('COLD_START '.length) ?? '');
    } catch {
      throw new Error(`a cold start printed no measurement (status ${child.status}):\n${child.stdout}\n${child.stderr}`);
    }
    if (measured.error !== undefined || !succeeded(measured.result)) throw new Error(`a cold start did not answer as expected: ${JSON.stringify(measured)}\n${child.stderr}`);
    inits.push(measured.initMs!);
    firsts.push(measured.firstRequestMs!);
    totals.push(measured.initMs! + measured.firstRequestMs!);
  }
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  return {
    processes: count,
    p50Ms: percentile(sorted(totals), 0.5),
    p90Ms: percentile(sorted(totals), 0.9),
    initP50Ms: percentile(sorted(inits), 0.5),
    firstRequestP50Ms: percentile(sorted(firsts), 0.5),
  };
}

function runChild(driver: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [driver], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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
