/**
 * Starts the side-by-side benchmark's baseline (bench/oidc-baseline-main.ts) as a child
 * process on free loopback ports, as the harness starts local mode's stack, and waits for
 * its ready line.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../local/dynamodb-local';

export const BASELINE_READY_PREFIX = 'oidc-baseline ready ';
const REPO_ROOT = join(__dirname, '..');
const READY_TIMEOUT_MS = 60_000;

export interface BaselineProcess {
  readonly issuer: string;
  readonly mcpUrl: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export async function startBaselineProcess(dynamoDbEndpoint: string): Promise<BaselineProcess> {
  const args = ['bench/oidc-baseline-main.ts', '--as-port', String(await freePort()), '--mcp-port', String(await freePort()), '--dynamodb-endpoint', dynamoDbEndpoint];
  // Its own process group, so stop() reaches tsx's node too.
  const child = spawn(join(REPO_ROOT, 'node_modules/.bin/tsx'), args, { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(force);
        signalGroup(child.pid!, 'SIGKILL');
        resolve();
      });
      signalGroup(child.pid!, 'SIGTERM');
    });
  const ready = await new Promise<{ issuer: string; mcpUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the baseline printed no ready line within ${READY_TIMEOUT_MS} ms:\n${output}`)), READY_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => l.startsWith(BASELINE_READY_PREFIX));
      if (!line) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice(BASELINE_READY_PREFIX.length)));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the baseline exited (code ${code}) before it was ready:\n${output}`));
    });
  }).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return { ...ready, pid: child.pid!, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
