/** Latency figures from per-call samples in nanoseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly perSecond: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
}

export function summarize(samplesNs: readonly number[], totalNs: number): LatencySummary {
  const sorted = [...samplesNs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    perSecond: sorted.length / (totalNs / 1e9),
    p50Micros: percentile(sorted, 0.5) / 1000,
    p99Micros: percentile(sorted, 0.99) / 1000,
  };
}

/** Nearest-rank percentile of an ascending list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('no samples');
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}
