/**
 * The README's `npm start`, stopped by a SIGTERM sent to npm alone (as a process manager, an
 * IDE's stop button or `kill <pid>` does), must stop the whole stack: npm passes the signal
 * to its script's shell, and a shell that waits for tsx would die and leave tsx, node, the
 * dev IdP and the ports behind. The start script therefore execs tsx (package.json).
 */
import { createConnection } from 'node:net';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';

/** How long the stack may take to stop after the signal (DynamoDB Local is not ours here: the run's own is used). */
const STOP_BOUND_MS = 15_000;

let stack: LocalStack | undefined;

afterAll(async () => {
  await stack?.stop();
});

function processGroupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(condition: () => Promise<boolean> | boolean, boundMs: number): Promise<boolean> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return condition();
}

it('SIGTERM to npm alone stops every process of `npm start` and frees its ports', async () => {
  stack = await startLocalStack({ launcher: 'npm start' });
  const ports = [stack.ports.authorizationServer, stack.ports.mcpServer, stack.ports.devIdp];
  expect(await Promise.all(ports.map(portAccepts))).toEqual([true, true, true]);

  process.kill(stack.launcherPid, 'SIGTERM');

  const stopped = await waitUntil(() => !processGroupAlive(stack!.launcherPid), STOP_BOUND_MS);
  expect({ stopped, output: stopped ? '' : stack.output() }).toEqual({ stopped: true, output: '' });
  expect(await Promise.all(ports.map(portAccepts))).toEqual([false, false, false]);
  expect(stack.output()).toContain('SIGTERM: stopping');
}, 120_000);
