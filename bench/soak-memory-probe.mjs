/**
 * Opt-in memory probe for the soak (`npm run soak -- ... --memory-probe`): preloaded with
 * `node --import` into the local stack's processes through NODE_OPTIONS, never part of the
 * product. Every SOAK_MEMORY_PROBE_MS it appends one JSON line of process.memoryUsage() (rss,
 * heapTotal, heapUsed, external, arrayBuffers) with the pid to SOAK_MEMORY_PROBE_FILE, so the
 * soak can tell the V8 heap (objects kept) from memory outside it.
 */
import { appendFileSync } from 'node:fs';
import { GCProfiler } from 'node:v8';
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
    const fullCollections = (profiler.stop()?.statistics ?? []).filter((gc) => gc.gcType === 'MarkSweepCompact');
    profiler = new GCProfiler();
    profiler.start();
    const afterFullGc = fullCollections.at(-1)?.afterGC.heapStatistics.usedHeapSize;
    try {
      appendFileSync(file, `${JSON.stringify({ pid: process.pid, atMs: Date.now(), ...usage, afterFullGc, fullCollections: fullCollections.length })}\n`);
    } catch {
      // the soak removed its folder: the run is over
    }
  };
  sample(); // at once, so even a run shorter than one period has a figure
  setInterval(sample, everyMs).unref();
}
