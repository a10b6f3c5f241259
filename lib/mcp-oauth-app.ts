import { Validations, type App, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { DeploymentConfig } from './config';
import { acknowledgeNagFindings } from './nag-suppressions';
import { ApiGatewayAccountStack } from './stacks/api-gateway-account-stack';
import { AuthorizationServerStack } from './stacks/authorization-server-stack';
import { DemoMcpServerStack } from './stacks/demo-mcp-server-stack';
import { McpServerStack } from './stacks/mcp-server-stack';

export interface McpOAuthStacks {
  /** Absent when deploy.apiGatewayCloudWatchRole is `account`. */
  readonly apiGatewayAccount?: ApiGatewayAccountStack;
  readonly authorizationServer: AuthorizationServerStack;
  readonly demoMcpServer?: DemoMcpServerStack;
  /** One per configured resource with its own backend (resources[].backend). */
  readonly mcpServers: readonly McpServerStack[];
}

export interface BuildOptions {
  /** Run the cdk-nag AwsSolutions pack on every stack at synth. @default true */
  readonly nag?: boolean;
}

/** The stack that holds the account's API Gateway CloudWatch role: one per account and region, shared by every stage. */
export const API_GATEWAY_ACCOUNT_STACK = 'McpOAuth-ApiGatewayAccount';

/**
 * The whole app from one validated deployment configuration; bin/app.ts and the infra tests
 * both use it. The stacks are built first and the cdk-nag acknowledgements applied to them
 * afterwards (lib/nag-suppressions.ts), so no stack imports the acknowledgements.
 */
export function buildMcpOAuthApp(app: App, deployment: DeploymentConfig, options: BuildOptions = {}): McpOAuthStacks {
  const env: Environment = { account: deployment.account, region: deployment.region };
  const prefix = `McpOAuth-${deployment.stage}`;
  const apiGatewayAccount = deployment.apiGatewayCloudWatchRole === 'stack'
    ? new ApiGatewayAccountStack(app, API_GATEWAY_ACCOUNT_STACK, { env, description: 'mcp-oauth: the account\'s API Gateway CloudWatch Logs role (retained)' })
    : undefined;
  const authorizationServer = new AuthorizationServerStack(app, `${prefix}-AuthorizationServer`, {
    env,
    deployment,
    description: `mcp-oauth authorization server (${deployment.stage})`,
    terminationProtection: deployment.retainData,
  });
  const demoResource = deployment.product.resources.find((r) => r.uri === deployment.demo.resourceUri);
  // The demo serves a resource without a backend of its own; the others get a stack each.
  const demoMcpServer = deployment.demo.enabled && !demoResource?.backend
    ? new DemoMcpServerStack(app, `${prefix}-DemoMcpServer`, {
        env,
        deployment,
        revocationsTable: authorizationServer.revocationsTable,
        alarmTopic: authorizationServer.alarmTopic,
        description: `mcp-oauth demo MCP server behind the guard (${deployment.stage})`,
      })
    : undefined;
  const mcpServers = deployment.product.resources.filter((r) => r.backend).map((resource, i) => new McpServerStack(app, `${prefix}-McpServer${i + 1}`, {
    env,
    deployment,
    resource,
    revocationsTable: authorizationServer.revocationsTable,
    alarmTopic: authorizationServer.alarmTopic,
    description: `mcp-oauth guard in front of ${resource.name} (${resource.uri}, ${deployment.stage})`,
  }));
  // Stages with execution logging deploy only once the account's role is set.
  if (apiGatewayAccount) for (const stack of [authorizationServer, demoMcpServer, ...mcpServers]) stack?.addStackDependency(apiGatewayAccount);
  const stacks = { apiGatewayAccount, authorizationServer, demoMcpServer, mcpServers };
  acknowledgeNagFindings(stacks, deployment);
  // Any unacknowledged AwsSolutions finding fails synth.
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stacks;
}
