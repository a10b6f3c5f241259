/**
 * What the soak counts: every HTTP answer by endpoint (latency, status class) per report
 * interval and in total, what each worker found about its refresh families, and the
 * verdicts printed at the end. Pure: the soak's driver feeds it and prints what it returns.
 */
import { percentile } from './stats';

export interface IntervalCounts {
  requests: number;
  clientErrors: number;
  serverErrors: number;
  readonly latenciesMs: Map<string, number[]>;
}

export interface FamilyCounts {
  /** Families that got their first tokens (a code redeemed). */
  started: number;
  /** Families that went through every step the worker planned for them. */
  completed: number;
  /** Refreshes that had to succeed (the current token of a live family). */
  refreshesExpectedToSucceed: number;
  /** Of those, the ones that did not: a family lost. */
  lost: number;
  /** Refreshes that had to fail (a revoked family's token, or a retired one after its successor was used). */
  refreshesExpectedToFail: number;
  /** Of those, the ones that succeeded: two valid tokens of one family, or a revocation that did not hold. */
  forked: number;
}

export class SoakRecorder {
  private interval = emptyInterval();
  readonly total = emptyInterval();
  readonly families: FamilyCounts = { started: 0, completed: 0, refreshesExpectedToSucceed: 0, lost: 0, refreshesExpectedToFail: 0, forked: 0 };
  /** Steps other than refreshes that answered what they must not (a failed login, a refused tool call). */
  readonly unexpected: string[] = [];

  record(endpoint: string, status: number, latencyMs: number): void {
    for (const counts of [this.interval, this.total]) {
      counts.requests++;
      if (status >= 500) counts.serverErrors++;
      else if (status >= 400) counts.clientErrors++;
      const list = counts.latenciesMs.get(endpoint);
      if (list) list.push(latencyMs);
      else counts.latenciesMs.set(endpoint, [latencyMs]);
    }
  }

  /** A figure made of several requests (already counted one by one): its latency only. */
  recordLatency(what: string, latencyMs: number): void {
    for (const counts of [this.interval, this.total]) {
      const list = counts.latenciesMs.get(what);
      if (list) list.push(latencyMs);
      else counts.latenciesMs.set(what, [latencyMs]);
    }
  }

  noteUnexpected(what: string): void {
    if (this.unexpected.length < 1000) this.unexpected.push(what);
  }

  /** The counts since the last call, and a fresh interval. */
  takeInterval(): IntervalCounts {
    const taken = this.interval;
    this.interval = emptyInterval();
    return taken;
  }
}

function emptyInterval(): IntervalCounts {
  return { requests: 0, clientErrors: 0, serverErrors: 0, latenciesMs: new Map() };
}

/** One line per endpoint: count, p50 and p99 in ms, sorted by name. */
export function endpointLines(counts: IntervalCounts): string[] {
  return [...counts.latenciesMs.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([endpoint, latencies]) => {
      const sorted = [...latencies].sort((x, y) => x - y);
      return `  ${endpoint.padEnd(44)} n=${String(sorted.length).padStart(6)}  p50 ${percentile(sorted, 0.5).toFixed(1).padStart(7)} ms  p99 ${percentile(sorted, 0.99).toFixed(1).padStart(7)} ms`;
    });
}

export interface RssVerdict {
  readonly judged: boolean;
  readonly pass: boolean;
  /** Growth from the first sample after warm-up to the last, as a fraction, per process label. */
  readonly growth: ReadonlyMap<string, number>;
}

export const RSS_GROWTH_LIMIT = 0.05;

/**
 * RSS flat after warm-up: from the sample at the end of the first interval (the first
 * minute is warm-up; "from minute 2") to the last sample, each process grows less than 5%.
 * Needs at least two intervals; a shorter run is not judged.
 */
export function rssVerdict(samplesKb: readonly ReadonlyMap<string, number>[]): RssVerdict {
  if (samplesKb.length < 2) return { judged: false, pass: true, growth: new Map() };
  const from = samplesKb[0]!;
  const to = samplesKb[samplesKb.length - 1]!;
  const growth = new Map<string, number>();
  for (const [label, startKb] of from) {
    const endKb = to.get(label);
    growth.set(label, endKb === undefined ? Number.POSITIVE_INFINITY : endKb / startKb - 1);
  }
  return { judged: true, pass: [...growth.values()].every((g) => g < RSS_GROWTH_LIMIT), growth };
}
