/**
 * The operational metrics the alarms watch, in Embedded Metric Format: the MCP step's tool
 * decisions (per protected resource) and the authorization server's dependency outages, and
 * the authorizer's decisions (authorizer-metrics.ts, without Powertools, re-exported here).
 * Each count is published at once as its own EMF document on stdout (CloudWatch Logs extracts it: no API call, no
 * latency on the request path, nothing lost when an invocation ends early).
 *
 * Dimensions stay bounded (a resource of the configuration, a denial reason, a dependency name); nothing about the caller,
 * and never a token, is written.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DependencyUnavailableError } from '../../core/errors';
import { DEPENDENCY_UNAVAILABLE_METRIC, DIMENSIONS, MCP_STEP_METRICS, METRICS_NAMESPACE, type DependencyName } from './metric-names';

// The authorizer writes its counts without Powertools (its cold start): authorizer-metrics.ts.
export { EmfAuthorizerMetrics, noAuthorizerMetrics, type AuthorizerMetrics } from './authorizer-metrics';

/** Every count of the guard carries the protected resource as a dimension, so each MCP server has its own dashboard and alarm. */
export function guardMetrics(options: { serviceName: string; resourceUri: string }): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: options.serviceName, defaultDimensions: { [DIMENSIONS.resource]: options.resourceUri } });
}

/** What the MCP step reports: each tool decision, and a backend that did not answer. */
export interface McpStepMetrics {
  toolDecided(allowed: boolean): void;
  backendFailed(): void;
}

export const noMcpStepMetrics: McpStepMetrics = { toolDecided: () => undefined, backendFailed: () => undefined };

export class EmfMcpStepMetrics implements McpStepMetrics {
  private readonly metrics: Metrics;

  constructor(options: { serviceName: string; resourceUri: string; metrics?: Metrics }) {
    this.metrics = options.metrics ?? guardMetrics(options);
  }

  toolDecided(allowed: boolean): void {
    this.metrics.singleMetric().addMetric(allowed ? MCP_STEP_METRICS.toolAllowed : MCP_STEP_METRICS.toolDenied, MetricUnit.Count, 1);
  }

  backendFailed(): void {
    this.metrics.singleMetric().addMetric(MCP_STEP_METRICS.backendFailed, MetricUnit.Count, 1);
  }
}

/**
 * Which dependency an error says is down, or undefined when it is not an outage. Stores and
 * signers throw DependencyUnavailableError('<name>'), sometimes wrapped as the cause of an
 * OAuthError temporarily_unavailable; the message names the dependency.
 */
export function unavailableDependency(error: unknown): DependencyName | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    if (!(current instanceof DependencyUnavailableError)) continue;
    const message = current.message.toLowerCase();
    if (message.includes('kms')) return 'kms';
    if (message.includes('dynamodb')) return 'dynamodb';
    if (message.includes('secrets')) return 'secrets';
    if (message.includes('upstream') || message.includes('identity provider')) return 'upstream';
    return 'other';
  }
  return undefined;
}

/** Counts dependency outages as DependencyUnavailable{Dependency=...}, so alarms need no log text. */
export class EmfDependencyOutages {
  private readonly metrics: Metrics;

  constructor(options: { serviceName: string; metrics?: Metrics }) {
    this.metrics = options.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: options.serviceName });
  }

  /** Records the error when it is an outage; returns the dependency it counted, if any. */
  record(error: unknown): DependencyName | undefined {
    const dependency = unavailableDependency(error);
    if (!dependency) return undefined;
    const metric = this.metrics.singleMetric();
    metric.addDimension(DIMENSIONS.dependency, dependency);
    metric.addMetric(DEPENDENCY_UNAVAILABLE_METRIC, MetricUnit.Count, 1);
    return dependency;
  }
}
