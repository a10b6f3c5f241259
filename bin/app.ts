#!/usr/bin/env node
/**
 * The CDK app: `npx cdk synth -c region=eu-west-1` / `npx cdk deploy --all -c stage=prod -c configFile=config/prod.json -c deployFile=config/deploy.prod.json`.
 * Context: stage, account, region, configFile (the product configuration), deployFile and
 * deploy (the deployment settings; see lib/config.ts, lib/app-inputs.ts and docs/deploy.md).
 * Neither synth nor bundling needs AWS credentials or Docker.
 */
import { App } from 'aws-cdk-lib';
import { join } from 'node:path';
import { deploymentFromContext } from '../lib/app-inputs';
import { DeploymentConfigError } from '../lib/config';
import { buildMcpOAuthApp } from '../lib/mcp-oauth-app';

const app = new App();
try {
  buildMcpOAuthApp(app, deploymentFromContext((key) => app.node.tryGetContext(key), join(__dirname, '..')));
  app.synth();
} catch (error) {
  if (error instanceof DeploymentConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
