import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../lambda/core/config';
import { EDGE_FUNCTIONS } from '../../lib/constructs/handler-entries';
import { ORIGIN_VERIFY_HEADER, VIEWER_IP_HEADER } from '../../lambda/edge/edge-headers';
import { AUDIT_METRICS, AUTHORIZER_METRICS, DEPENDENCY_UNAVAILABLE_METRIC, DIMENSIONS, METRICS_NAMESPACE, SERVICE_NAMES } from '../../lambda/adapters/observability/metric-names';
import { deploymentFor, exampleDeploy, synthesizeApp } from './synthesize-app';

// One synthesis (with real esbuild bundling) for the whole file: it is the slow part.
let as: Template;
let demo: Template;
let nagViolations: { ruleName: string; resources: string[] }[];
let assemblyDir: string;

beforeAll(() => {
  const deploy = { ...exampleDeploy(), signingKeys: { keys: ['k2026a', 'k2026b'], active: 'k2026a' }, alarmEmail: 'oncall@example.com' };
  const built = synthesizeApp(deploymentFor({ stage: 'prod', deploy }), { bundle: true });
  as = Template.fromStack(built.authorizationServer);
  demo = Template.fromStack(built.demoMcpServer!);
  assemblyDir = built.app.outdir;
  const report = new AwsSolutionsChecks(built.app).validateScope(built.app);
  nagViolations = report.violations.map((v) => ({ ruleName: v.ruleName, resources: v.violatingResources.map((r) => `${r.resourceLogicalId}`) }));
}, 240_000);

type Resources = Record<string, { Type: string; Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
const resourcesOf = (template: Template, type: string): Resources => template.findResources(type) as Resources;

function roleOf(template: Template, functionDescriptionPrefix: string): string {
  const fns = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).filter((f) => String(f.Properties.Description).startsWith(functionDescriptionPrefix));
  expect(fns).toHaveLength(1);
  return fns[0]!.Properties.Role['Fn::GetAtt'][0];
}

function statementsOfRole(template: Template, roleLogicalId: string): any[] {
  return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: any) => r.Ref === roleLogicalId))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** An alarm's metric, whether CloudFormation got it flat or (with a label) as a one-metric query. */
function alarmMetric(alarm: { Properties: any }): { namespace: string; name: string; dimensions: any[] } {
  const p = alarm.Properties;
  if (p.MetricName) return { namespace: p.Namespace, name: p.MetricName, dimensions: p.Dimensions ?? [] };
  const m = p.Metrics[0].MetricStat.Metric;
  return { namespace: m.Namespace, name: m.MetricName, dimensions: m.Dimensions ?? [] };
}

const actionsOf = (statements: any[]): string[] => statements.flatMap((s) => [s.Action].flat());

/** A dashboard's body as text: CloudFormation gets it as a Fn::Join of strings and references. */
function dashboardBody(template: Template): string {
  const body = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody;
  if (typeof body === 'string') return body;
  return body['Fn::Join'][1].map((part: unknown) => (typeof part === 'string' ? part : '<ref>')).join('');
}

/** Every metric name of our namespace a dashboard draws: metric arrays ["McpOAuth","Name",...] and SEARCH expressions. */
function productMetricsDrawn(body: string): string[] {
  const names = [...body.matchAll(new RegExp(`\\[\"${METRICS_NAMESPACE}\",\"(\\w+)\"`, 'g'))].map((m) => m[1]!);
  const searched = [...body.matchAll(new RegExp(`\\{${METRICS_NAMESPACE},[^}]*\\}[^']*MetricName=\\\\?\"(\\w+)`, 'g'))].map((m) => m[1]!);
  return [...names, ...searched];
}

/** What the functions emit (lambda/adapters/observability): the only names an alarm or a dashboard may use. */
const EMITTED = new Set<string>([...Object.values(AUDIT_METRICS), ...Object.values(AUTHORIZER_METRICS), DEPENDENCY_UNAVAILABLE_METRIC]);

/** The viewer-request stamp, then the viewer-response restore, each pointing at its own function. */
function edgeFunctionAssociations(template: Template): any[] {
  const idOf = (file: string) => Object.entries(resourcesOf(template, 'AWS::CloudFront::Function')).find(([, f]) => f.Properties.FunctionCode === readFileSync(file, 'utf8'))![0];
  return [
    { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [idOf(EDGE_FUNCTIONS.stampViewerIp), 'FunctionARN'] } },
    { EventType: 'viewer-response', FunctionARN: { 'Fn::GetAtt': [idOf(EDGE_FUNCTIONS.restoreWwwAuthenticate), 'FunctionARN'] } },
  ];
}

/** `{{resolve:secretsmanager:<the stack's one generated secret>:SecretString:::}}`, as CloudFormation gets it. */
function originSecretReference(template: Template): unknown {
  const secrets = Object.entries(resourcesOf(template, 'AWS::SecretsManager::Secret')).filter(([, s]) => String(s.Properties.Description).includes(ORIGIN_VERIFY_HEADER));
  expect(secrets).toHaveLength(1);
  const [secretId, secret] = secrets[0]!;
  expect(secret.Properties.GenerateSecretString).toEqual({ ExcludePunctuation: true, PasswordLength: 48 });
  expect(secret.Properties.SecretString).toBeUndefined();
  return { 'Fn::Join': ['', ['{{resolve:secretsmanager:', { Ref: secretId }, ':SecretString:::}}']] };
}

function expectOriginSecretHeader(template: Template): void {
  const origins = Object.values(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig.Origins;
  expect(origins).toHaveLength(1);
  expect(origins[0].OriginCustomHeaders).toEqual([{ HeaderName: ORIGIN_VERIFY_HEADER, HeaderValue: originSecretReference(template) }]);
}

/** Rule 0: no exact origin secret, blocked; rule 1: no viewer stamp, blocked. WAF's plain block answers 403. */
function expectEdgeGateRules(template: Template, acl: { Properties: any }): void {
  const [onlyThroughEdge, viewerIpStamped] = acl.Properties.Rules;
  expect(onlyThroughEdge).toMatchObject({ Name: 'OnlyThroughEdge', Priority: 0, Action: { Block: {} } });
  expect(onlyThroughEdge.Statement).toEqual({
    NotStatement: {
      Statement: {
        ByteMatchStatement: {
          FieldToMatch: { SingleHeader: { Name: ORIGIN_VERIFY_HEADER } },
          PositionalConstraint: 'EXACTLY',
          SearchString: originSecretReference(template),
          TextTransformations: [{ Priority: 0, Type: 'NONE' }],
        },
      },
    },
  });
  expect(viewerIpStamped).toMatchObject({ Name: 'ViewerIpStamped', Priority: 1, Action: { Block: {} } });
  expect(viewerIpStamped.Statement).toEqual({
    NotStatement: {
      Statement: {
        SizeConstraintStatement: { FieldToMatch: { SingleHeader: { Name: VIEWER_IP_HEADER } }, ComparisonOperator: 'GT', Size: 0, TextTransformations: [{ Priority: 0, Type: 'NONE' }] },
      },
    },
  });
}

describe('signing keys', () => {
  it('are RSA_2048 SIGN_VERIFY keys behind an alias per name, retained in production', () => {
    const keys = resourcesOf(as, 'AWS::KMS::Key');
    const signing = Object.values(keys).filter((k) => k.Properties.KeySpec === 'RSA_2048');
    expect(signing).toHaveLength(2);
    for (const key of signing) {
      expect(key.Properties.KeyUsage).toBe('SIGN_VERIFY');
      expect(key.DeletionPolicy).toBe('Retain');
    }
    as.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/mcp-oauth/prod/k2026a' });
    as.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/mcp-oauth/prod/k2026b' });
  });

  it('let only the token function sign, and only with the active key', () => {
    const tokenRole = roleOf(as, 'mcp-oauth: /token');
    const keys = Object.entries(resourcesOf(as, 'AWS::KMS::Key')).filter(([, k]) => k.Properties.KeySpec === 'RSA_2048');
    const signersByKey = keys.map(([id, k]) => ({
      id,
      signers: k.Properties.KeyPolicy.Statement.filter((s: any) => [s.Action].flat().some((a: string) => a === 'kms:Sign' || a === 'kms:*')).map((s: any) => s.Principal),
    }));
    const withSigners = signersByKey.filter((k) => k.signers.length > 0);
    expect(withSigners).toHaveLength(1);
    expect(withSigners[0]!.signers).toEqual([{ AWS: { 'Fn::GetAtt': [tokenRole, 'Arn'] } }]);

    const iamSigners = Object.values(resourcesOf(as, 'AWS::IAM::Policy'))
      .filter((p) => actionsOf(p.Properties.PolicyDocument.Statement).some((a) => a === 'kms:Sign' || a === 'kms:*'))
      .flatMap((p) => p.Properties.Roles.map((r: any) => r.Ref));
    expect(iamSigners).toEqual([tokenRole]);
  });

  it('are handed to the functions as the active ARN and the published ones', () => {
    const tokenFn = Object.values(resourcesOf(as, 'AWS::Lambda::Function')).find((f) => String(f.Properties.Description).startsWith('mcp-oauth: /token'))!;
    const value = JSON.stringify(tokenFn.Properties.Environment.Variables.MCP_OAUTH_SIGNING_KEYS);
    expect(value).toMatch(/active/);
    expect(value).toMatch(/published/);
    expect(value).toMatch(/SigningKeysKeyk2026a/);
    expect(value).toMatch(/SigningKeysKeyk2026b/);
  });
});

describe('tables', () => {
  it('are on-demand with TTL on expiresAt, PITR, encryption, deletion protection and RETAIN', () => {
    const tables = Object.values(resourcesOf(as, 'AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(5);
    for (const table of tables) {
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('index refresh families by subject and by client for revoke-by-user and revoke-by-client, projecting only the keys', () => {
    as.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        { IndexName: 'bySubject', KeySchema: [{ AttributeName: 'subject', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
        { IndexName: 'byClient', KeySchema: [{ AttributeName: 'clientId', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
      ],
    });
  });
});

describe('least privilege', () => {
  it('keeps table administration (delete, update) and wildcards out of every function policy', () => {
    const actions = actionsOf(Object.values({ ...resourcesOf(as, 'AWS::IAM::Policy'), ...resourcesOf(demo, 'AWS::IAM::Policy') }).flatMap((p) => p.Properties.PolicyDocument.Statement));
    expect(actions.length).toBeGreaterThan(10);
    expect(actions.filter((a) => /^dynamodb:(DeleteTable|UpdateTable|\*)$/.test(a) || a === '*' || a === 'kms:*')).toEqual([]);
  });

  it('lets the authorizer read revocations with BatchGetItem only, and never KMS', () => {
    const statements = statementsOfRole(demo, roleOf(demo, 'mcp-oauth REQUEST authorizer'));
    const actions = actionsOf(statements).filter((a) => !a.startsWith('xray:'));
    expect(actions).toEqual(['dynamodb:BatchGetItem']);
    expect(JSON.stringify(statements)).not.toMatch(/kms:/);
  });

  it('gives the metadata and JWKS function kms:GetPublicKey but not kms:Sign', () => {
    const actions = actionsOf(statementsOfRole(as, roleOf(as, 'mcp-oauth: metadata')));
    expect(actions).toContain('kms:GetPublicKey');
    expect(actions).not.toContain('kms:Sign');
  });

  it('keeps the browser function away from refresh families, revocations and signing', () => {
    const statements = statementsOfRole(as, roleOf(as, 'mcp-oauth: /authorize'));
    const text = JSON.stringify(statements);
    expect(text).not.toMatch(/TablesFamiliesTable|TablesRevocationsTable/);
    expect(actionsOf(statements)).not.toContain('kms:Sign');
  });
});

describe('authorization server API', () => {
  it('bundles every function locally with esbuild for Node.js on arm64 with X-Ray', () => {
    const fns = Object.values(resourcesOf(as, 'AWS::Lambda::Function'));
    expect(fns).toHaveLength(3);
    for (const fn of fns) {
      expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' }, Handler: 'index.handler' });
      expect(fn.Properties.Code.S3Key).toMatch(/^[0-9a-f]{64}\.zip$/);
      expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(expect.arrayContaining(['MCP_OAUTH_CONFIG_FILE', 'MCP_OAUTH_UPSTREAM', 'MCP_OAUTH_TABLES', 'MCP_OAUTH_SIGNING_KEYS', 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE']));
      expect(fn.Properties.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('McpOAuth');
    }
  });

  it('has a throttled, traced stage with JSON access logs and no data tracing', () => {
    as.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') }),
      MethodSettings: [Match.objectLike({ DataTraceEnabled: false, ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400, MetricsEnabled: true, LoggingLevel: 'ERROR' })],
    });
  });

  it('routes each endpoint to its group', () => {
    const paths = Object.values(resourcesOf(as, 'AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart);
    expect(paths).toEqual(expect.arrayContaining(['authorize', 'consent', 'callback', 'token', 'revoke', 'introspect', 'register', '.well-known', 'oauth-authorization-server', 'jwks.json']));
  });

  it('rate-limits /authorize, /token and /register per viewer address (stamped by the edge) with WAF and answers 429', () => {
    const acl = Object.values(resourcesOf(as, 'AWS::WAFv2::WebACL'));
    expect(acl).toHaveLength(1);
    const rules = acl[0]!.Properties.Rules.filter((r: any) => r.Statement.RateBasedStatement);
    expect(rules.map((r: any) => [r.Statement.RateBasedStatement.ScopeDownStatement.ByteMatchStatement.SearchString, r.Statement.RateBasedStatement.Limit, r.Statement.RateBasedStatement.AggregateKeyType]))
      .toEqual([['/authorize', 300, 'CUSTOM_KEYS'], ['/token', 600, 'CUSTOM_KEYS'], ['/register', 60, 'CUSTOM_KEYS']]);
    for (const rule of rules) {
      expect(rule.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429 } } });
      expect(rule.Statement.RateBasedStatement.CustomKeys).toEqual([{ Header: { Name: VIEWER_IP_HEADER, TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }]);
      expect(rule.Statement.RateBasedStatement.ForwardedIPConfig).toBeUndefined();
    }
    as.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('blocks first every request that lacks the edge\'s origin secret or its viewer stamp, then rate-limits, then known bad inputs', () => {
    const acl = Object.values(resourcesOf(as, 'AWS::WAFv2::WebACL'))[0]!;
    expect(acl.Properties.Rules.map((r: any) => [r.Priority, r.Name]))
      .toEqual([[0, 'OnlyThroughEdge'], [1, 'ViewerIpStamped'], [2, 'AuthorizeRateLimit'], [3, 'TokenRateLimit'], [4, 'RegisterRateLimit'], [5, 'KnownBadInputs']]);
    expectEdgeGateRules(as, acl);
  });

  it('serves the issuer on the custom domain through the edge with TLS 1.2, and keeps the stage reachable as its origin', () => {
    as.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    const config = Object.values(resourcesOf(as, 'AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig;
    expect(config.Aliases).toEqual(['auth.example.com']);
    expect(config.ViewerCertificate).toMatchObject({ AcmCertificateArn: expect.stringMatching(/:acm:us-east-1:/), MinimumProtocolVersion: 'TLSv1.2_2021' });
    as.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: false });
  });
});

describe('the edge in front of the authorization server', () => {
  it('runs the same two CloudFront function sources as the protected API\'s: the viewer stamp and the challenge restore', () => {
    for (const template of [as, demo]) {
      const fns = Object.values(resourcesOf(template, 'AWS::CloudFront::Function'));
      expect(fns.map((f) => f.Properties.FunctionConfig.Runtime)).toEqual(['cloudfront-js-2.0', 'cloudfront-js-2.0']);
      expect(fns.map((f) => f.Properties.FunctionCode).sort())
        .toEqual([readFileSync(EDGE_FUNCTIONS.restoreWwwAuthenticate, 'utf8'), readFileSync(EDGE_FUNCTIONS.stampViewerIp, 'utf8')].sort());
    }
  });

  it('stamps at viewer-request and restores at viewer-response in front of the AS stage, caches nothing, allows every method and forwards every viewer header but Host', () => {
    const distributions = Object.values(resourcesOf(as, 'AWS::CloudFront::Distribution'));
    expect(distributions).toHaveLength(1);
    const config = distributions[0]!.Properties.DistributionConfig;
    const behavior = config.DefaultCacheBehavior;
    expect(config.CacheBehaviors).toBeUndefined();
    expect(behavior.FunctionAssociations).toEqual(edgeFunctionAssociations(as));
    expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
    expect(behavior.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader: Authorization, Cookie, Origin, Content-Type...
    expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    // The origin is this stack's authorization server REST API, not some other API.
    const [apiId] = Object.keys(resourcesOf(as, 'AWS::ApiGateway::RestApi'));
    expect(JSON.stringify(config.Origins)).toContain(`"Ref":"${apiId}"`);
  });

  it('sends the origin secret as a header whose value is a dynamic reference to a generated secret, never a literal', () => {
    expectOriginSecretHeader(as);
  });

  it('names the edge in the outputs next to the configured issuer', () => {
    const outputs = as.toJSON().Outputs;
    expect(outputs.Issuer.Value).toBe('https://auth.example.com');
    expect(outputs.AuthorizationServerUrl.Value).toBe('https://auth.example.com');
    expect(outputs.EdgeDomainName.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/AuthorizationServerEdgeDistribution/), 'DomainName'] });
  });
});

describe('upstream login', () => {
  it('is a Cognito user pool with MFA, a group per configured group, managed login and a PKCE client', () => {
    as.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    const groups = Object.values(resourcesOf(as, 'AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName).sort();
    expect(groups).toEqual(['mcp-admins', 'mcp-readers', 'mcp-users']);
    as.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'mcp-oauth-prod', ManagedLoginVersion: 2 });
    as.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://auth.example.com/callback'],
    });
  });
});

describe('protected API (McpProtectedApi)', () => {
  it('uses a REQUEST authorizer on the Authorization header with the configured cache TTL', () => {
    demo.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 30,
    });
  });

  it('answers 401 with the exact Bearer challenge pointing at the protected resource metadata', () => {
    demo.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.WWW-Authenticate': '\'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="tool:read"\'',
        'gatewayresponse.header.Access-Control-Expose-Headers': "'WWW-Authenticate'",
      }),
    });
  });

  it('answers 403 with insufficient_scope naming the scopes the routes and tools need', () => {
    demo.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      StatusCode: '403',
      ResponseParameters: Match.objectLike({
        'gatewayresponse.header.WWW-Authenticate': '\'Bearer error="insufficient_scope", scope="tool:read tool:execute admin", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"\'',
      }),
    });
  });

  it('guards /mcp with the authorizer and leaves the protected resource metadata and preflights open', () => {
    const methods = Object.values(resourcesOf(demo, 'AWS::ApiGateway::Method'));
    const guarded = methods.filter((m) => m.Properties.AuthorizationType === 'CUSTOM');
    expect(guarded.map((m) => m.Properties.HttpMethod)).toEqual(['ANY']);
    expect(methods.filter((m) => m.Properties.AuthorizationType === 'NONE').map((m) => m.Properties.HttpMethod).sort()).toEqual(['GET', 'GET', 'OPTIONS', 'OPTIONS', 'OPTIONS']);
    const paths = Object.values(resourcesOf(demo, 'AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart);
    expect(paths).toEqual(expect.arrayContaining(['.well-known', 'oauth-protected-resource', 'mcp']));
  });

  it('tells the authorizer which resource it guards and where revocations are', () => {
    const authorizerFn = Object.values(resourcesOf(demo, 'AWS::Lambda::Function')).find((f) => String(f.Properties.Description).startsWith('mcp-oauth REQUEST authorizer'))!;
    expect(authorizerFn.Properties.Environment.Variables).toMatchObject({ MCP_RESOURCE_URI: 'https://mcp.example.com/mcp', REVOCATIONS_TABLE_NAME: expect.anything() });
  });
});

describe('monitoring', () => {
  it('alarms on 5xx rate, refresh reuse and KMS throttling, into an encrypted topic with the on-call email', () => {
    const alarms = Object.values(resourcesOf(as, 'AWS::CloudWatch::Alarm'));
    expect(alarms.map((a) => alarmMetric(a).name).sort()).toEqual(['5XXError', DEPENDENCY_UNAVAILABLE_METRIC, AUDIT_METRICS.refresh_reuse_detected].sort());
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
    as.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    as.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'oncall@example.com' });
  });

  it('alarms on authorizer errors next to the protected API', () => {
    const alarms = Object.values(resourcesOf(demo, 'AWS::CloudWatch::Alarm'));
    expect(alarms.map(alarmMetric)).toEqual([{ namespace: METRICS_NAMESPACE, name: AUTHORIZER_METRICS.errors, dimensions: [{ Name: 'service', Value: SERVICE_NAMES.authorizer }] }]);
    expect(alarms[0]!.Properties.AlarmActions).toHaveLength(1);
  });

  it('draws tokens issued, denials, reuse, registrations, latency, KMS and DynamoDB throttles', () => {
    const body = JSON.stringify(Object.values(resourcesOf(as, 'AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    for (const metric of ['TokensIssued', 'RefreshReuseDetected', 'ClientsRegistered', 'RequestsRejected', '5XXError', '4XXError', 'Latency', 'p99', 'DependencyUnavailable', 'ReadThrottleEvents', 'WriteThrottleEvents']) {
      expect(body).toContain(metric);
    }
    const guardBody = JSON.stringify(Object.values(resourcesOf(demo, 'AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    expect(guardBody).toContain('AuthorizerDenied');
    expect(guardBody).toContain('p99');
  });
});

describe('the edge in front of the protected API', () => {
  it('has a CloudFront function that copies the remapped challenge back to WWW-Authenticate', () => {
    const fns = Object.values(resourcesOf(demo, 'AWS::CloudFront::Function'));
    const code: string = fns.map((f) => f.Properties.FunctionCode).find((c: string) => c.includes('www-authenticate'));
    expect(code).toContain("headers['www-authenticate'] =");
    expect(code).toContain("headers['x-amzn-remapped-www-authenticate']");
    expect(code).toMatch(/function handler\(event\)/);
  });

  it('stamps at viewer-request and restores at viewer-response on the default behavior, caches nothing, allows every method and forwards every viewer header but Host', () => {
    const distributions = Object.values(resourcesOf(demo, 'AWS::CloudFront::Distribution'));
    expect(distributions).toHaveLength(1);
    const config = distributions[0]!.Properties.DistributionConfig;
    const behavior = config.DefaultCacheBehavior;
    expect(behavior.FunctionAssociations).toEqual(edgeFunctionAssociations(demo));
    expect(behavior.AllowedMethods).toEqual(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']);
    expect(behavior.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
    expect(behavior.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader
    expect(behavior.ViewerProtocolPolicy).toBe('https-only');
    expect(config.Aliases).toEqual(['mcp.example.com']);
    expect(config.ViewerCertificate).toMatchObject({ AcmCertificateArn: expect.stringMatching(/:acm:us-east-1:/), MinimumProtocolVersion: 'TLSv1.2_2021' });
  });

  it('keeps the stage enabled as the edge\'s origin, refuses requests from around the edge and counts clients by the stamped viewer address', () => {
    demo.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: false });
    demo.resourceCountIs('AWS::ApiGateway::DomainName', 0);
    expectOriginSecretHeader(demo);
    const acl = Object.values(resourcesOf(demo, 'AWS::WAFv2::WebACL'))[0]!;
    expect(acl.Properties.Rules.map((r: any) => r.Name)).toEqual(['OnlyThroughEdge', 'ViewerIpStamped', 'McpRateLimit', 'KnownBadInputs']);
    expectEdgeGateRules(demo, acl);
    const rate = acl.Properties.Rules.find((r: any) => r.Statement.RateBasedStatement).Statement.RateBasedStatement;
    expect(rate).toMatchObject({ AggregateKeyType: 'CUSTOM_KEYS', CustomKeys: [{ Header: { Name: VIEWER_IP_HEADER, TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }] });
  });
});

describe('configuration in the bundle', () => {
  const functions = () => [...Object.values(resourcesOf(as, 'AWS::Lambda::Function')), ...Object.values(resourcesOf(demo, 'AWS::Lambda::Function'))];

  it('gives every function MCP_OAUTH_CONFIG_FILE and no giant variable', () => {
    expect(functions()).toHaveLength(6);
    for (const fn of functions()) {
      const variables = fn.Properties.Environment.Variables;
      expect(variables.MCP_OAUTH_CONFIG_FILE).toBe('mcp-oauth.config.json');
      expect(variables.MCP_OAUTH_CONFIG).toBeUndefined();
      for (const value of Object.values(variables)) expect(JSON.stringify(value).length).toBeLessThan(1024);
    }
  });

  it('puts the validated configuration, without its local section, next to the handler in each bundle', () => {
    for (const fn of functions()) {
      const assetDir = join(assemblyDir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      expect(readdirSync(assetDir)).toEqual(expect.arrayContaining(['index.js', 'mcp-oauth.config.json']));
      const bundled = JSON.parse(readFileSync(join(assetDir, 'mcp-oauth.config.json'), 'utf8'));
      expect(bundled.issuer).toBe('https://auth.example.com');
      expect(bundled.local).toBeUndefined();
      expect(parseConfig(bundled).resources.map((r) => r.uri)).toContain('https://mcp.example.com/mcp');
    }
  });
});

describe('metrics the code emits and the monitoring watches', () => {
  it('alarms only on metric names and service dimensions the functions emit', () => {
    const alarms = [...Object.values(resourcesOf(as, 'AWS::CloudWatch::Alarm')), ...Object.values(resourcesOf(demo, 'AWS::CloudWatch::Alarm'))].map(alarmMetric);
    const ours = alarms.filter((m) => m.namespace === METRICS_NAMESPACE);
    expect(ours).toHaveLength(3);
    for (const metric of ours) {
      expect(EMITTED).toContain(metric.name);
      const service = metric.dimensions.find((d) => d.Name === 'service')?.Value;
      expect(Object.values(SERVICE_NAMES)).toContain(service);
    }
  });

  it('alarms on KMS outages through the DependencyUnavailable metric, not through log text', () => {
    const kms = Object.values(resourcesOf(as, 'AWS::CloudWatch::Alarm')).map(alarmMetric).find((m) => m.name === DEPENDENCY_UNAVAILABLE_METRIC)!;
    expect(kms.dimensions).toEqual(expect.arrayContaining([{ Name: 'service', Value: SERVICE_NAMES.authorizationServer }, { Name: DIMENSIONS.dependency, Value: 'kms' }]));
    as.resourceCountIs('AWS::Logs::MetricFilter', 0);
  });

  it('draws only metric names the functions emit, with the service names the functions are given', () => {
    for (const template of [as, demo]) {
      const body = dashboardBody(template);
      const drawn = productMetricsDrawn(body);
      expect(drawn.length).toBeGreaterThan(0);
      for (const name of drawn) expect(EMITTED).toContain(name);
    }
    expect(productMetricsDrawn(dashboardBody(demo))).toEqual(expect.arrayContaining(Object.values(AUTHORIZER_METRICS)));
    for (const [template, service] of [[as, SERVICE_NAMES.authorizationServer], [demo, SERVICE_NAMES.authorizer]] as const) {
      const serviceNamesOfFunctions = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map((f) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME);
      expect(serviceNamesOfFunctions).toContain(service);
      expect(dashboardBody(template)).toContain(service);
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('has no unacknowledged findings', () => {
    expect(nagViolations).toEqual([]);
  });
});
