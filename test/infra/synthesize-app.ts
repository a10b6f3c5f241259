/**
 * Builds the whole CDK app in-process, as bin/app.ts does, from config/aws.example.json and
 * the deploy settings a test chooses (by default the custom-domain example,
 * config/deploy.custom-domain.example.json). Bundling is real (local esbuild, no Docker)
 * unless a test turns it off to stay fast.
 */
import { App, Stack } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDeploymentConfig, type DeploymentConfig } from '../../lib/config';
import { buildMcpOAuthApp, type McpOAuthStacks } from '../../lib/mcp-oauth-app';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';

export function exampleProductConfig(): any {
  return JSON.parse(readFileSync(join(__dirname, '../../config/aws.example.json'), 'utf8'));
}

/** The deployment settings of config/deploy.custom-domain.example.json. */
export function exampleDeploy(): any {
  return JSON.parse(readFileSync(join(__dirname, '../../config/deploy.custom-domain.example.json'), 'utf8'));
}

/** The deployment settings shipped in cdk.json's context. */
export function cdkJsonDeploy(): any {
  return JSON.parse(readFileSync(join(__dirname, '../../cdk.json'), 'utf8')).context.deploy;
}

/** Every stack of the app's cloud assembly by id, the us-east-1 edge stacks EdgeFunction adds included. */
export function stacksOf(app: App): Stack[] {
  return app.node.children.filter((c): c is Stack => Stack.isStack(c));
}

export function deploymentFor(options: { stage?: string; deploy?: any; product?: any } = {}): DeploymentConfig {
  return parseDeploymentConfig({
    stage: options.stage ?? 'prod',
    account: ACCOUNT,
    region: REGION,
    productConfig: options.product ?? exampleProductConfig(),
    deploy: options.deploy ?? exampleDeploy(),
  });
}

export function synthesizeApp(deployment: DeploymentConfig, options: { bundle: boolean }): { app: App } & McpOAuthStacks {
  const app = new App({ context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildMcpOAuthApp(app, deployment, { nag: false });
  return { app, ...stacks };
}
