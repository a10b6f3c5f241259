import { Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import {
  AUDIT_METRICS,
  DEPENDENCY_UNAVAILABLE_METRIC,
  DIMENSIONS,
  METRICS_NAMESPACE,
  SERVICE_DIMENSION,
  SERVICE_NAMES,
} from '../../lambda/adapters/observability/metric-names';

/** The `service` dimension Powertools adds to every metric: POWERTOOLS_SERVICE_NAME of the emitting function. */
export const AUTHORIZATION_SERVER_SERVICE = SERVICE_NAMES.authorizationServer;

export interface MonitoredRoute {
  readonly path: string;
  readonly method: string;
}

/** A function whose Errors and Throttles page someone. */
export interface MonitoredFunction {
  /** Used in the alarm's id and description, e.g. 'TokenEndpoints'. */
  readonly label: string;
  readonly function: lambda.IFunction;
}

export interface OAuthMonitoringProps {
  readonly authorizationServerApi: apigateway.RestApi;
  /** The authorization server's functions. */
  readonly functions: readonly MonitoredFunction[];
  /** Routes whose p50/p99 latency the dashboard draws. */
  readonly routes: readonly MonitoredRoute[];
  readonly tables: readonly dynamodb.ITable[];
  /** Each address is subscribed to the alarm topic. @default none; the topic is exported for your paging tool */
  readonly alarmEmails?: readonly string[];
  /** Share of 5xx answers over 5 minutes that pages someone. @default 0.05 */
  readonly serverErrorRateThreshold?: number;
  /** @default 'McpOAuth-<stack name>' */
  readonly dashboardName?: string;
}

/**
 * The CloudWatch dashboard and the alarms an operator of the authorization server needs.
 * Alarms are only for what needs a person: a 5xx rate, refresh token reuse (a stolen token),
 * KMS throttling (token issuance stops), and any function error or throttle (FunctionAlarms:
 * Lambda's own Errors metric counts what the code cannot count itself, a crash at init, a
 * timeout). The guard in front of each MCP server has its own (ProtectedApiMonitoring),
 * publishing to this construct's alarm topic.
 */
export class OAuthMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarmTopic: sns.Topic;
  readonly alarms: {
    readonly serverErrorRate: cloudwatch.Alarm;
    readonly refreshReuse: cloudwatch.Alarm;
    readonly kmsThrottling: cloudwatch.Alarm;
  };
  readonly functionAlarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: OAuthMonitoringProps) {
    super(scope, id);
    const fiveMinutes = Duration.minutes(5);
    // CloudWatch alarms can only publish to an encrypted topic whose key lets CloudWatch use it; the AWS managed SNS key does not.
    const topicKey = new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'mcp-oauth alarm topic encryption' });
    topicKey.addToResourcePolicy(new iam.PolicyStatement({
      // EventBridge too: the signing key watch (SigningKeyWatch) sends its events to this topic.
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com'), new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', { masterKey: topicKey, enforceSSL: true, displayName: 'mcp-oauth alarms' });
    for (const email of props.alarmEmails ?? []) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(email));
    const alarmAction = new actions.SnsAction(this.alarmTopic);

    const asMetric = (metricName: string, label: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { [SERVICE_DIMENSION]: AUTHORIZATION_SERVER_SERVICE }, statistic: 'Sum', period: fiveMinutes, label });
    const search = (dimension: string, metricName: string, label: string) =>
      new cloudwatch.MathExpression({ expression: `SEARCH('{${METRICS_NAMESPACE},${SERVICE_DIMENSION},${dimension}} ${SERVICE_DIMENSION}="${AUTHORIZATION_SERVER_SERVICE}" MetricName="${metricName}"', 'Sum', 300)`, label, period: fiveMinutes });

    const api = props.authorizationServerApi;
    const apiMetric = (metricName: string, statistic: string, dimensions: Record<string, string> = {}) =>
      new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, statistic, period: fiveMinutes, dimensionsMap: { ApiName: api.restApiName, Stage: api.deploymentStage.stageName, ...dimensions } });

    // The token function counts each 503 it answers because KMS throttled or failed (EmfDependencyOutages): no log text to match.
    const kmsUnavailable = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: DEPENDENCY_UNAVAILABLE_METRIC,
      dimensionsMap: { [SERVICE_DIMENSION]: AUTHORIZATION_SERVER_SERVICE, [DIMENSIONS.dependency]: 'kms' },
      statistic: 'Sum',
      period: fiveMinutes,
      label: 'KMS throttled or unavailable',
    });
    const kmsSignCalls = new cloudwatch.Metric({
      namespace: 'AWS/Usage', metricName: 'CallCount', statistic: 'Sum', period: Duration.minutes(1), label: 'KMS Sign calls per minute (account)',
      dimensionsMap: { Service: 'KMS', Type: 'API', Resource: 'Sign', Class: 'None' },
    });

    this.alarms = {
      serverErrorRate: new cloudwatch.Alarm(this, 'ServerErrorRate', {
        alarmDescription: 'More than the allowed share of authorization server requests answer 5xx: logins or token refreshes are failing.',
        metric: apiMetric('5XXError', 'Average'),
        threshold: props.serverErrorRateThreshold ?? 0.05,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      refreshReuse: new cloudwatch.Alarm(this, 'RefreshReuse', {
        alarmDescription: 'A refresh token this server issued and rotated away was presented again: the family was revoked. Likely a stolen token; see docs/operations.md.',
        metric: asMetric(AUDIT_METRICS.refresh_reuse_detected, 'Refresh token reuse'),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      kmsThrottling: new cloudwatch.Alarm(this, 'KmsThrottling', {
        alarmDescription: 'KMS throttled Sign calls: token requests get 503 temporarily_unavailable. RSA Sign is 500 req/s per account and region, shared.',
        metric: kmsUnavailable,
        threshold: 5,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    };
    this.functionAlarms = props.functions.flatMap((f) => functionAlarms(this, f));
    for (const alarm of [this.alarms.serverErrorRate, this.alarms.refreshReuse, this.alarms.kmsThrottling, ...this.functionAlarms]) alarm.addAlarmAction(alarmAction);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? `McpOAuth-${Stack.of(this).stackName}`,
      defaultInterval: Duration.hours(3),
    });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8) => new cloudwatch.GraphWidget({ title, left, width, height: 6 });
    const latency = (statistic: string) => props.routes.map((r) => apiMetric('Latency', statistic, { Resource: r.path, Method: r.method }).with({ label: `${r.method} ${r.path}` }));
    this.dashboard.addWidgets(
      // One line per grant type (authorization_code, refresh_token, client_credentials, jwt-bearer, token-exchange).
      graph('Tokens issued by grant type', [search(DIMENSIONS.grantType, AUDIT_METRICS.token_issued, 'Issued'), asMetric(AUDIT_METRICS.token_revoked, 'Tokens revoked')]),
      graph('Registrations and logins', [asMetric(AUDIT_METRICS.client_registered, 'Clients registered'), asMetric(AUDIT_METRICS.login_completed, 'Logins completed')]),
      graph('Reuse and replay (attacks)', [
        asMetric(AUDIT_METRICS.refresh_reuse_detected, 'Refresh reuse'),
        asMetric(AUDIT_METRICS.code_replay_detected, 'Code replay'),
        // Forged secrets change nothing, so they are graphed, never alarmed on.
        asMetric(AUDIT_METRICS.refresh_forged, 'Forged refresh tokens refused'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Requests rejected by endpoint', [search(DIMENSIONS.endpoint, AUDIT_METRICS.request_rejected, 'Rejected')]),
      graph('Authorization server 4xx / 5xx', [apiMetric('4XXError', 'Sum'), apiMetric('5XXError', 'Sum'), apiMetric('Count', 'Sum')]),
      graph('KMS', [kmsUnavailable, kmsSignCalls]),
      graph('Dependency outages (503s) by dependency', [search(DIMENSIONS.dependency, DEPENDENCY_UNAVAILABLE_METRIC, 'Unavailable')]),
    );
    this.dashboard.addWidgets(graph('Latency p50 per endpoint', latency('p50'), 12), graph('Latency p99 per endpoint', latency('p99'), 12));
    this.dashboard.addWidgets(graph('DynamoDB throttles', props.tables.flatMap((t) => [
      new cloudwatch.Metric({ namespace: 'AWS/DynamoDB', metricName: 'ReadThrottleEvents', dimensionsMap: { TableName: t.tableName }, statistic: 'Sum', period: fiveMinutes }),
      new cloudwatch.Metric({ namespace: 'AWS/DynamoDB', metricName: 'WriteThrottleEvents', dimensionsMap: { TableName: t.tableName }, statistic: 'Sum', period: fiveMinutes }),
    ]), 24));
  }
}

/**
 * Errors and Throttles of one function, each alarming at the first occurrence in five
 * minutes. Lambda counts in Errors "exceptions that the Lambda runtime throws ... for issues
 * such as timeouts and configuration errors" ("Types of metrics for Lambda functions"): an
 * init failure or a timeout, which no metric the code emits can report. Throttles is every
 * invocation Lambda refused for want of concurrency.
 */
export function functionAlarms(scope: Construct, monitored: MonitoredFunction): cloudwatch.Alarm[] {
  const fiveMinutes = Duration.minutes(5);
  const alarm = (kind: 'Errors' | 'Throttles', metric: cloudwatch.IMetric, description: string) => new cloudwatch.Alarm(scope, `${monitored.label}Lambda${kind}`, {
    alarmDescription: description,
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  return [
    alarm('Errors', monitored.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      `${monitored.label}: the function failed (an init failure, a timeout, or an error its code did not catch); its callers got 5xx.`),
    alarm('Throttles', monitored.function.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
      `${monitored.label}: Lambda throttled invocations (account or reserved concurrency exhausted); its callers got 5xx.`),
  ];
}
