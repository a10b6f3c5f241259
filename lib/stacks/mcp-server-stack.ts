import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { ResourceConfig } from '../../lambda/core/config';
import type { DeploymentConfig } from '../config';
import { writeBundledConfig } from '../constructs/bundled-config';
import { McpProtectedApi } from '../constructs/mcp-protected-api';
import type { OAuthFunction } from '../constructs/oauth-function';
import { ProtectedApiMonitoring } from '../constructs/protected-api-monitoring';
import { retentionDays } from '../constructs/rest-api-defaults';

export interface McpServerStackProps extends StackProps {
  readonly deployment: DeploymentConfig;
  /** One of the product configuration's resources, with a backend (resources[].backend). */
  readonly resource: ResourceConfig;
  /** The authorization server's revocations table (AuthorizationServerStack.revocationsTable). */
  readonly revocationsTable: dynamodb.ITable;
  /** @default no alarm action */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Your own MCP server behind the guard, from its configuration entry alone: an HTTP backend
 * (backend.httpUrl) behind the MCP step, or your Lambda (backend.lambdaFunctionArn), with
 * McpProtectedApi in front and its own dashboard, alarms and saved queries. One stack per
 * configured resource that has a backend (buildMcpOAuthApp).
 */
export class McpServerStack extends Stack {
  readonly protectedApi: McpProtectedApi;
  readonly monitoring: ProtectedApiMonitoring;

  constructor(scope: Construct, id: string, props: McpServerStackProps) {
    super(scope, id, props);
    const { deployment, resource } = props;
    if (!resource.backend) throw new Error(`McpServerStack: ${resource.uri} has no backend (the demo stack serves a resource without one)`);
    const settings = deployment.mcpServers[resource.uri] ?? { edge: true };
    const logRetention = retentionDays(deployment.logRetentionDays);
    const logRemovalPolicy = deployment.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.protectedApi = new McpProtectedApi(this, 'ProtectedApi', {
      resource,
      bundledConfigFile: writeBundledConfig(deployment.product),
      authorizerCacheTtlSeconds: deployment.product.guard.authorizerCacheTtlSeconds,
      revocationsTable: props.revocationsTable,
      throttling: deployment.stageThrottling.protectedApi,
      rateLimits: deployment.rateLimits,
      logRetention,
      logRemovalPolicy,
      customDomain: settings.customDomain,
      edge: settings.edge,
      originVerify: deployment.originVerify,
    });
    const functions: { label: string; fn: OAuthFunction | undefined }[] = [
      { label: 'Authorizer', fn: this.protectedApi.authorizerFunction },
      { label: 'ProtectedResourceMetadata', fn: this.protectedApi.metadataFunction },
      { label: 'McpStep', fn: this.protectedApi.mcpStepFunction },
    ];
    const ours = functions.filter((f): f is { label: string; fn: OAuthFunction } => f.fn !== undefined);
    this.monitoring = new ProtectedApiMonitoring(this, 'Monitoring', {
      api: this.protectedApi.api,
      resourceUri: resource.uri,
      authorizerFunction: this.protectedApi.authorizerFunction.function,
      auditLogGroups: ours.filter((f) => f.label !== 'ProtectedResourceMetadata').map((f) => f.fn.logGroup),
      mcpStep: this.protectedApi.mcpStepFunction !== undefined,
      functions: ours.map((f) => ({ label: f.label, function: f.fn.function })),
      alarmTopic: props.alarmTopic,
      dashboardName: `McpOAuthGuard-${deployment.stage}-${id.replace(/[^A-Za-z0-9-]/g, '')}`.slice(0, 255),
    });

    new CfnOutput(this, 'ResourceUri', { value: resource.uri, description: 'The resource (token audience) this API serves' });
    new CfnOutput(this, 'ApiUrl', { value: this.protectedApi.api.url, description: 'The stage URL (the edge\'s origin when the edge is on)' });
    new CfnOutput(this, 'McpUrl', { value: this.protectedApi.url, description: 'The URL clients use; resources[].uri must be on it' });
    if (this.protectedApi.distribution) new CfnOutput(this, 'EdgeDomainName', { value: this.protectedApi.distribution.distributionDomainName, description: 'Point the custom domain (CNAME or alias) here' });
  }
}
