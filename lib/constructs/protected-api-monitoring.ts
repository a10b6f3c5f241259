import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { functionAlarms, type MonitoredFunction } from './oauth-monitoring';
import { AUDIT_RECORD_KINDS } from '../../lambda/core/guard/decision-audit';
import { AUTHORIZER_METRICS, DIMENSIONS, MCP_STEP_METRICS, METRICS_NAMESPACE, SERVICE_DIMENSION, SERVICE_NAMES } from '../../lambda/adapters/observability/metric-names';

/** The `service` dimension of the authorizer's metrics (its POWERTOOLS_SERVICE_NAME). */
export const AUTHORIZER_SERVICE = SERVICE_NAMES.authorizer;

export interface ProtectedApiMonitoringProps {
  readonly api: apigateway.RestApi;
  /** The protected resource's URI: the Resource dimension of the guard's metrics, so this MCP server's dashboard and alarm count only its own. */
  readonly resourceUri: string;
  readonly authorizerFunction: lambda.IFunction;
  /** The log groups holding the guard's audit records (authorizer, MCP step or a server using the guard library), for the saved queries. */
  readonly auditLogGroups: readonly logs.ILogGroup[];
  /** Whether an MCP step counts tool decisions here. @default false */
  readonly mcpStep?: boolean;
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
 * One MCP server's dashboard (decisions, denials by reason, authorizer latency, 4xx/5xx,
 * the MCP step's tool decisions), its saved Logs Insights queries over the audit records
 * ("who called which tool", "denials by client", "step-ups"), and its alarms, every guard
 * metric filtered to this resource (the Resource dimension): authorizer errors it caught itself (JWKS unreachable, revocations table
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
  /** Saved CloudWatch Logs Insights queries over the audit records. */
  readonly queries: readonly logs.QueryDefinition[];

  constructor(scope: Construct, id: string, props: ProtectedApiMonitoringProps) {
    super(scope, id);
    const fiveMinutes = Duration.minutes(5);
    const resource = { [DIMENSIONS.resource]: props.resourceUri };
    const guardMetric = (service: string, metricName: string, label: string) =>
      new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName, dimensionsMap: { [SERVICE_DIMENSION]: service, ...resource }, statistic: 'Sum', period: fiveMinutes, label });
    const authorizerMetric = (metricName: string, label: string) => guardMetric(AUTHORIZER_SERVICE, metricName, label);
    const denials = new cloudwatch.MathExpression({
      expression: `SEARCH('{${METRICS_NAMESPACE},${SERVICE_DIMENSION},${DIMENSIONS.resource},${DIMENSIONS.reason}} ${SERVICE_DIMENSION}="${AUTHORIZER_SERVICE}" ${DIMENSIONS.resource}="${props.resourceUri}" MetricName="${AUTHORIZER_METRICS.denied}"', 'Sum', 300)`,
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
    if (props.mcpStep) {
      const step = (metricName: string, label: string) => guardMetric(SERVICE_NAMES.mcpStep, metricName, label);
      this.dashboard.addWidgets(new cloudwatch.GraphWidget({
        title: 'MCP step: tool calls allowed / denied, backend failures',
        left: [step(MCP_STEP_METRICS.toolAllowed, 'Allowed'), step(MCP_STEP_METRICS.toolDenied, 'Denied'), step(MCP_STEP_METRICS.backendFailed, 'Backend failures')],
        width: 12,
        height: 6,
      }));
    }

    const stack = Stack.of(this).stackName;
    const query = (id: string, title: string, queryString: logs.QueryString) =>
      new logs.QueryDefinition(this, id, { queryDefinitionName: `McpOAuth/${stack}/${title}`, queryString, logGroups: [...props.auditLogGroups] });
    const tool = `audit = "${AUDIT_RECORD_KINDS.toolDecision}"`;
    const route = `audit = "${AUDIT_RECORD_KINDS.routeDenied}"`;
    this.queries = [
      query('WhoCalledWhichTool', 'who called which tool', new logs.QueryString({
        fields: ['@timestamp', 'sub', 'client_id', 'tool', 'decision', 'missing_scopes'],
        filterStatements: [tool],
        sort: '@timestamp desc',
      })),
      query('DenialsByClient', 'denials by client', new logs.QueryString({
        filterStatements: [`(${tool} and decision = "denied") or ${route}`],
        statsStatements: ['count(*) as denials by client_id, tool, route'],
        sort: 'denials desc',
      })),
      query('StepUps', 'step-ups', new logs.QueryString({
        filterStatements: [`(${tool} or ${route}) and missing_scopes != ""`],
        statsStatements: ['count(*) as step_ups by client_id, missing_scopes'],
        sort: 'step_ups desc',
      })),
    ];
  }
}
