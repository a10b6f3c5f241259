/**
 * Every AwsSolutions finding the stacks accept, each with the reason it does not apply,
 * applied by the app after the stacks are built (buildMcpOAuthApp): no stack or construct
 * imports this file. Acknowledged per construct where the reason is about one construct.
 * Anything not listed here fails `cdk synth`.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { DeploymentConfig } from './config';
import type { ChallengeRestoringEdge } from './constructs/challenge-restoring-edge';
import type { OAuthFunction } from './constructs/oauth-function';
import type { ApiGatewayAccountStack } from './stacks/api-gateway-account-stack';
import type { AuthorizationServerStack } from './stacks/authorization-server-stack';
import type { DemoMcpServerStack } from './stacks/demo-mcp-server-stack';
import type { McpServerStack } from './stacks/mcp-server-stack';
import type { McpProtectedApi } from './constructs/mcp-protected-api';

/** The stacks buildMcpOAuthApp made (its McpOAuthStacks, spelled out so this file imports nothing that imports it). */
export interface BuiltStacks {
  readonly apiGatewayAccount?: ApiGatewayAccountStack;
  readonly authorizationServer: AuthorizationServerStack;
  readonly demoMcpServer?: DemoMcpServerStack;
  readonly mcpServers: readonly McpServerStack[];
}

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
}

const XRAY: Acknowledgement = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason: 'Only xray:PutTraceSegments and xray:PutTelemetryRecords use Resource *: X-Ray has no resource-level permissions. Every other statement of the role names its log group, table or key.',
};
const NO_REQUEST_VALIDATOR: Acknowledgement = {
  id: 'AwsSolutions-APIG2',
  reason: 'The handlers validate every parameter themselves and must answer with OAuth/MCP errors (RFC 6749 5.2, JSON-RPC); an API Gateway request validator would answer with its own format first.',
};

function acknowledge(scope: IConstruct, ...rules: Acknowledgement[]): void {
  for (const rule of rules) Validations.of(scope).acknowledge(rule);
}

function acknowledgeFunctions(functions: readonly OAuthFunction[]): void {
  // On the whole OAuthFunction: CDK puts tracing's statement in the role's default policy or in a policy of the function's own.
  for (const fn of functions) acknowledge(fn, XRAY);
}

/** The ChallengeRestoringEdge in front of an API; `protects` names what its stage's web ACL limits. */
function acknowledgeEdge(edge: ChallengeRestoringEdge | undefined, protects: string, deployment: DeploymentConfig, customDomain: boolean): void {
  if (!edge) return;
  acknowledge(edge.distribution,
    {
      id: 'AwsSolutions-CFR3',
      reason: 'The edge caches nothing and only stamps and restores headers; every request reaches the API stage, whose JSON access logs (request id, IP, status, latency, authorizer status) and the web ACL\'s logs (the viewer address the edge stamped) record it.',
    },
    {
      id: 'AwsSolutions-CFR1',
      reason: 'OAuth and MCP clients may connect from anywhere the operator allows; geo restriction is a policy choice left to the deployment, not a default.',
    },
    {
      id: 'AwsSolutions-CFR2',
      reason: `The regional web ACL on the API stage rate-limits ${protects} by the viewer address the edge's viewer-request function stamps (over any client value), and blocks requests that lack the edge's origin secret; a CloudFront-scoped web ACL would have to live in us-east-1.`,
    },
  );
  if (!customDomain && deployment.acceptCloudFrontDefaultCertificate) {
    acknowledge(edge.distribution, {
      id: 'AwsSolutions-CFR4',
      reason: 'No custom domain: the distribution serves https://<id>.cloudfront.net on CloudFront\'s default certificate, on which CloudFront accepts TLS 1.0 and 1.1; the deployment accepted that posture with deploy.acceptCloudFrontDefaultCertificate (docs/deploy.md, "Without a custom domain"). Give a custom domain to get TLSv1.2_2021.',
    });
  }
  for (const secret of [edge.originVerifySecret, edge.previousOriginVerifySecret]) {
    if (!secret) continue;
    acknowledge(secret, {
      id: 'AwsSolutions-SMG4',
      reason: 'The origin secret lives in two places CloudFormation fills in at deployment (the distribution\'s origin header and the web ACL rule); a rotation Lambda would change it behind them. It is rotated by deployment instead: raising deploy.originVerify.generation creates a new secret that the edge sends while the web ACL accepts both (docs/operations.md).',
    });
  }
  {
    // The function (and its role) may live in the us-east-1 stack EdgeFunction creates.
    acknowledge(edge.restoreFunction.lambda, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The Lambda@Edge function writes its logs to /aws/lambda/us-east-1.<name> in whichever region served the viewer ("Lambda@Edge CloudWatch metrics and logs"), a log group in every region that cannot be named ahead; AWSLambdaBasicExecutionRole lets it create and write log groups in any of them. The function calls no AWS service.',
    });
  }
}

export function acknowledgeNagFindings(stacks: BuiltStacks, deployment: DeploymentConfig): void {
  if (stacks.apiGatewayAccount) {
    acknowledge(stacks.apiGatewayAccount.role, {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level API Gateway logging role; this managed policy is what API Gateway documents for execution logs ("Set up CloudWatch API logging using the API Gateway console"), and it serves every REST API of the region, whose log groups it creates.',
    });
  }

  const as = stacks.authorizationServer;
  acknowledgeFunctions(Object.values(as.authorizationServer.functions));
  acknowledge(as.authorizationServer.api, NO_REQUEST_VALIDATOR,
    {
      id: 'AwsSolutions-APIG4',
      reason: 'The OAuth endpoints are public by protocol: /token, /revoke and /introspect authenticate clients themselves (RFC 6749 2.3, RFC 7009, RFC 7662), /authorize and /consent authenticate users through the upstream IdP, metadata and JWKS are public documents.',
    },
    {
      id: 'AwsSolutions-COG4',
      reason: 'This API is the authorization server: its callers hold no Cognito token yet. Cognito is its upstream login, not an API authorizer.',
    },
  );
  acknowledgeEdge(as.authorizationServer.edge, 'each OAuth endpoint and every path', deployment, deployment.customDomain !== undefined);

  const demo = stacks.demoMcpServer;
  if (demo) {
    acknowledgeFunctions([demo.server]);
    acknowledgeProtectedApi(demo.protectedApi, deployment, deployment.demo.customDomain !== undefined);
  }
  for (const server of stacks.mcpServers) {
    acknowledgeProtectedApi(server.protectedApi, deployment, deployment.mcpServers[server.protectedApi.resource.uri]?.customDomain !== undefined);
  }
}

/** The functions, API and edge of one McpProtectedApi. */
function acknowledgeProtectedApi(protectedApi: McpProtectedApi, deployment: DeploymentConfig, customDomain: boolean): void {
  acknowledgeFunctions([protectedApi.authorizerFunction, protectedApi.metadataFunction, ...(protectedApi.mcpStepFunction ? [protectedApi.mcpStepFunction] : [])]);
  acknowledge(protectedApi.api, NO_REQUEST_VALIDATOR,
    {
      id: 'AwsSolutions-APIG4',
      reason: 'The MCP routes use the Lambda REQUEST authorizer. Only the protected resource metadata (RFC 9728, public by definition) and CORS preflights (which never carry credentials) are open.',
    },
    {
      id: 'AwsSolutions-COG4',
      reason: 'Access tokens are issued by the mcp-oauth authorization server (RS256 at+jwt, KMS), not by Cognito; the REQUEST authorizer verifies them.',
    },
  );
  acknowledgeEdge(protectedApi.edge, 'the MCP endpoint and every path', deployment, customDomain);
}
