/**
 * local/local-heap.ts: local mode bounds how far V8 grows its heap past what a full
 * collection kept. V8 prints the factor it used for the next limit with --trace-gc-verbose;
 * a child process (never this Jest worker, whose heap must stay as it is) applies the
 * bound, collects and reports it.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LOCAL_HEAP_GROWING_PERCENT } from '../../local/local-heap';

const REPO_ROOT = join(__dirname, '../..');

/** The factors V8's old-generation controller used for its limits after each full collection. */
function heapLimitFactors(script: string): number[] {
  const run = spawnSync(process.execPath, ['--expose-gc', '--trace-gc-verbose', '--import', 'tsx', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(run.status).toBe(0);
  return [...run.stdout.matchAll(/\[HeapController\] Limit: old size: \d+ KB, new limit: \d+ KB \(([\d.]+)\)/g)].map((m) => Number(m[1]));
}

describe('local/local-heap.ts: the local stack heap grows to a fixed factor of what it keeps', () => {
  it('after boundLocalHeapGrowth(), every full collection sets the next limit at 1 + LOCAL_HEAP_GROWING_PERCENT/100 times what it kept', () => {
    const factors = heapLimitFactors("require('./local/local-heap.ts').boundLocalHeapGrowth(); gc(); gc();");
    expect(factors.length).toBeGreaterThanOrEqual(2);
    // V8 prints the factor with one decimal (1.25 shows as 1.2).
    for (const factor of factors.slice(-2)) expect(Math.abs(factor - (1 + LOCAL_HEAP_GROWING_PERCENT / 100))).toBeLessThanOrEqual(0.05 + 1e-9);
  });

  it('is a real bound: without it V8 grows by a larger factor of its own choosing', () => {
    const factors = heapLimitFactors('gc(); gc();');
    expect(factors.length).toBeGreaterThanOrEqual(2);
    for (const factor of factors.slice(-2)) expect(factor).toBeGreaterThan(1 + LOCAL_HEAP_GROWING_PERCENT / 100 + 0.05);
  });
});
