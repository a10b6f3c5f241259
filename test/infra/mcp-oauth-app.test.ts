import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import { readSynthValidatedConfig } from '../../lambda/adapters/config/synth-validated-config';
import { EDGE_FUNCTIONS } from '../../lib/constructs/handler-entries';
import { ORIGIN_VERIFY_HEADER, VIEWER_IP_HEADER } from '../../lambda/edge/edge-headers';
import { AUDIT_METRICS, AUTHORIZER_METRICS, DEPENDENCY_UNAVAILABLE_METRIC, DIMENSIONS, METRICS_NAMESPACE, SERVICE_NAMES } from '../../lambda/adapters/observability/metric-names';
import { REDACTED_HEADERS } from '../../lib/constructs/rate-limit-web-acl';
import { WATCHED_KEY_EVENTS } from '../../lib/constructs/signing-key-watch';
import { ENDPOINT_GROUP_PERMISSIONS } from '../../lib/definitions/function-permissions';
import { FUNCTION_SETTINGS } from '../../lib/definitions/function-settings';
import { authorizationServerRateRules, DEFAULT_RATE_LIMITS } from '../../lib/definitions/rate-rules';
import { AUTHORIZATION_SERVER_ROUTES } from '../../lib/definitions/rest-routes';
import { deploymentFor, exampleDeploy, stacksOf, synthesizeApp } from './synthesize-app';

// One synthesis (with real esbuild bundling) for the whole file: it is the slow part.
let as: Template;
let demo: Template;
let account: Template;
/** The us-east-1 stacks that hold each edge's Lambda@Edge function, by the id of the stack they serve. */
let edgeStacks: Template[];
let nagViolations: { ruleName: string; resources: string[] }[];
let assemblyDir: string;

beforeAll(() => {
  const deploy = { ...exampleDeploy(), signingKeys: { keys: ['k2026a', 'k2026b'], active: 'k2026a' }, alarmEmails: ['oncall@example.com', 'security@example.com'] };
  const built = synthesizeApp(deploymentFor({ stage: 'prod', deploy }), { bundle: true });
  as = Template.fromStack(built.authorizationServer);
  demo = Template.fromStack(built.demoMcpServer!);
  account = Template.fromStack(built.apiGatewayAccount!);
  edgeStacks = stacksOf(built.app).filter((s) => s.region === 'us-east-1').map((s) => Template.fromStack(s));
  assemblyDir = built.app.outdir;
  const report = new AwsSolutionsChecks(built.app).validateScope(built.app);
  nagViolations = report.violations.map((v) => ({ ruleName: v.ruleName, resources: v.violatingResources.map((r: any) => `${r.constructPath}`) }));
}, 240_000);

type Resources = Record<string, { Type: string; Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;
const resourcesOf = (template: Template, type: string): Resources => template.findResources(type) as Resources;

function roleOf(template: Template, functionDescriptionPrefix: string): string {
  const fns = productFunctions(template).filter((f) => String(f.Properties.Description).startsWith(functionDescriptionPrefix));
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

/** The product's functions (CDK's own, such as the cross-region reader EdgeFunction adds, have no Powertools service). */
const productFunctionEntries = (template: Template) => Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).filter(([, f]) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME);
const productFunctions = (template: Template) => productFunctionEntries(template).map(([, f]) => f);

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

/** The viewer-request stamp, the only CloudFront Function association. */
function edgeFunctionAssociations(template: Template): any[] {
  const idOf = (file: string) => Object.entries(resourcesOf(template, 'AWS::CloudFront::Function')).find(([, f]) => f.Properties.FunctionCode === readFileSync(file, 'utf8'))![0];
  return [{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [idOf(EDGE_FUNCTIONS.stampViewerIp), 'FunctionARN'] } }];
}

/**
 * The Lambda@Edge restore: an origin-response association (CloudFront runs those for every
 * origin response, 4xx included; viewer-response functions only below 400), to a function
 * in a us-east-1 stack whose inline code is lambda/edge/restore-challenge.js.
 */
function expectOriginResponseRestore(template: Template): void {
  const behavior = Object.values(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig.DefaultCacheBehavior;
  expect(behavior.LambdaFunctionAssociations).toEqual([{ EventType: 'origin-response', LambdaFunctionARN: expect.anything() }]);
  expect(behavior.FunctionAssociations.map((f: any) => f.EventType)).toEqual(['viewer-request']);
  const source = readFileSync(EDGE_FUNCTIONS.restoreChallenge, 'utf8');
  const edgeFunctions = edgeStacks.flatMap((t) => Object.values(resourcesOf(t, 'AWS::Lambda::Function'))).filter((f) => f.Properties.Code.ZipFile === source);
  expect(edgeFunctions.length).toBeGreaterThanOrEqual(1);
  for (const fn of edgeFunctions) {
    expect(fn.Properties).toMatchObject({ Runtime: 'nodejs24.x', Handler: 'index.handler', Timeout: FUNCTION_SETTINGS.restoreChallenge.timeoutSeconds, MemorySize: FUNCTION_SETTINGS.restoreChallenge.memoryMb });
    expect(fn.Properties.Environment).toBeUndefined();
  }
}

/** Strict-Transport-Security on every response, whatever the origin sent. */
function expectHsts(template: Template): void {
  const policies = Object.entries(resourcesOf(template, 'AWS::CloudFront::ResponseHeadersPolicy'));
  expect(policies).toHaveLength(1);
  const [policyId, policy] = policies[0]!;
  expect(policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.StrictTransportSecurity).toEqual({ AccessControlMaxAgeSec: 63072000, IncludeSubdomains: false, Preload: false, Override: true });
  const behavior = Object.values(resourcesOf(template, 'AWS::CloudFront::Distribution'))[0]!.Properties.DistributionConfig.DefaultCacheBehavior;
  expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
}

/** The web ACL logs every request, with credentials, cookies and the origin secret redacted, to an aws-waf-logs- group. */
function expectWafLogging(template: Template, withEdge: boolean): void {
  const logging = Object.values(resourcesOf(template, 'AWS::WAFv2::LoggingConfiguration'));
  expect(logging).toHaveLength(1);
  expect(logging[0]!.Properties.RedactedFields).toEqual([...REDACTED_HEADERS, ...(withEdge ? [ORIGIN_VERIFY_HEADER] : [])].map((Name) => ({ SingleHeader: { Name } })));
  expect(JSON.stringify(logging[0]!.Properties.LogDestinationConfigs)).toContain(':log-group:aws-waf-logs-');
  const groups = Object.values(resourcesOf(template, 'AWS::Logs::LogGroup')).map((g) => g.Properties.LogGroupName).filter((n) => typeof n === 'string');
  expect(groups.some((n: string) => n.startsWith('aws-waf-logs-'))).toBe(true);
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

  it('let only the token function sign, with every published key that is not retired, so switching the active key changes no key policy', () => {
    const tokenRole = roleOf(as, 'mcp-oauth: /token');
    const keys = Object.entries(resourcesOf(as, 'AWS::KMS::Key')).filter(([, k]) => k.Properties.KeySpec === 'RSA_2048');
    expect(keys).toHaveLength(2);
    for (const [, key] of keys) {
      const allowsSign = key.Properties.KeyPolicy.Statement.filter((s: any) => s.Effect === 'Allow' && [s.Action].flat().some((a: string) => a === 'kms:Sign' || a === 'kms:*'));
      expect(allowsSign.map((s: any) => s.Principal)).toEqual([{ AWS: { 'Fn::GetAtt': [tokenRole, 'Arn'] } }]);
    }

    const iamSigners = Object.values(resourcesOf(as, 'AWS::IAM::Policy'))
      .filter((p) => actionsOf(p.Properties.PolicyDocument.Statement).some((a) => a === 'kms:Sign' || a === 'kms:*'))
      .flatMap((p) => p.Properties.Roles.map((r: any) => r.Ref));
    expect(iamSigners).toEqual([tokenRole]);
  });

  it('deny Sign to every principal but the token role, grants to everyone, and policy edits or deletion to all but the key administrators', () => {
    const tokenRole = roleOf(as, 'mcp-oauth: /token');
    for (const key of Object.values(resourcesOf(as, 'AWS::KMS::Key')).filter((k) => k.Properties.KeySpec === 'RSA_2048')) {
      const denies = key.Properties.KeyPolicy.Statement.filter((s: any) => s.Effect === 'Deny');
      const bySid = Object.fromEntries(denies.map((s: any) => [s.Sid, s]));
      expect(bySid.OnlyTheTokenFunctionSigns).toMatchObject({ Principal: { AWS: '*' }, Action: 'kms:Sign', Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [tokenRole, 'Arn'] } } } });
      expect(bySid.NoGrants).toMatchObject({ Principal: { AWS: '*' }, Action: 'kms:CreateGrant' });
      expect(bySid.NoGrants.Condition).toBeUndefined();
      expect(bySid.OnlyKeyAdministratorsChangeThePolicy).toMatchObject({ Principal: { AWS: '*' }, Action: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'] });
      // By default the key administrator is the CDK bootstrap's CloudFormation execution role, which deploys the stack.
      expect(JSON.stringify(bySid.OnlyKeyAdministratorsChangeThePolicy.Condition.ArnNotEquals['aws:PrincipalArn'])).toContain('role/cdk-hnb659fds-cfn-exec-role-111122223333-eu-west-1');
      // The account's own statement never carries Sign, Verify or grants.
      const account = key.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === 'AccountAdministersButDoesNotSign');
      expect(account.Action.filter((a: string) => /Sign|Verify|Grant|\*/.test(a))).toEqual([]);
    }
  });

  it('are watched: policy changes, disabling, deletion and a Sign by anyone but the token role reach the alarm topic and raise an alarm', () => {
    const tokenRole = roleOf(as, 'mcp-oauth: /token');
    const rules = Object.entries(resourcesOf(as, 'AWS::Events::Rule'));
    expect(rules).toHaveLength(2);
    const byName = (event: string) => rules.find(([, r]) => r.Properties.EventPattern.detail.eventName.includes(event))!;
    const [changesId, changes] = byName('PutKeyPolicy');
    expect(changes.Properties.EventPattern).toMatchObject({ source: ['aws.kms'], 'detail-type': ['AWS API Call via CloudTrail'], detail: { eventSource: ['kms.amazonaws.com'], eventName: [...WATCHED_KEY_EVENTS] } });
    expect(changes.Properties.EventPattern.detail.resources.ARN).toHaveLength(2);
    const [signId, sign] = byName('Sign');
    // Sign is a read-only CloudTrail event: a rule receives it only in this state.
    expect(sign.Properties.State).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
    expect(JSON.stringify(sign.Properties.EventPattern.detail.$or)).toContain(JSON.stringify({ 'anything-but': { 'Fn::GetAtt': [tokenRole, 'Arn'] } }));
    for (const [, rule] of rules) expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { Ref: expect.stringMatching(/AlarmTopic/) } })]);
    const ruleAlarms = Object.values(resourcesOf(as, 'AWS::CloudWatch::Alarm')).filter((a) => alarmMetric(a).name === 'TriggeredRules');
    expect(ruleAlarms.map((a) => alarmMetric(a).dimensions[0].Value)).toEqual(expect.arrayContaining([{ Ref: changesId }, { Ref: signId }]));
  });

  it('are handed to the functions as the active ARN and the published ones', () => {
    const tokenFn = productFunctions(as).find((f) => String(f.Properties.Description).startsWith('mcp-oauth: /token'))!;
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
    expect(tables).toHaveLength(6);
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

  it('index login sessions and consents by subject and consents by client, for the operator’s revocations, projecting only the keys', () => {
    as.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        { IndexName: 'bySubject', KeySchema: [{ AttributeName: 'subject', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
        { IndexName: 'byClient', KeySchema: [{ AttributeName: 'consentClientId', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
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

  it('grants each authorization server function exactly its ENDPOINT_GROUP_PERMISSIONS on each table, and never an index', () => {
    const tableIds = Object.fromEntries(Object.keys(resourcesOf(as, 'AWS::DynamoDB::Table')).map((id) => [id.replace(/^(?:AuthorizationServer)?Tables(\w+?)Table.*$/, '$1').toLowerCase(), id]));
    for (const [group, prefix] of [['browser', 'mcp-oauth: /authorize'], ['token', 'mcp-oauth: /token'], ['public', 'mcp-oauth: metadata']] as const) {
      const statements = statementsOfRole(as, roleOf(as, prefix));
      const onTables: Record<string, string[]> = {};
      for (const statement of statements) {
        for (const resource of [statement.Resource].flat()) {
          const text = JSON.stringify(resource);
          expect(text).not.toMatch(/\/index/);
          const table = Object.entries(tableIds).find(([, id]) => text.includes(`"${id}"`))?.[0];
          if (table) onTables[table] = [...(onTables[table] ?? []), ...[statement.Action].flat()];
        }
      }
      const expected = Object.fromEntries(Object.entries(ENDPOINT_GROUP_PERMISSIONS[group].tables).map(([t, actions]) => [t, actions!.map((a) => `dynamodb:${a}`)]));
      expect(onTables).toEqual(expected);
    }
  });

  it('gives every function a role of its own that writes only to its own log group, without AWSLambdaBasicExecutionRole', () => {
    for (const template of [as, demo]) {
      for (const fn of productFunctions(template).filter((f) => f.Properties.Role)) {
        const roleId = fn.Properties.Role['Fn::GetAtt'][0];
        const role = resourcesOf(template, 'AWS::IAM::Role')[roleId]!;
        expect(role.Properties.ManagedPolicyArns).toBeUndefined();
        const logs = statementsOfRole(template, roleId).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('logs:')));
        expect(logs).toEqual([{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': [fn.Properties.LoggingConfig.LogGroup.Ref, 'Arn'] } }]);
      }
    }
  });

  it('lets the authorizer read revocations with BatchGetItem only, and never KMS', () => {
    const statements = statementsOfRole(demo, roleOf(demo, 'mcp-oauth REQUEST authorizer'));
    const actions = actionsOf(statements).filter((a) => !a.startsWith('xray:') && !a.startsWith('logs:'));
    expect(actions).toEqual(['dynamodb:BatchGetItem']);
    expect(JSON.stringify(statements)).not.toMatch(/kms:/);
  });

  it('gives the metadata and JWKS function kms:GetPublicKey but not kms:Sign, nor DescribeKey, which no code calls', () => {
    const actions = actionsOf(statementsOfRole(as, roleOf(as, 'mcp-oauth: metadata')));
    expect(actions).toContain('kms:GetPublicKey');
    expect(actions).not.toContain('kms:Sign');
    expect(actions).not.toContain('kms:DescribeKey');
  });

  it('keeps the browser function away from refresh families and signing; on revocations it reads, and writes only for "not you?"', () => {
    const statements = statementsOfRole(as, roleOf(as, 'mcp-oauth: /authorize'));
    expect(JSON.stringify(statements)).not.toMatch(/TablesFamiliesTable/);
    const onRevocations = statements.filter((statement: any) => JSON.stringify(statement.Resource).includes('TablesRevocationsTable'));
    // PutItem: "not you?" writes the session's own revocation record (the sealed session cookie may come back).
    expect(actionsOf(onRevocations)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:PutItem']);
    expect(actionsOf(statements)).not.toContain('kms:Sign');
  });
});

describe('authorization server API', () => {
  it('bundles every function locally with esbuild for Node.js on arm64 with X-Ray, with the timeouts of FUNCTION_SETTINGS', () => {
    const fns = productFunctions(as);
    expect(fns).toHaveLength(3);
    const timeouts = Object.fromEntries(fns.map((f) => [f.Properties.Environment.Variables.MCP_OAUTH_ENDPOINT_GROUP, f.Properties.Timeout]));
    expect(timeouts).toEqual({ browser: FUNCTION_SETTINGS.browserEndpoints.timeoutSeconds, token: FUNCTION_SETTINGS.tokenEndpoints.timeoutSeconds, public: FUNCTION_SETTINGS.publicEndpoints.timeoutSeconds });
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

  it('deploys exactly the methods of AUTHORIZATION_SERVER_ROUTES, each to its group\'s function', () => {
    const resources = resourcesOf(as, 'AWS::ApiGateway::Resource');
    const pathOf = (id: string): string => {
      const r = resources[id];
      if (!r) return '';
      const parent = r.Properties.ParentId.Ref ? pathOf(r.Properties.ParentId.Ref) : '';
      return `${parent}/${r.Properties.PathPart}`;
    };
    const groupOfFunction = Object.fromEntries(productFunctionEntries(as).map(([id, f]) => [id, f.Properties.Environment.Variables.MCP_OAUTH_ENDPOINT_GROUP]));
    const deployed = Object.values(resourcesOf(as, 'AWS::ApiGateway::Method')).map((m) => {
      const fnId = JSON.stringify(m.Properties.Integration.Uri).match(/"(AuthorizationServer\w+EndpointsFunction\w+)"/)![1]!;
      return `${m.Properties.HttpMethod} ${pathOf(m.Properties.ResourceId.Ref)} ${groupOfFunction[fnId]}`;
    }).sort();
    expect(deployed).toEqual(AUTHORIZATION_SERVER_ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${r.path} ${r.group}`)).sort());
  });

  it('has a unique API name per stack, so its metrics are its own', () => {
    as.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'McpOAuth-prod-AuthorizationServer-AuthorizationServer' });
    demo.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'McpOAuth-prod-DemoMcpServer-ProtectedApi' });
  });

  it('rate-limits each OAuth endpoint and every path per viewer address (stamped by the edge), matching URL-decoded paths, and answers 429', () => {
    const acl = Object.values(resourcesOf(as, 'AWS::WAFv2::WebACL'));
    expect(acl).toHaveLength(1);
    const rules = acl[0]!.Properties.Rules.filter((r: any) => r.Statement.RateBasedStatement);
    expect(rules.map((r: any) => [r.Name, r.Statement.RateBasedStatement.ScopeDownStatement?.ByteMatchStatement.SearchString, r.Statement.RateBasedStatement.Limit, r.Statement.RateBasedStatement.EvaluationWindowSec]))
      .toEqual(authorizationServerRateRules(DEFAULT_RATE_LIMITS).map((r) => [r.name, r.pathSuffix, r.limit, r.windowSeconds]));
    expect(rules.map((r: any) => r.Statement.RateBasedStatement.ScopeDownStatement?.ByteMatchStatement.SearchString)).toEqual(['/authorize', '/token', '/register', '/revoke', '/introspect', undefined]);
    for (const rule of rules.filter((r: any) => r.Statement.RateBasedStatement.ScopeDownStatement)) {
      expect(rule.Statement.RateBasedStatement.ScopeDownStatement.ByteMatchStatement.TextTransformations).toEqual([{ Priority: 0, Type: 'URL_DECODE' }]);
    }
    for (const rule of rules) {
      expect(rule.Statement.RateBasedStatement.AggregateKeyType).toBe('CUSTOM_KEYS');
      expect(rule.Action).toEqual({ Block: { CustomResponse: { ResponseCode: 429 } } });
      expect(rule.Statement.RateBasedStatement.CustomKeys).toEqual([{ Header: { Name: VIEWER_IP_HEADER, TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }]);
      expect(rule.Statement.RateBasedStatement.ForwardedIPConfig).toBeUndefined();
    }
    as.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  it('blocks first every request that lacks the edge\'s origin secret or its viewer stamp, then rate-limits, then known bad inputs', () => {
    const acl = Object.values(resourcesOf(as, 'AWS::WAFv2::WebACL'))[0]!;
    expect(acl.Properties.Rules.map((r: any) => [r.Priority, r.Name]))
      .toEqual([[0, 'OnlyThroughEdge'], [1, 'ViewerIpStamped'], [2, 'AuthorizeRateLimit'], [3, 'TokenRateLimit'], [4, 'RegisterRateLimit'], [5, 'RevokeRateLimit'], [6, 'IntrospectRateLimit'], [7, 'AllPathsRateLimit'], [8, 'KnownBadInputs']]);
    expectEdgeGateRules(as, acl);
  });

  it('logs every request to an aws-waf-logs- group with Authorization, Cookie and the origin secret redacted', () => {
    expectWafLogging(as, true);
    expectWafLogging(demo, true);
  });

  it('leaves the account\'s API Gateway CloudWatch role to a stack of its own, retained, and configures none itself', () => {
    for (const template of [as, demo]) {
      template.resourceCountIs('AWS::ApiGateway::Account', 0);
      expect(JSON.stringify(template.toJSON())).not.toContain('AmazonAPIGatewayPushToCloudWatchLogs');
    }
    account.resourceCountIs('AWS::ApiGateway::Account', 1);
    for (const type of ['AWS::ApiGateway::Account', 'AWS::IAM::Role']) {
      for (const resource of Object.values(resourcesOf(account, type))) expect([resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual(['Retain', 'Retain']);
    }
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
  it('runs the same viewer stamp as the protected API\'s (a CloudFront Function) and restores challenges with a Lambda@Edge origin-response function', () => {
    for (const template of [as, demo]) {
      const fns = Object.values(resourcesOf(template, 'AWS::CloudFront::Function'));
      expect(fns.map((f) => f.Properties.FunctionConfig.Runtime)).toEqual(['cloudfront-js-2.0']);
      expect(fns.map((f) => f.Properties.FunctionCode)).toEqual([readFileSync(EDGE_FUNCTIONS.stampViewerIp, 'utf8')]);
      expectOriginResponseRestore(template);
      expectHsts(template);
    }
  });

  it('stamps at viewer-request and restores at origin-response in front of the AS stage, caches nothing, allows every method and forwards every viewer header but Host', () => {
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
    expect(outputs.EdgeDomainName.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^AuthorizationServer\w*EdgeDistribution/), 'DomainName'] });
  });

  it('outputs what the operator CLI reads with --stack: the tables, the signing key aliases and the token and guard settings', () => {
    const outputs = as.toJSON().Outputs;
    for (const name of ['ClientsTableName', 'CodesTableName', 'FamiliesTableName', 'RevocationsTableName', 'SessionsTableName', 'AssertionsTableName']) expect(outputs[name].Value).toEqual({ Ref: expect.any(String) });
    expect(outputs.SigningKeyAliases.Value).toMatch(/^alias\/mcp-oauth\/[^/]+\/[A-Za-z0-9-]+(,alias\/mcp-oauth\/[^/]+\/[A-Za-z0-9-]+)*$/);
    expect(outputs.SigningKeyAliases.Value.split(',')).toContain(outputs.ActiveSigningKeyAlias.Value);
    const settings = JSON.parse(outputs.OperatorSettings.Value);
    expect(settings.guard).toMatchObject({ authorizerCacheTtlSeconds: expect.any(Number), revocationCacheTtlSeconds: expect.any(Number), clockSkewSeconds: expect.any(Number) });
    expect(settings.tokens.refreshTokenAbsoluteSeconds).toEqual(expect.any(Number));
  });
});

describe('upstream login', () => {
  it('is a Cognito user pool with MFA, a group per configured group, managed login and a PKCE client', () => {
    as.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'ON', AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    const groups = Object.values(resourcesOf(as, 'AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName).sort();
    expect(groups).toEqual(['mcp-admins', 'mcp-readers', 'mcp-users']);
    as.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://auth.example.com/callback'],
      // No password flow of any kind: sign-in is managed login and the code flow only.
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    });
  });

  it('lets only the token function list a user\'s groups (AdminListGroupsForUser), on this user pool only: groups at refresh', () => {
    const poolId = Object.keys(resourcesOf(as, 'AWS::Cognito::UserPool'))[0]!;
    for (const [prefix, expected] of [['mcp-oauth: /token', [{ Effect: 'Allow', Action: 'cognito-idp:AdminListGroupsForUser', Resource: { 'Fn::GetAtt': [poolId, 'Arn'] } }]], ['mcp-oauth: /authorize', []], ['mcp-oauth: metadata', []]] as const) {
      expect(statementsOfRole(as, roleOf(as, prefix)).filter((s) => JSON.stringify(s.Action).includes('cognito-idp:'))).toEqual(expected);
    }
  });

  it('has a managed login domain prefix unique per stack: the stage and 8 characters of the stack id CloudFormation assigns', () => {
    const domain = Object.values(resourcesOf(as, 'AWS::Cognito::UserPoolDomain'))[0]!;
    expect(domain.Properties.ManagedLoginVersion).toBe(2);
    expect(domain.Properties.Domain).toEqual({
      'Fn::Join': ['', ['mcp-oauth-prod-', { 'Fn::Select': [0, { 'Fn::Split': ['-', { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] }] }] }]],
    });
  });
});

describe('protected API (McpProtectedApi)', () => {
  it('uses a REQUEST authorizer keyed on the Authorization header and the matched route, with the configured cache TTL', () => {
    demo.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization,context.resourcePath,context.httpMethod',
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
    const authorizerFn = productFunctions(demo).find((f) => String(f.Properties.Description).startsWith('mcp-oauth REQUEST authorizer'))!;
    expect(authorizerFn.Properties.Timeout).toBe(FUNCTION_SETTINGS.authorizer.timeoutSeconds);
    const paths = Object.values(resourcesOf(demo, 'AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart);
    expect(paths).toEqual(expect.arrayContaining(['.well-known', 'oauth-protected-resource', 'mcp']));
  });

  it('tells the authorizer which resource it guards and where revocations are', () => {
    const authorizerFn = productFunctions(demo).find((f) => String(f.Properties.Description).startsWith('mcp-oauth REQUEST authorizer'))!;
    expect(authorizerFn.Properties.Environment.Variables).toMatchObject({ MCP_RESOURCE_URI: 'https://mcp.example.com/mcp', REVOCATIONS_TABLE_NAME: expect.anything() });
  });
});

describe('monitoring', () => {
  it('alarms on 5xx rate, refresh reuse, KMS throttling, key events and each function\'s Errors and Throttles, into an encrypted topic with every configured email', () => {
    const alarms = Object.values(resourcesOf(as, 'AWS::CloudWatch::Alarm'));
    const lambdaAlarms = alarms.filter((a) => alarmMetric(a).namespace === 'AWS/Lambda');
    expect(lambdaAlarms.map((a) => alarmMetric(a).name).sort()).toEqual(['Errors', 'Errors', 'Errors', 'Throttles', 'Throttles', 'Throttles']);
    const watched = new Set(lambdaAlarms.map((a) => alarmMetric(a).dimensions[0].Value.Ref));
    expect(watched).toEqual(new Set(productFunctionEntries(as).map(([id]) => id)));
    expect(alarms.filter((a) => alarmMetric(a).namespace !== 'AWS/Lambda' && alarmMetric(a).name !== 'TriggeredRules').map((a) => alarmMetric(a).name).sort())
      .toEqual(['5XXError', DEPENDENCY_UNAVAILABLE_METRIC, AUDIT_METRICS.refresh_reuse_detected].sort());
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
    as.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    expect(Object.values(resourcesOf(as, 'AWS::SNS::Subscription')).map((s) => [s.Properties.Protocol, s.Properties.Endpoint])).toEqual([['email', 'oncall@example.com'], ['email', 'security@example.com']]);
  });

  it('alarms next to the protected API on authorizer errors, its 5xx rate, and each function\'s Errors and Throttles (init failures, timeouts, throttling)', () => {
    const alarms = Object.values(resourcesOf(demo, 'AWS::CloudWatch::Alarm'));
    const metrics = alarms.map(alarmMetric);
    expect(metrics.filter((m) => m.namespace === METRICS_NAMESPACE)).toEqual([{ namespace: METRICS_NAMESPACE, name: AUTHORIZER_METRICS.errors, dimensions: [{ Name: 'Resource', Value: 'https://mcp.example.com/mcp' }, { Name: 'service', Value: SERVICE_NAMES.authorizer }] }]);
    expect(metrics.filter((m) => m.namespace === 'AWS/ApiGateway').map((m) => m.name)).toEqual(['5XXError']);
    const lambdaAlarms = metrics.filter((m) => m.namespace === 'AWS/Lambda');
    expect(lambdaAlarms).toHaveLength(6);
    expect(new Set(lambdaAlarms.map((m) => m.dimensions[0].Value.Ref))).toEqual(new Set(productFunctionEntries(demo).map(([id]) => id)));
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
  });

  it('draws tokens issued, denials, reuse, registrations, latency, KMS and DynamoDB throttles', () => {
    const body = JSON.stringify(Object.values(resourcesOf(as, 'AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    for (const metric of ['TokensIssued', 'RefreshReuseDetected', 'ClientsRegistered', 'RequestsRejected', '5XXError', '4XXError', 'Latency', 'p99', 'DependencyUnavailable', 'ReadThrottleEvents', 'WriteThrottleEvents']) {
      expect(body).toContain(metric);
    }
    // Tokens are counted per grant type (authorization_code, refresh_token, client_credentials, jwt-bearer, token-exchange).
    expect(body).toContain('SEARCH(\'{McpOAuth,service,GrantType}');
    const guardBody = JSON.stringify(Object.values(resourcesOf(demo, 'AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    expect(guardBody).toContain('AuthorizerDenied');
    expect(guardBody).toContain('p99');
  });
});

describe('the edge in front of the protected API', () => {
  it('stamps at viewer-request and restores at origin-response on the default behavior, caches nothing, allows every method and forwards every viewer header but Host', () => {
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
    expect(acl.Properties.Rules.map((r: any) => r.Name)).toEqual(['OnlyThroughEdge', 'ViewerIpStamped', 'McpRateLimit', 'AllPathsRateLimit', 'KnownBadInputs']);
    expectEdgeGateRules(demo, acl);
    const rate = acl.Properties.Rules.find((r: any) => r.Statement.RateBasedStatement).Statement.RateBasedStatement;
    expect(rate).toMatchObject({ AggregateKeyType: 'CUSTOM_KEYS', CustomKeys: [{ Header: { Name: VIEWER_IP_HEADER, TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }] });
  });
});

describe('configuration in the bundle', () => {
  const functions = () => [...productFunctions(as), ...productFunctions(demo)];

  it('gives every function MCP_OAUTH_CONFIG_FILE and no giant variable', () => {
    expect(functions()).toHaveLength(6);
    for (const fn of functions()) expect(fn.Properties.Runtime).toBe('nodejs24.x');
    for (const fn of functions()) {
      const variables = fn.Properties.Environment.Variables;
      expect(variables.MCP_OAUTH_CONFIG_FILE).toBe('mcp-oauth.config.json');
      expect(variables.MCP_OAUTH_CONFIG).toBeUndefined();
      for (const value of Object.values(variables)) expect(JSON.stringify(value).length).toBeLessThan(1024);
    }
  });

  it('puts the configuration validated at synth, without its local section, next to the handler in each bundle: the form the authorizer reads without validating it', () => {
    expect(functions().filter((fn) => String(fn.Properties.Description).startsWith('mcp-oauth REQUEST authorizer'))).toHaveLength(1);
    for (const fn of functions()) {
      const assetDir = join(assemblyDir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      expect(readdirSync(assetDir)).toEqual(expect.arrayContaining(['index.js', 'mcp-oauth.config.json']));
      const file = JSON.parse(readFileSync(join(assetDir, 'mcp-oauth.config.json'), 'utf8'));
      const bundled = readSynthValidatedConfig(file);
      expect(bundled.issuer).toBe('https://auth.example.com');
      expect((bundled as { local?: unknown }).local).toBeUndefined();
      expect(bundled).toEqual(parseConfig(file.config));
      expect(bundled.resources.map((r) => r.uri)).toContain('https://mcp.example.com/mcp');
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
    // (An init failure or timeout is caught by Lambda's own Errors metric; see the monitoring tests above.)
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
      const serviceNamesOfFunctions = productFunctions(template).map((f) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME);
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
