import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { functionAlarms, type MonitoredFunction } from './oauth-monitoring';
import { AUTHORIZER_METRICS, DIMENSIONS, METRICS_NAMESPACE, SERVICE_DIMENSION, SERVICE_NAMES } from '../../lambda/adapters/observability/metric-names';

/** The `service` dimension of the authorizer's metrics (its POWERTOOLS_SERVICE_NAME). */
export const AUTHORIZER_SERVICE = SERVICE_NAMES.authorizer;

export interface ProtectedApiMonitoringProps {
  readonly api: apigateway.RestApi;
  readonly authorizerFunction: lambda.IFunction;
  /** Every function behind the API, the authorizer included, for the Errors and Throttles alarms. */
  readonly functions: readonly MonitoredFunction[];
  /** Share of 5xx answers over 5 minutes that pages someone. @default 0.05 */
  readonly serverErrorRateThreshold?: number;
  /** Where the authorizer error alarm goes, usually OAuthMonitoring.alarmTopic. @default no action */
  readonly alarmTopic?: sns.ITopic;
  /** Authorizer errors in 5 minutes that page someone. @default 5 */
  readonly authorizerErrorThreshold?: number;
  /** @default 'McpOAuthGuard-<stack name>' */
  readonly dashboardName?: string;
}

/**
 * The guard's dashboard (decisions, denials by reason, authorizer latency, 4xx/5xx) and its
 * alarms: authorizer errors it caught itself (JWKS unreachable, revocations table
 * unavailable: every MCP call fails), the API's 5xx rate, and every function's Errors and
 * Throttles, which catch what the authorizer cannot count itself: a failed init, a timeout
 * (API Gateway then answers 500 without a decision), throttling. Lives next to the
 * protected API, so the authorization server stack never depends on the stacks of the MCP
 * servers.
 */
export class ProtectedApiMonitoring extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly authorizerErrors: cloudwatch.Alarm;
  readonly serverErrorRate: cloudwatch.Alarm;
  readonly functionAlarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: ProtectedApiMonitoringProps) {
    super(scope, id);
    const fiveMinutes = Duration.minutes(5);
    const authorizerMetric = (metricName: string, label: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { [SERVICE_DIMENSION]: AUTHORIZER_SERVICE }, statistic: 'Sum', period: fiveMinutes, label });
    const denials = new cloudwatch.MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},${SERVICE_DIMENSION},${DIMENSIONS.reason}} ${SERVICE_DIMENSION}="${AUTHORIZER_SERVICE}" MetricName="${AUTHORIZER_METRICS.denied}"', 'Sum', 300)`,
      label: 'Denied',
      period: fiveMinutes,
    });
    const apiMetric = (metricName: string) => new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway', metricName, statistic: 'Sum', period: fiveMinutes,
      dimensionsMap: { ApiName: props.api.restApiName, Stage: props.api.deploymentStage.stageName },
    });
    const fn = props.authorizerFunction;

    this.authorizerErrors = new cloudwatch.Alarm(this, 'AuthorizerErrors', {
      alarmDescription: 'The MCP authorizer failed (JWKS unreachable, revocations table unavailable): MCP calls answer 5xx.',
      metric: authorizerMetric(AUTHORIZER_METRICS.errors, 'Authorizer errors'),
      threshold: props.authorizerErrorThreshold ?? 5,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.serverErrorRate = new cloudwatch.Alarm(this, 'ServerErrorRate', {
      alarmDescription: 'More than the allowed share of MCP requests answer 5xx: the authorizer or the MCP server is failing.',
      metric: apiMetric('5XXError').with({ statistic: 'Average' }),
      threshold: props.serverErrorRateThreshold ?? 0.05,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.functionAlarms = props.functions.flatMap((f) => functionAlarms(this, f));
    if (props.alarmTopic) {
      const action = new actions.SnsAction(props.alarmTopic);
      for (const alarm of [this.authorizerErrors, this.serverErrorRate, ...this.functionAlarms]) alarm.addAlarmAction(action);
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName ?? `McpOAuthGuard-${Stack.of(this).stackName}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({ title: 'Authorizer decisions (denials by reason)', left: [authorizerMetric(AUTHORIZER_METRICS.allowed, 'Allowed'), denials, authorizerMetric(AUTHORIZER_METRICS.errors, 'Errors')], width: 8, height: 6 }),
      new cloudwatch.GraphWidget({ title: 'Authorizer latency p50 / p99', left: [fn.metricDuration({ statistic: 'p50', period: fiveMinutes }), fn.metricDuration({ statistic: 'p99', period: fiveMinutes })], width: 8, height: 6 }),
      new cloudwatch.GraphWidget({ title: 'Protected API 4xx / 5xx', left: [apiMetric('4XXError'), apiMetric('5XXError'), apiMetric('Count')], width: 8, height: 6 }),
    );
  }
}
