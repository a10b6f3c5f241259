import { Validations, type App, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { DeploymentConfig } from './config';
import { AuthorizationServerStack } from './stacks/authorization-server-stack';
import { DemoMcpServerStack } from './stacks/demo-mcp-server-stack';

export interface McpOAuthStacks {
  readonly authorizationServer: AuthorizationServerStack;
  readonly demoMcpServer?: DemoMcpServerStack;
}

export interface BuildOptions {
  /** Run the cdk-nag AwsSolutions pack on every stack. @default true */
  readonly nag?: boolean;
}

/** The whole app from one validated deployment configuration; bin/app.ts and the infra tests both use it. */
export function buildMcpOAuthApp(app: App, deployment: DeploymentConfig, options: BuildOptions = {}): McpOAuthStacks {
  const env: Environment = { account: deployment.account, region: deployment.region };
  const prefix = `McpOAuth-${deployment.stage}`;
  const authorizationServer = new AuthorizationServerStack(app, `${prefix}-AuthorizationServer`, {
    env,
    deployment,
    description: `mcp-oauth authorization server (${deployment.stage})`,
    terminationProtection: deployment.retainData,
  });
  const demoMcpServer = deployment.demo.enabled
    ? new DemoMcpServerStack(app, `${prefix}-DemoMcpServer`, {
        env,
        deployment,
        revocationsTable: authorizationServer.revocationsTable,
        alarmTopic: authorizationServer.alarmTopic,
        description: `mcp-oauth demo MCP server behind the guard (${deployment.stage})`,
      })
    : undefined;
  // Any unacknowledged AwsSolutions finding fails synth; acknowledgements live in lib/stacks/nag-suppressions.ts, each with its reason.
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { authorizationServer, demoMcpServer };
}
