/**
 * Audit events as CloudWatch metrics, written in Embedded Metric Format to stdout (Lambda
 * ships stdout to CloudWatch Logs, which extracts the metrics: no PutMetricData call and
 * no latency on the request path). Each event is published at once as a single metric, so
 * nothing is lost when an invocation ends early and no flush is needed in the handler.
 *
 * Namespace McpOAuth; every metric has the `service` dimension; RequestsRejected also has
 * `Endpoint`, TokensIssued `GrantType` (one of GRANT_TYPES). Client ids and error codes go in as EMF properties (searchable in Logs
 * Insights, not dimensions: dimensions with unbounded values would multiply the metrics).
 * Subjects and tokens are never written.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { AuditEvent, AuditSink } from '../../core/ports';
import { AUDIT_METRICS, DIMENSIONS, GRANT_TYPES, METRICS_NAMESPACE } from './metric-names';

export { METRICS_NAMESPACE };

export const AUDIT_METRIC_NAMES: Readonly<Record<AuditEvent['type'], string>> = AUDIT_METRICS;

export class EmfAuditSink implements AuditSink {
  private readonly metrics: Metrics;

  constructor(options: { serviceName: string; metrics?: Metrics }) {
    this.metrics = options.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: options.serviceName });
  }

  emit(event: AuditEvent): void {
    const metric = this.metrics.singleMetric();
    for (const [key, value] of Object.entries(propertiesOf(event))) metric.addMetadata(key, value);
    if (event.type === 'request_rejected') metric.addDimension(DIMENSIONS.endpoint, event.endpoint);
    if (event.type === 'token_issued') metric.addDimension(DIMENSIONS.grantType, (GRANT_TYPES as readonly string[]).includes(event.grantType) ? event.grantType : 'other');
    metric.addMetric(AUDIT_METRIC_NAMES[event.type], MetricUnit.Count, 1);
  }
}

/** What may accompany a metric: ids of clients and kinds of things, never subjects or token material. */
function propertiesOf(event: AuditEvent): Record<string, string> {
  switch (event.type) {
    case 'token_issued':
      return { clientId: event.clientId, grantType: event.grantType };
    case 'refresh_reuse_detected':
    case 'refresh_forged':
      return { clientId: event.clientId, familyId: event.familyId };
    case 'code_replay_detected':
      return { clientId: event.clientId };
    case 'client_registered':
      return { clientId: event.clientId, clientSource: event.source };
    case 'token_revoked':
      return { clientId: event.clientId, tokenKind: event.what };
    case 'request_rejected':
      return { error: event.error };
    case 'login_completed':
      return {};
    case 'consent_granted':
      return { clientId: event.clientId };
    case 'access_revoked':
      // A revoked user is named in the console line and the revocation record, not in metrics.
      return { revokedKind: event.kind, reason: event.reason, ...(event.kind !== 'subject' && { revokedValue: event.value }) };
  }
}
