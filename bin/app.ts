#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth` / `npx cdk deploy --all -c stage=prod -c configFile=config/prod.json`.
 * Context: stage, account, region, configFile (the product configuration) and deploy (see
 * lib/config.ts and docs/deploy.md). Neither synth nor bundling needs AWS credentials or Docker.
 */
import { App } from 'aws-cdk-lib';
import { join } from 'node:path';
import { DeploymentConfigError, parseDeploymentConfig, readProductConfigFile } from '../lib/config';
import { buildMcpOAuthApp } from '../lib/mcp-oauth-app';

const app = new App();
const context = (key: string): unknown => app.node.tryGetContext(key);
try {
  const configFile = String(context('configFile') ?? 'config/aws.example.json');
  const deployment = parseDeploymentConfig({
    stage: context('stage'),
    account: context('account') ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: context('region') ?? process.env.CDK_DEFAULT_REGION,
    productConfig: readProductConfigFile(configFile, join(__dirname, '..')),
    deploy: context('deploy'),
  });
  buildMcpOAuthApp(app, deployment);
  app.synth();
} catch (error) {
  if (error instanceof DeploymentConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
