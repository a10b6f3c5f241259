/**
 * `mcp-oauth local` as a user runs it: a child process started through tsx, waited for on
 * its ready line, probed over HTTP, and stopped with a signal. DynamoDB is the test run's
 * DynamoDB Local (--dynamodb-endpoint), so the JVM start is paid once per test run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertPortFree, freePort } from '../../local/dynamodb-local';

const REPO_ROOT = join(__dirname, '../..');
const TSX_CLI = require.resolve('tsx/cli');

interface Ports {
  readonly as: number;
  readonly mcp: number;
  readonly idp: number;
  readonly dynamo: number;
}

interface Started {
  readonly child: ChildProcess;
  readonly ready: { issuer: string; mcpUrl: string; devIdp: string };
  output(): string;
}

let workDir: string;
let ports: Ports;
let configPath: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'local-stack-'));
  ports = { as: await freePort(), mcp: await freePort(), idp: await freePort(), dynamo: await freePort() };
  const raw = JSON.parse(readFileSync(join(REPO_ROOT, 'config/local.json'), 'utf8'));
  // Every option naming the issuer, the MCP server or the dev IdP (allowedScopes and trusted IdPs too) moves with it.
  const moved = JSON.stringify(raw)
    .replaceAll('http://localhost:8787', `http://localhost:${ports.as}`)
    .replaceAll('http://localhost:8788', `http://localhost:${ports.mcp}`)
    .replaceAll('http://localhost:8789', `http://localhost:${ports.idp}`);
  Object.assign(raw, JSON.parse(moved));
  raw.local.devIdpPort = ports.idp;
  raw.local.dynamoDbPort = ports.dynamo;
  configPath = join(workDir, 'config.json');
  writeFileSync(configPath, JSON.stringify(raw));
});

afterEach(() => {
  // A failed assertion must not leave a stack running: kill what this suite spawned, by pid.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function spawnLocal(extraArgs: string[] = [], env: Record<string, string> = {}, options: { ownDynamoDb?: boolean } = {}): ChildProcess {
  const args = [
    TSX_CLI, 'bin/mcp-oauth.ts', 'local',
    '--config', configPath,
    '--data-dir', join(workDir, 'data'),
    ...(options.ownDynamoDb ? [] : ['--dynamodb-endpoint', process.env.DYNAMODB_ENDPOINT!]),
    '--table-prefix', `local-stack-${process.pid}-`,
    ...extraArgs,
  ];
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('PORT' in env)) delete childEnv.PORT;
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

function startLocal(extraArgs: string[] = [], env: Record<string, string> = {}): Promise<Started> {
  const child = spawnLocal(extraArgs, env);
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith('mcp-oauth local ready '));
      if (line) {
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
        resolve({ child, ready: JSON.parse(line.slice('mcp-oauth local ready '.length)), output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`mcp-oauth local exited with ${code} before it was ready:\n${output}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill('SIGTERM');
  return exited(started.child);
}

async function currentKid(issuer: string): Promise<string> {
  const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
  return jwks.keys[0].kid;
}

describe('mcp-oauth local', () => {
  let firstKid: string;

  it('starts, serves metadata, JWKS and the guarded MCP server, and stops everything on SIGTERM', async () => {
    const started = await startLocal(['--fresh']);

    expect(started.ready).toEqual({ issuer: `http://localhost:${ports.as}`, mcpUrl: `http://localhost:${ports.mcp}/mcp`, devIdp: `http://localhost:${ports.idp}` });
    const metadata = await fetch(`${started.ready.issuer}/.well-known/oauth-authorization-server`);
    expect(metadata.status).toBe(200);
    expect(((await metadata.json()) as { issuer: string }).issuer).toBe(started.ready.issuer);
    firstKid = await currentKid(started.ready.issuer);
    expect(firstKid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(join(workDir, 'data', 'signing-key.pem')).mode & 0o777).toBe(0o600);

    const mcp = await fetch(started.ready.mcpUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(mcp.status).toBe(401);
    expect(mcp.headers.get('www-authenticate')).toContain('resource_metadata=');

    const discovery = await fetch(`${started.ready.devIdp}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(started.output()).toContain('alice / alice');

    expect(await stop(started)).toBe(0);
    for (const port of [ports.as, ports.mcp, ports.idp]) await expect(assertPortFree(port)).resolves.toBe(port);
  }, 120_000);

  it('reuses the signing key on the next start, and --fresh with PORT makes a new key and moves the issuer', async () => {
    const again = await startLocal();
    expect(await currentKid(again.ready.issuer)).toBe(firstKid);
    expect(await stop(again)).toBe(0);

    const otherPort = await freePort();
    const fresh = await startLocal(['--fresh'], { PORT: String(otherPort) });
    expect(fresh.ready.issuer).toBe(`http://localhost:${otherPort}`);
    const metadata = (await (await fetch(`${fresh.ready.issuer}/.well-known/oauth-authorization-server`)).json()) as { issuer: string };
    expect(metadata.issuer).toBe(`http://localhost:${otherPort}`);
    expect(await currentKid(fresh.ready.issuer)).not.toBe(firstKid);
    expect(await stop(fresh)).toBe(0);
  }, 180_000);

  it('says which port to free when one is taken, and exits 1 without starting anything', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(ports.idp, '127.0.0.1', resolve));
    try {
      const child = spawnLocal();
      let output = '';
      child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr!.on('data', (c: Buffer) => (output += c.toString()));

      expect(await exited(child)).toBe(1);
      expect(output).toContain(`Port ${ports.idp} is already in use: stop what listens there, or choose another port. (needed by the dev IdP (local.devIdpPort))`);
      expect(output).not.toContain('tables ready');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 60_000);

  it('says to install Java when it must start DynamoDB Local and there is none on the PATH', async () => {
    const emptyPath = mkdtempSync(join(workDir, 'no-java-'));
    // Without --dynamodb-endpoint local mode starts its own DynamoDB Local, which needs Java.
    const child = spawnLocal([], { PATH: emptyPath }, { ownDynamoDb: true });
    let output = '';
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));

    expect(await exited(child)).toBe(1);
    expect(output).toContain('DynamoDB Local needs Java 17 or later on the PATH');
  }, 60_000);

  it('refuses --fresh on a folder it did not create', async () => {
    const foreign = mkdtempSync(join(workDir, 'foreign-'));
    writeFileSync(join(foreign, 'thesis.tex'), 'precious');
    const child = spawnLocal(['--fresh', '--data-dir', foreign]);
    let output = '';
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));

    expect(await exited(child)).toBe(1);
    expect(output).toContain('--fresh refuses to wipe');
    expect(readFileSync(join(foreign, 'thesis.tex'), 'utf8')).toBe('precious');
  }, 60_000);
});
