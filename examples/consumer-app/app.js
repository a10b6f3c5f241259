#!/usr/bin/env node
// A platform team's own CDK app, outside the mcp-oauth-aws repository: the authorization
// server and one existing MCP server (an HTTPS backend) behind the guard, composed from the
// installed package's constructs. `npx cdk synth` needs neither the package's sources nor
// esbuild nor Docker: the package ships its Lambda functions prebuilt.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { App, Stack } = require('aws-cdk-lib');
const { McpAuthorizationServer, McpProtectedApi, parseProductConfig, writeBundledConfig } = require('mcp-oauth-aws');

const app = new App();
const env = { account: app.node.tryGetContext('account'), region: app.node.tryGetContext('region') };
const config = parseProductConfig(JSON.parse(readFileSync(join(__dirname, 'mcp-oauth.json'), 'utf8')));

const auth = new Stack(app, 'TeamAuth', { env });
const server = new McpAuthorizationServer(auth, 'AuthorizationServer', {
  config,
  stage: 'dev',
  // Any OIDC IdP: config.upstream names it, its client secret is in Secrets Manager.
  upstreamLogin: { kind: 'oidc' },
});

const tools = new Stack(app, 'TeamTools', { env });
new McpProtectedApi(tools, 'ProtectedApi', {
  resource: config.resources[0],
  bundledConfigFile: writeBundledConfig(config),
  authorizerCacheTtlSeconds: config.guard.authorizerCacheTtlSeconds,
  revocationsTable: server.revocationsTable,
});

app.synth();
