/**
 * McpProtectedApi for each kind of backend, from the configuration entry alone (docs/guard.md,
 * "Protect your MCP server"): the demo server (mcp-oauth-app.test.ts), an MCP server over
 * HTTP behind the MCP step, and your own Lambda. And the CDK side of case 63: the REST
 * resources the construct creates for any accepted route table are exactly the ones local
 * mode's emulator routes by (lib/definitions/rest-routes.ts).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import fc from 'fast-check';
import { AUTHORIZER_IDENTITY_SOURCES } from '../../lambda/adapters/apigw/authorizer-policy';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import { AUTHORIZER_METRICS, METRICS_NAMESPACE, SERVICE_NAMES } from '../../lambda/adapters/observability/metric-names';
import { writeBundledConfig } from '../../lib/constructs/bundled-config';
import { McpProtectedApi } from '../../lib/constructs/mcp-protected-api';
import { protectedApiRoutes } from '../../lib/definitions/rest-routes';
import { ACCOUNT, REGION, cdkJsonDeploy, deploymentFor, exampleProductConfig, synthesizeApp } from './synthesize-app';

const HTTP_URI = 'https://files.example.com/mcp';
const LAMBDA_URI = 'https://tickets.example.com/mcp';
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:files-mcp-guard-AbCdEf`;
const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:tickets-mcp`;

function productWithBackends(): any {
  const product = exampleProductConfig();
  const demo = product.resources[0];
  product.resources.push(
    { ...demo, uri: HTTP_URI, name: 'File server', backend: { httpUrl: 'https://mcp.internal.example/files/mcp', sharedSecret: { secretArn: SECRET_ARN } } },
    { ...demo, uri: LAMBDA_URI, name: 'Ticket server', backend: { lambdaFunctionArn: FUNCTION_ARN } },
  );
  return product;
}

let http: Template;
let own: Template;
let nagViolations: unknown[];

beforeAll(() => {
  const built = synthesizeApp(deploymentFor({ stage: 'dev', deploy: cdkJsonDeploy(), product: productWithBackends() }), { bundle: false });
  expect(built.mcpServers.map((s) => s.protectedApi.resource.uri)).toEqual([HTTP_URI, LAMBDA_URI]);
  http = Template.fromStack(built.mcpServers[0]!);
  own = Template.fromStack(built.mcpServers[1]!);
  nagViolations = new AwsSolutionsChecks(built.app).validateScope(built.app).violations.map((v: any) => `${v.ruleName} ${v.violatingResources.map((r: any) => r.constructPath).join(', ')}`);
}, 240_000);

const functions = (template: Template) => Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: any }[];
const fn = (template: Template, prefix: string) => functions(template).find((f) => String(f.Properties.Description).startsWith(prefix));

describe('every backend', () => {
  it.each([['http', () => http], ['lambda', () => own]])('%s: the authorizer caches under the token and the route API Gateway matched', (_kind, template) => {
    template().hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST', IdentitySource: AUTHORIZER_IDENTITY_SOURCES.join(','), AuthorizerResultTtlInSeconds: 30 });
  });

  it.each([['http', () => http, HTTP_URI], ['lambda', () => own, LAMBDA_URI]])('%s: its alarm and saved queries are this MCP server\'s own', (_kind, template, uri) => {
    const alarms = Object.values(template().findResources('AWS::CloudWatch::Alarm')) as { Properties: any }[];
    const authorizerErrors = alarms.find((a) => JSON.stringify(a.Properties).includes(AUTHORIZER_METRICS.errors))!;
    expect(JSON.stringify(authorizerErrors.Properties)).toContain(JSON.stringify({ Name: 'Resource', Value: uri }));
    expect(JSON.stringify(authorizerErrors.Properties)).toContain(METRICS_NAMESPACE);
    const queries = Object.values(template().findResources('AWS::Logs::QueryDefinition')) as { Properties: any }[];
    expect(queries.map((q) => String(q.Properties.Name).split('/').at(-1))).toEqual(['who called which tool', 'denials by client', 'step-ups']);
    for (const query of queries) expect(query.Properties.QueryString).toContain('audit = "mcp_');
  });
});

describe('an MCP server over HTTP (backend.httpUrl)', () => {
  it('is served by the MCP step as a streaming Lambda proxy integration', () => {
    const step = fn(http, 'mcp-oauth MCP step')!;
    expect(step.Properties.Environment.Variables).toMatchObject({ MCP_RESOURCE_URI: HTTP_URI, POWERTOOLS_SERVICE_NAME: SERVICE_NAMES.mcpStep });
    const methods = Object.values(http.findResources('AWS::ApiGateway::Method')) as { Properties: any }[];
    const guarded = methods.filter((m) => m.Properties.AuthorizationType === 'CUSTOM');
    expect(guarded.length).toBeGreaterThan(0);
    for (const method of guarded) {
      expect(method.Properties.Integration).toMatchObject({ Type: 'AWS_PROXY', ResponseTransferMode: 'STREAM' });
      expect(JSON.stringify(method.Properties.Integration.Uri)).toContain('response-streaming-invocations');
    }
  });

  it('may read exactly its shared secret, and nothing else of AWS', () => {
    const statements = (Object.values(http.findResources('AWS::IAM::Policy')) as { Properties: any }[]).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const reads = statements.filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'));
    expect(reads).toEqual([expect.objectContaining({ Effect: 'Allow', Resource: SECRET_ARN })]);
  });
});

describe('your Lambda (backend.lambdaFunctionArn)', () => {
  it('is the proxy integration of the MCP routes, and API Gateway may invoke it', () => {
    expect(fn(own, 'mcp-oauth MCP step')).toBeUndefined();
    const guarded = (Object.values(own.findResources('AWS::ApiGateway::Method')) as { Properties: any }[]).filter((m) => m.Properties.AuthorizationType === 'CUSTOM');
    for (const method of guarded) expect(JSON.stringify(method.Properties.Integration.Uri)).toContain(FUNCTION_ARN);
    own.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: FUNCTION_ARN, Principal: 'apigateway.amazonaws.com' });
  });
});

describe('cdk-nag AwsSolutions, with both backends', () => {
  it('has no unacknowledged findings', () => {
    expect(nagViolations).toEqual([]);
  });
});

describe('63. route precedence: the REST resources', () => {
  const segment = fc.constantFrom('a', 'admin', '{p}');
  const path = fc.oneof(
    fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/mcp/${parts.join('/')}`),
    fc.array(segment, { maxLength: 2 }).map((parts) => `/mcp/${[...parts, '{rest+}'].join('/')}`),
  );
  const table = fc.uniqueArray(path, { minLength: 1, maxLength: 5 }).map((paths) => paths.map((p) => ({ method: 'ANY', path: p, scopes: ['tool:read'] })));

  it('property: for every route table the validator accepts, the construct creates exactly the resources and methods the emulator routes by', () => {
    let synthesized = 0;
    fc.assert(
      fc.property(table, (routes) => {
        const product = { ...exampleProductConfig(), upstream: { issuer: 'https://idp.example.com', clientId: 'guard' } };
        product.resources[0].routes = routes;
        let config;
        try {
          config = parseConfig(product);
        } catch {
          return; // refused tables are case 63's validator test (test/security/guard-routes.test.ts)
        }
        synthesized++;
        const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
        const stack = new Stack(app, 'Routes', { env: { account: ACCOUNT, region: REGION } });
        const api = new McpProtectedApi(stack, 'Api', {
          resource: config.resources[0]!,
          bundledConfigFile: writeBundledConfig(config),
          authorizerCacheTtlSeconds: 30,
          revocationsTable: new dynamodb.Table(stack, 'Revocations', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }),
          backend: { function: new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=1') }) },
          edge: false,
        });
        const template = Template.fromStack(stack);
        const resources = template.findResources('AWS::ApiGateway::Resource') as Record<string, { Properties: any }>;
        const fullPath = (ref: any): string => {
          if (ref['Fn::GetAtt']) return '';
          const node = resources[ref.Ref]!;
          return `${fullPath(node.Properties.ParentId)}/${node.Properties.PathPart}`;
        };
        const deployed = (Object.values(template.findResources('AWS::ApiGateway::Method')) as { Properties: any }[])
          .map((m) => `${m.Properties.HttpMethod} ${fullPath(m.Properties.ResourceId) || '/'} ${m.Properties.AuthorizationType === 'CUSTOM' ? 'guarded' : 'open'}`).sort();
        const emulated = protectedApiRoutes(config.resources[0]!).map((r) => `${r.method} ${r.path} ${r.guarded ? 'guarded' : 'open'}`).sort();
        expect(deployed).toEqual(emulated);
        expect(api.resource.routes).toEqual(routes.map((r) => ({ ...r, method: 'ANY' })));
      }),
      { seed: 6363, numRuns: 12 },
    );
    expect(synthesized).toBeGreaterThan(3);
  });
});

describe('deployment settings for a backend', () => {
  it('refuses an http backend and a shared secret value in a deployed configuration, naming the options', () => {
    const product = productWithBackends();
    product.resources[1].backend = { httpUrl: 'http://127.0.0.1:9000/mcp', sharedSecret: { value: 'inline' } };
    expect(() => deploymentFor({ stage: 'dev', deploy: cdkJsonDeploy(), product })).toThrow(
      expect.objectContaining({ problems: expect.arrayContaining([
        'productConfig.resources[1].backend.httpUrl: must be https in AWS (http is for a loopback server in local mode)',
        expect.stringMatching(/^productConfig\.resources\[1\]\.backend\.sharedSecret\.value: must not be in a deployed configuration/),
      ]) }),
    );
  });
});
