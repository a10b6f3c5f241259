/**
 * Floods an endpoint of the local stack until its emulated WAF blocks, the way a test must
 * wait for AWS WAF: it estimates each rate every so often, so a client is blocked some time
 * after passing the limit, not at limit + 1 (docs/local-mode.md, "Fidelity to AWS").
 * Bounded by a number of requests, never by a timed assertion.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface FloodOptions {
  /** Requests sent at once. */
  readonly batch: number;
  /** Give up (the caller's assertions then fail) after this many requests. */
  readonly maxRequests: number;
}

/** Every status in the order received: batches until one holds a 429, then one more request, which must still be blocked. */
export async function floodUntilBlocked(send: () => Promise<{ status: number }>, options: FloodOptions): Promise<number[]> {
  const statuses: number[] = [];
  while (statuses.length < options.maxRequests) {
    const batch = (await Promise.all(Array.from({ length: options.batch }, send))).map((answer) => answer.status);
    statuses.push(...batch);
    if (batch.includes(429)) {
      statuses.push((await send()).status);
      break;
    }
    // A short pause between batches, so the flood spans the WAF's next estimate without sending far more than it needs.
    await sleep(100);
  }
  return statuses;
}
