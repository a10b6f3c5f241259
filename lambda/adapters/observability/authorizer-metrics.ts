/**
 * The authorizer's decision counts, in Embedded Metric Format, written without Powertools:
 * one EMF document per count on stdout, the very document Powertools' `singleMetric()` writes
 * (namespace McpOAuth, dimensions service and Resource, plus Reason on a denial: the
 * dashboards and alarms read these; test/unit/operational-metrics.test.ts compares the two
 * writers' documents). Powertools Metrics cost the authorizer's cold start about 9 ms of CPU
 * (its construction, its console and its first metric, measured A-B) for one count per
 * decision (docs/performance.md, "Cold starts", step 6); the other functions keep it
 * (emf-operational-metrics.ts).
 *
 * Like Powertools, it writes to process.stdout itself, not through console.log, which Lambda's
 * runtime wraps in a log record of its own (CloudWatch would extract no metric from it), and it
 * writes nothing when POWERTOOLS_METRICS_DISABLED (or, without it, POWERTOOLS_DEV) says so
 * (env-readers.ts readMetricsDisabled).
 */
import { AUTHORIZER_METRICS, DIMENSIONS, METRICS_NAMESPACE, SERVICE_DIMENSION, type DenialReason } from './metric-names';

/** What the authorizer reports about each decision. */
export interface AuthorizerMetrics {
  allowed(): void;
  denied(reason: DenialReason): void;
  /** The authorizer could not decide: a dependency failed. */
  failed(): void;
}

export const noAuthorizerMetrics: AuthorizerMetrics = { allowed: () => undefined, denied: () => undefined, failed: () => undefined };

export interface EmfAuthorizerMetricsOptions {
  readonly serviceName: string;
  readonly resourceUri: string;
  /** @default false */
  readonly disabled?: boolean;
  /** @default process.stdout.write */
  readonly write?: (line: string) => void;
  /** Milliseconds since the epoch: the document's Timestamp. @default Date.now */
  readonly now?: () => number;
}

export class EmfAuthorizerMetrics implements AuthorizerMetrics {
  private readonly write: (line: string) => void;
  private readonly now: () => number;

  constructor(private readonly options: EmfAuthorizerMetricsOptions) {
    this.write = options.disabled ? () => undefined : (options.write ?? ((line) => void process.stdout.write(line)));
    this.now = options.now ?? Date.now;
  }

  allowed(): void {
    this.count(AUTHORIZER_METRICS.allowed);
  }

  denied(reason: DenialReason): void {
    this.count(AUTHORIZER_METRICS.denied, { [DIMENSIONS.reason]: reason });
  }

  failed(): void {
    this.count(AUTHORIZER_METRICS.errors);
  }

  private count(metric: string, extra: Readonly<Record<string, string>> = {}): void {
    // Key order as Powertools writes it: the directive, the dimensions' values, the metric's value.
    const dimensions = { [SERVICE_DIMENSION]: this.options.serviceName, [DIMENSIONS.resource]: this.options.resourceUri, ...extra };
    const directive = { Namespace: METRICS_NAMESPACE, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: metric, Unit: 'Count' }] };
    this.write(`${JSON.stringify({ _aws: { Timestamp: this.now(), CloudWatchMetrics: [directive] }, ...dimensions, [metric]: 1 })}\n`);
  }
}
