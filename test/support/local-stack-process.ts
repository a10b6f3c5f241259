/**
 * Runs the whole local stack (authorization server, dev IdP, demo MCP server) as a child
 * process through the real CLI, the way a developer runs `npm start`, but on free ports,
 * a fresh data folder and a unique table prefix in the test run's DynamoDB Local, so
 * that tests never collide with each other or with a developer's running stack.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/dynamodb-local';

const REPO_ROOT = join(__dirname, '../..');
const READY_PREFIX = 'mcp-oauth local ready ';

export interface LocalStackPorts {
  readonly authorizationServer: number;
  readonly mcpServer: number;
  readonly devIdp: number;
}

export interface StartLocalStackOptions {
  /** Changes the config (parsed config/local.json, already moved to free ports) before it is written. */
  readonly configOverrides?: (config: any, ports: LocalStackPorts) => void;
  readonly readyTimeoutMs?: number;
  /** A DynamoDB Local of the test's own (one it pauses or kills). @default the Jest run's (DYNAMODB_ENDPOINT) */
  readonly dynamoDbEndpoint?: string;
  /** `npm start` runs the README's command (npm, its shell, tsx, node) instead of tsx directly. @default 'tsx' */
  readonly launcher?: 'tsx' | 'npm start';
}

export interface LocalStack {
  readonly issuer: string;
  readonly mcpUrl: string;
  readonly devIdp: string;
  /** The config the stack runs with, as written to its file. */
  readonly config: any;
  readonly ports: LocalStackPorts;
  readonly tablePrefix: string;
  /** The stack's --data-dir (DynamoDB Local's files are elsewhere; the key files local mode writes are here). */
  readonly dataDir: string;
  /** The process the stack was started as (tsx, or npm with `launcher: 'npm start'`); its process group holds the whole stack. */
  readonly launcherPid: number;
  /** Everything the child printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function startLocalStack(options: StartLocalStackOptions = {}): Promise<LocalStack> {
  const dynamoDbEndpoint = options.dynamoDbEndpoint ?? process.env.DYNAMODB_ENDPOINT;
  if (!dynamoDbEndpoint) throw new Error('DYNAMODB_ENDPOINT is not set: run this through Jest, whose global setup starts DynamoDB Local');

  const ports: LocalStackPorts = { authorizationServer: await freePort(), mcpServer: await freePort(), devIdp: await freePort() };
  const config = JSON.parse(readFileSync(join(REPO_ROOT, 'config/local.json'), 'utf8'));
  moveToPorts(config, ports, new URL(dynamoDbEndpoint));
  options.configOverrides?.(config, ports);

  const workDir = mkdtempSync(join(tmpdir(), 'mcp-oauth-e2e-'));
  const configPath = join(workDir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const tablePrefix = `e2e-${randomBytes(4).toString('hex')}-`;

  const localArgs = ['--config', configPath, '--data-dir', join(workDir, 'data'), '--dynamodb-endpoint', dynamoDbEndpoint, '--table-prefix', tablePrefix];
  const [command, args] = options.launcher === 'npm start'
    ? ['npm', ['start', '--silent', '--', ...localArgs]]
    : [join(REPO_ROOT, 'node_modules/.bin/tsx'), ['bin/mcp-oauth.ts', 'local', ...localArgs]];
  const child = spawn(
    command,
    args,
    // Its own process group, so stop() reaches the CLI and anything it spawned (tsx's node, the dev IdP).
    { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const stop = async () => {
    await stopProcessGroup(child);
    rmSync(workDir, { recursive: true, force: true });
  };

  let ready: { issuer: string; mcpUrl: string; devIdp: string };
  try {
    ready = await waitForReadyLine(child, () => output, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ...ready, config, ports, tablePrefix, dataDir: join(workDir, 'data'), launcherPid: child.pid!, output: () => output, stop };
}

function moveToPorts(config: any, ports: LocalStackPorts, dynamoDb: URL): void {
  const oldResource: string = config.resources[0].uri;
  const newResource = `http://localhost:${ports.mcpServer}${new URL(oldResource).pathname}`;
  const moved = {
    [new URL(config.issuer).origin]: `http://localhost:${ports.authorizationServer}`,
    [new URL(oldResource).origin]: `http://localhost:${ports.mcpServer}`,
    [new URL(config.upstream.issuer).origin]: `http://localhost:${ports.devIdp}`,
  };
  // Every option that names the issuer, the MCP server or the dev IdP (resources, clients'
  // allowedScopes, trusted IdPs) moves with it.
  const rewritten = JSON.parse(JSON.stringify(config, (_key, value: unknown) => (typeof value === 'string' ? moveOrigin(value, moved) : value)));
  for (const key of Object.keys(config)) delete config[key];
  Object.assign(config, renameKeys(rewritten, moved));
  if (config.defaultResource === undefined || config.defaultResource === oldResource) config.defaultResource = newResource;
  config.local.devIdpPort = ports.devIdp;
  config.local.dynamoDbPort = Number(dynamoDb.port);
}

/** `value` with a leading origin of `moved` replaced (exact origin, or followed by a path). */
function moveOrigin(value: string, moved: Readonly<Record<string, string>>): string {
  for (const [from, to] of Object.entries(moved)) if (value === from || value.startsWith(`${from}/`)) return to + value.slice(from.length);
  return value;
}

/** Object keys that are URLs (allowedScopes is keyed by resource URI) move too. */
function renameKeys(value: any, moved: Readonly<Record<string, string>>): any {
  if (Array.isArray(value)) return value.map((item) => renameKeys(item, moved));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [moveOrigin(key, moved), renameKeys(member, moved)]));
}

function waitForReadyLine(child: ChildProcess, output: () => string, timeoutMs: number): Promise<{ issuer: string; mcpUrl: string; devIdp: string }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, value?: { issuer: string; mcpUrl: string; devIdp: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(value!);
    };
    const onData = () => {
      const line = output().split('\n').find((l) => l.startsWith(READY_PREFIX));
      if (!line) return;
      try {
        const parsed = JSON.parse(line.slice(READY_PREFIX.length));
        if (typeof parsed.issuer !== 'string' || typeof parsed.mcpUrl !== 'string' || typeof parsed.devIdp !== 'string') throw new Error('missing issuer, mcpUrl or devIdp');
        finish(undefined, parsed);
      } catch (error) {
        finish(new Error(`the local stack printed a ready line that is not the documented JSON (${(error as Error).message}):\n${line}`));
      }
    };
    const onExit = (code: number | null, signal: string | null) => finish(new Error(`the local stack exited (code ${code}, signal ${signal}) before it was ready. Its output:\n${output()}`));
    const timer = setTimeout(() => finish(new Error(`the local stack printed no "${READY_PREFIX.trim()}" line within ${timeoutMs} ms. Its output:\n${output()}`)), timeoutMs);
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
    onData();
  });
}

function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const pid = child.pid;
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  return new Promise((resolve) => {
    const force = setTimeout(() => signalGroup('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      // Grandchildren that ignored SIGTERM must not outlive the test run.
      signalGroup('SIGKILL');
      resolve();
    });
    signalGroup('SIGTERM');
  });
}
