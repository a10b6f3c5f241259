/**
 * `npm run soak` is not part of CI (a real soak takes minutes); this runs it for a few
 * seconds with two workers so the script cannot rot: it must start its own stack and
 * DynamoDB Local, drive authorizations, refreshes, revocations and tool calls, print its
 * verdicts and exit 0. It runs with the opt-in memory probe, so that cannot rot either.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const REPO_ROOT = join(__dirname, '../..');

it('npm run soak -- --seconds 8 runs flows and passes its checks', () => {
  const run = spawnSync(join(REPO_ROOT, 'node_modules/.bin/tsx'), ['bench/soak.ts', '--seconds', '8', '--workers', '2', '--think-ms', '0', '--memory-probe'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 150_000 });
  const output = `${run.stdout}\n${run.stderr}`;
  expect({ status: run.status, output }).toMatchObject({ status: 0 });
  expect(output).toMatch(/PASS zero 5xx \(0\)/);
  expect(output).toMatch(/PASS zero refresh families lost or forked \(lost 0, forked 0, of [1-9]\d*\)/);
  expect(output).toMatch(/PASS no other unexpected answer/);
  expect(output).toMatch(/SKIP RSS flat after warm-up/);
  // The stack's node process reports its own heap (not that of tsx's module-hooks thread, a few MB).
  expect(output).toMatch(/memory probe: .*local stack \(node[^)]*\): rss \d+\.\d, heapTotal \d+\.\d \(new [\d.]+ \+ old [\d.]+ \+ code [\d.]+ \+ large objects [\d.]+\), heapUsed [1-9]\d+\.\d, /);
  for (const endpoint of ['AS POST /register', 'AS POST /token authorization_code', 'AS POST /token refresh_token', 'AS POST /revoke', 'MCP POST /mcp tools/call', 'MCP POST /mcp tools/list']) expect(output).toContain(endpoint);
}, 180_000);
