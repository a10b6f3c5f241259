import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { SERVICE_NAMES } from '../../lambda/adapters/observability/metric-names';
import type { DeploymentConfig } from '../config';
import { FUNCTION_SETTINGS } from '../definitions/function-settings';
import { writeBundledConfig } from '../constructs/bundled-config';
import { HANDLER_ENTRIES } from '../constructs/handler-entries';
import { McpProtectedApi } from '../constructs/mcp-protected-api';
import { OAuthFunction } from '../constructs/oauth-function';
import { ProtectedApiMonitoring } from '../constructs/protected-api-monitoring';
import { retentionDays } from '../constructs/rest-api-defaults';

export interface DemoMcpServerStackProps extends StackProps {
  readonly deployment: DeploymentConfig;
  /** The authorization server's revocations table (AuthorizationServerStack.revocationsTable). */
  readonly revocationsTable: dynamodb.ITable;
  /** @default no alarm action */
  readonly alarmTopic?: sns.ITopic;
  /** @default the handlers in lambda/handlers */
  readonly entries?: { readonly demoMcpServer?: string; readonly authorizer?: string; readonly protectedResourceMetadata?: string };
}

/**
 * The demo MCP server (whoami, echo, admin_stats) behind McpProtectedApi: what a platform
 * team's own MCP server stack looks like.
 */
export class DemoMcpServerStack extends Stack {
  readonly server: OAuthFunction;
  readonly protectedApi: McpProtectedApi;
  readonly monitoring: ProtectedApiMonitoring;

  constructor(scope: Construct, id: string, props: DemoMcpServerStackProps) {
    super(scope, id, props);
    const { deployment } = props;
    const { product } = deployment;
    const resourceUri = deployment.demo.resourceUri ?? product.defaultResource;
    const resource = product.resources.find((r) => r.uri === resourceUri);
    if (!resource) throw new Error(`DemoMcpServerStack: ${resourceUri} is not one of the configured resources`);
    const logRetention = retentionDays(deployment.logRetentionDays);
    const logRemovalPolicy = deployment.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const bundledConfigFile = writeBundledConfig(product);

    this.server = new OAuthFunction(this, 'DemoMcpServer', {
      entry: props.entries?.demoMcpServer ?? HANDLER_ENTRIES.demoMcpServer,
      serviceName: SERVICE_NAMES.demoMcpServer,
      description: `mcp-oauth demo MCP server (${resourceUri})`,
      settings: FUNCTION_SETTINGS.demoMcpServer,
      environment: { MCP_RESOURCE_URI: resourceUri },
      configFile: bundledConfigFile,
      logRetention,
      logRemovalPolicy,
    });
    this.protectedApi = new McpProtectedApi(this, 'ProtectedApi', {
      resource,
      bundledConfigFile,
      authorizerCacheTtlSeconds: product.guard.authorizerCacheTtlSeconds,
      revocationsTable: props.revocationsTable,
      backend: { function: this.server.function },
      throttling: deployment.stageThrottling.protectedApi,
      rateLimits: deployment.rateLimits,
      logRetention,
      logRemovalPolicy,
      customDomain: deployment.demo.customDomain,
      edge: deployment.demo.edge,
      originVerify: deployment.originVerify,
      entries: props.entries,
    });
    this.monitoring = new ProtectedApiMonitoring(this, 'Monitoring', {
      api: this.protectedApi.api,
      resourceUri,
      auditLogGroups: [this.protectedApi.authorizerFunction.logGroup, this.server.logGroup],
      authorizerFunction: this.protectedApi.authorizerFunction.function,
      functions: [
        { label: 'Authorizer', function: this.protectedApi.authorizerFunction.function },
        { label: 'ProtectedResourceMetadata', function: this.protectedApi.metadataFunction.function },
        { label: 'DemoMcpServer', function: this.server.function },
      ],
      alarmTopic: props.alarmTopic,
      dashboardName: `McpOAuthGuard-${deployment.stage}-demo`,
    });

    new CfnOutput(this, 'ResourceUri', { value: resourceUri, description: 'The resource (token audience) this API serves' });
    new CfnOutput(this, 'ApiUrl', { value: this.protectedApi.api.url, description: 'The stage URL (the edge\'s origin when the edge is on)' });
    new CfnOutput(this, 'McpUrl', { value: this.protectedApi.url, description: 'The URL clients use; resources[].uri must be on it' });
    if (this.protectedApi.distribution) new CfnOutput(this, 'EdgeDomainName', { value: this.protectedApi.distribution.distributionDomainName, description: 'Point the custom domain (CNAME or alias) here' });
    if (this.protectedApi.domainName) new CfnOutput(this, 'CustomDomainTarget', { value: this.protectedApi.domainName.domainNameAliasDomainName });
  }
}
