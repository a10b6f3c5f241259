/**
 * Opt-in memory probe for the soak (`npm run soak -- ... --memory-probe`): preloaded with
 * `node --import` into the local stack's processes through NODE_OPTIONS, never part of the
 * product. Every SOAK_MEMORY_PROBE_MS it appends one JSON line to SOAK_MEMORY_PROBE_FILE with
 * the pid, process.memoryUsage() (rss, heapTotal, heapUsed, external, arrayBuffers), the
 * committed size of each V8 heap space, the heap left after the last full collection and the
 * main thread's time in collections, so the soak can tell the V8 heap (objects kept) from
 * memory outside it, and what the heap costs in pauses.
 */
import { appendFileSync } from 'node:fs';
import { GCProfiler, getHeapSpaceStatistics } from 'node:v8';
import { isMainThread } from 'node:worker_threads';

const file = process.env.SOAK_MEMORY_PROBE_FILE;
const everyMs = Number(process.env.SOAK_MEMORY_PROBE_MS || 10000);
// tsx's module hooks run on a thread of their own that preloads this too: its heap is not the application's.
if (file && isMainThread) {
  // What the heap holds after each full collection (mark-sweep-compact) is what is kept; heapUsed between collections also counts garbage.
  let profiler = new GCProfiler();
  profiler.start();
  const sample = () => {
    const usage = process.memoryUsage();
    // Where heapTotal is: the committed size of each V8 space (new, old, code, large objects...).
    const spaces = Object.fromEntries(getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size]));
    const collections = profiler.stop()?.statistics ?? [];
    profiler = new GCProfiler();
    profiler.start();
    const fullCollections = collections.filter((gc) => gc.gcType === 'MarkSweepCompact');
    const afterFullGc = fullCollections.at(-1)?.afterGC.heapStatistics.usedHeapSize;
    // The time the main thread spent in collections of any kind (cost is in microseconds), and the longest one.
    const gcMs = collections.reduce((sum, gc) => sum + gc.cost, 0) / 1000;
    const longestGcMs = collections.reduce((longest, gc) => Math.max(longest, gc.cost), 0) / 1000;
    try {
      appendFileSync(file, `${JSON.stringify({ pid: process.pid, atMs: Date.now(), ...usage, afterFullGc, fullCollections: fullCollections.length, gcMs, longestGcMs, spaces })}\n`);
    } catch {
      // the soak removed its folder: the run is over
    }
  };
  sample(); // at once, so even a run shorter than one period has a figure
  setInterval(sample, everyMs).unref();
}
