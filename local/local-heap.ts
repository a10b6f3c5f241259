/**
 * How far V8 lets local mode's heap grow past what it kept at the last full collection
 * before it collects again. By default V8 picks a factor of up to 4 from its collection
 * speed against the allocation rate, and keeps the pages it grew into: under steady load
 * the local stack's process (authorization server, dev IdP and MCP API in one) kept about
 * 50 MB and grew its heap to 250 MB over several minutes (docs/performance.md, "Soak").
 * A fixed factor bounds the heap relative to what is kept, so a long session that really
 * holds more still gets the room, and the process's hard heap limit is unchanged (no
 * out-of-memory that V8's defaults would not have). Nothing here is deployed: Lambda sizes
 * its own heap.
 */
import { setFlagsFromString } from 'node:v8';

/** The heap may grow to 1 + this/100 times what the last full collection kept. */
export const LOCAL_HEAP_GROWING_PERCENT = 25;

/** V8 reads this flag after each full collection, so setting it once at start-up takes effect (space sizes, by contrast, are fixed when V8 starts). */
export function boundLocalHeapGrowth(): void {
  setFlagsFromString(`--heap-growing-percent=${LOCAL_HEAP_GROWING_PERCENT}`);
}
