/**
 * Every AwsSolutions finding the stacks accept, each with the reason it does not apply.
 * Acknowledged per construct where the reason is about one construct, per stack where it is
 * about a pattern every function shares. Anything not listed here fails `cdk synth`.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ChallengeRestoringEdge } from '../constructs/challenge-restoring-edge';
import type { AuthorizationServerStack } from './authorization-server-stack';
import type { DemoMcpServerStack } from './demo-mcp-server-stack';

const XRAY = {
  id: 'AwsSolutions-IAM5[Resource::*]',
  reason: 'Only xray:PutTraceSegments and xray:PutTelemetryRecords use Resource *: X-Ray has no resource-level permissions. Every other statement names its table, index or key.',
};
const BASIC_EXECUTION = {
  id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  reason: 'AWSLambdaBasicExecutionRole only allows writing the function\'s own CloudWatch logs.',
};
const NO_REQUEST_VALIDATOR = {
  id: 'AwsSolutions-APIG2',
  reason: 'The handlers validate every parameter themselves and must answer with OAuth/MCP errors (RFC 6749 5.2, JSON-RPC); an API Gateway request validator would answer with its own format first.',
};

function acknowledge(scope: IConstruct, ...rules: { id: string; reason: string }[]): void {
  for (const rule of rules) Validations.of(scope).acknowledge(rule);
}

/** The ChallengeRestoringEdge in front of an API; `protects` names what its stage's web ACL limits. */
function acknowledgeEdge(edge: ChallengeRestoringEdge | undefined, protects: string): void {
  if (!edge) return;
  acknowledge(edge.distribution,
    {
      id: 'AwsSolutions-CFR3',
      reason: 'The edge caches nothing and only stamps and restores headers; every request reaches the API stage, whose JSON access logs (request id, IP, status, latency, authorizer status) record it.',
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
  acknowledge(edge.originVerifySecret, {
    id: 'AwsSolutions-SMG4',
    reason: 'The origin secret lives in two places CloudFormation fills in at deployment (the distribution\'s origin header and the web ACL rule); a rotation Lambda would change it behind them and every request would be refused until both were updated. It is rotated by deployment instead: raising the originVerifyGeneration context value replaces the secret and updates both in the same deployment (docs/operations.md).',
  });
}

export function suppressAuthorizationServerFindings(stack: AuthorizationServerStack): void {
  acknowledge(stack, XRAY, BASIC_EXECUTION);
  const api = stack.authorizationServer.api;
  acknowledge(api, NO_REQUEST_VALIDATOR,
    {
      id: 'AwsSolutions-APIG4',
      reason: 'The OAuth endpoints are public by protocol: /token, /revoke and /introspect authenticate clients themselves (RFC 6749 2.3, RFC 7009, RFC 7662), /authorize and /consent authenticate users through the upstream IdP, metadata and JWKS are public documents.',
    },
    {
      id: 'AwsSolutions-COG4',
      reason: 'This API is the authorization server: its callers hold no Cognito token yet. Cognito is its upstream login, not an API authorizer.',
    },
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level API Gateway logging role; this managed policy is what API Gateway documents for execution logs.',
    },
  );
  acknowledgeEdge(stack.authorizationServer.edge, '/authorize, /token and /register');
  acknowledge(stack.authorizationServer.functions.token.function, {
    id: 'AwsSolutions-IAM5[Resource::<TablesFamiliesTable06219867.Arn>/index/*]',
    reason: 'Revoking a user or a client queries the families table by its bySubject and byClient indexes.',
  });
}

export function suppressProtectedApiFindings(stack: DemoMcpServerStack): void {
  acknowledge(stack, XRAY, BASIC_EXECUTION);
  acknowledge(stack.protectedApi.api, NO_REQUEST_VALIDATOR,
    {
      id: 'AwsSolutions-APIG4',
      reason: 'The MCP routes use the Lambda REQUEST authorizer. Only the protected resource metadata (RFC 9728, public by definition) and CORS preflights (which never carry credentials) are open.',
    },
    {
      id: 'AwsSolutions-COG4',
      reason: 'Access tokens are issued by the mcp-oauth authorization server (RS256 at+jwt, KMS), not by Cognito; the REQUEST authorizer verifies them.',
    },
  );
  acknowledgeEdge(stack.protectedApi.edge, 'the MCP endpoint');
}
