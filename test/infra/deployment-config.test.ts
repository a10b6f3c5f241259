import { Template } from 'aws-cdk-lib/assertions';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfig } from '../../lambda/adapters/config/env';
import { deploymentFromContext } from '../../lib/app-inputs';
import { DeploymentConfigError, parseDeploymentConfig } from '../../lib/config';
import { BUNDLED_CONFIG_FILE_NAME, writeBundledConfig } from '../../lib/constructs/bundled-config';
import { ACCOUNT, REGION, cdkJsonDeploy, deploymentFor, exampleDeploy, exampleProductConfig, synthesizeApp } from './synthesize-app';

const productFunctions = (template: Template) => Object.values(template.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME);
const EXTERNAL_UPSTREAM = { issuer: 'https://login.example.org', clientId: 'mcp-oauth', clientSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:mcp-oauth-idp-AbCdEf', groupsClaim: 'groups' };

function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentConfigError);
    return (error as DeploymentConfigError).problems;
  }
  throw new Error('expected a DeploymentConfigError');
}

describe('deployment configuration', () => {
  it('defaults to Cognito, one signing key, a stack-derived Cognito domain, the API Gateway role stack, and retention only for prod', () => {
    const dev = deploymentFor({ stage: 'dev', deploy: cdkJsonDeploy() });
    expect(dev).toMatchObject({ upstreamLogin: 'cognito', retainData: false, signingKeys: { keys: ['primary'], active: 'primary', retired: [] }, apiGatewayCloudWatchRole: 'stack', alarmEmails: [], logRetentionDays: 30 });
    expect(dev.cognitoDomainPrefix).toBeUndefined();
    expect(dev.originVerify).toEqual({ generation: 1, acceptPrevious: false });
    expect(deploymentFor({ stage: 'prod', deploy: cdkJsonDeploy() })).toMatchObject({ retainData: true, logRetentionDays: 365 });
  });

  it('names every problem by its dotted path at once, unknown options with the known ones at their level', () => {
    const problems = problemsOf(() => deploymentFor({
      stage: 'Prod!',
      deploy: { signingKeys: { keys: ['a', 'a'], active: 'b', retired: ['c'] }, rateLimits: { token: 5, tokenPer5Minutes: 5 }, logRetentionDays: 2, alarmEmails: ['not-an-address'], bogus: 1 },
    }));
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^stage: /),
      'deploy.signingKeys.keys: must not repeat a name',
      'deploy.signingKeys.active: must be one of deploy.signingKeys.keys',
      'deploy.signingKeys.retired[0]: must be one of deploy.signingKeys.keys',
      'deploy.rateLimits.token: must be at least 10 (the WAF minimum)',
      expect.stringMatching(/^deploy\.rateLimits\.tokenPer5Minutes: is not a known option \(known: windowSeconds, authorize, token, /),
      expect.stringMatching(/^deploy\.logRetentionDays: must be one of/),
      'deploy.alarmEmails[0]: must be an email address',
      expect.stringMatching(/^deploy\.bogus: is not a known option \(known: retainData, /),
    ]));
  });

  it('refuses an edge without a custom domain unless the default certificate\'s TLS posture is accepted, and needs the region while an edge is on', () => {
    const problems = problemsOf(() => deploymentFor({ deploy: {} }));
    expect(problems).toEqual([expect.stringMatching(/^deploy\.customDomain: is required while deploy\.edge is on, unless deploy\.acceptCloudFrontDefaultCertificate/), expect.stringMatching(/^deploy\.demo\.customDomain: is required/)]);
    expect(deploymentFor({ deploy: { acceptCloudFrontDefaultCertificate: true } }).edge).toBe(true);
    expect(deploymentFor({ deploy: { edge: false, demo: { edge: false } } }).edge).toBe(false);
    expect(problemsOf(() => parseDeploymentConfig({ stage: 'dev', productConfig: exampleProductConfig(), deploy: cdkJsonDeploy() }))).toEqual([expect.stringMatching(/^region: is required while an edge is on/)]);
    expect(parseDeploymentConfig({ stage: 'dev', productConfig: exampleProductConfig(), deploy: { edge: false, demo: { edge: false } } }).region).toBeUndefined();
  });

  it('refuses an inline upstream client secret whatever the upstream login', () => {
    const cognito = { ...exampleProductConfig(), upstream: { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc', clientId: 'x', clientSecret: 'inline' } };
    const external = { ...exampleProductConfig(), upstream: { ...EXTERNAL_UPSTREAM, clientSecret: 'inline' } };
    for (const [product, upstreamLogin] of [[cognito, 'cognito'], [external, 'external'], [external, undefined]] as const) {
      expect(problemsOf(() => deploymentFor({ product, deploy: { ...cdkJsonDeploy(), upstreamLogin } }))).toContainEqual(expect.stringMatching(/^productConfig\.upstream\.clientSecret: must not be in a deployed configuration/));
    }
  });

  it('takes the client secret\'s own KMS key only for an external IdP', () => {
    const upstreamClientSecretKmsKeyArn = 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555';
    expect(problemsOf(() => deploymentFor({ deploy: { ...cdkJsonDeploy(), upstreamClientSecretKmsKeyArn } }))).toEqual([expect.stringMatching(/^deploy\.upstreamClientSecretKmsKeyArn: applies only to an external IdP/)]);
    const product = { ...exampleProductConfig(), upstream: EXTERNAL_UPSTREAM };
    expect(deploymentFor({ product, deploy: { ...cdkJsonDeploy(), upstreamClientSecretKmsKeyArn } }).upstreamClientSecretKmsKeyArn).toBe(upstreamClientSecretKmsKeyArn);
  });

  it('accepts the previous origin secret during a rotation until told otherwise', () => {
    expect(deploymentFor({ deploy: { ...cdkJsonDeploy(), originVerify: { generation: 2 } } }).originVerify).toEqual({ generation: 2, acceptPrevious: true });
    expect(deploymentFor({ deploy: { ...cdkJsonDeploy(), originVerify: { generation: 2, acceptPrevious: false } } }).originVerify).toEqual({ generation: 2, acceptPrevious: false });
    expect(problemsOf(() => deploymentFor({ deploy: { ...cdkJsonDeploy(), originVerify: { generation: 0 } } }))).toEqual(['deploy.originVerify.generation: must be at least 1']);
  });

  it('reports problems of the product configuration under productConfig', () => {
    const product = { ...exampleProductConfig(), issuer: 'https://auth.example.com/' };
    expect(problemsOf(() => deploymentFor({ product, deploy: cdkJsonDeploy() }))).toEqual([expect.stringMatching(/^productConfig\.issuer: must not end with \//)]);
  });

  it('uses an external IdP when the configuration names its client secret in Secrets Manager', () => {
    const product = { ...exampleProductConfig(), upstream: EXTERNAL_UPSTREAM };
    expect(deploymentFor({ product, deploy: cdkJsonDeploy() }).upstreamLogin).toBe('external');
  });

  it('refuses an external IdP without a configured upstream', () => {
    expect(problemsOf(() => parseDeploymentConfig({ stage: 'dev', region: 'eu-west-1', productConfig: exampleProductConfig(), deploy: { ...cdkJsonDeploy(), upstreamLogin: 'external' } })))
      .toContain('productConfig.upstream: is required for an external IdP');
  });
});

describe('a dev stack with an external IdP', () => {
  let as: Template;
  beforeAll(() => {
    const product = {
      ...exampleProductConfig(),
      upstream: { issuer: 'https://login.example.org', clientId: 'mcp-oauth', clientSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:mcp-oauth-idp-AbCdEf', groupsClaim: 'groups' },
    };
    const deploy = { ...exampleDeploy(), demo: { enabled: false } };
    const built = synthesizeApp(deploymentFor({ stage: 'dev', product, deploy }), { bundle: false });
    expect(built.demoMcpServer).toBeUndefined();
    as = Template.fromStack(built.authorizationServer);
  }, 120_000);

  it('destroys tables and keys with the stack and leaves deletion protection off', () => {
    const tables = Object.values(as.findResources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(6);
    for (const table of tables) {
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    }
    for (const key of Object.values(as.findResources('AWS::KMS::Key')).filter((k) => k.Properties.KeySpec === 'RSA_2048')) expect(key.DeletionPolicy).toBe('Delete');
  });

  it('creates no user pool and lets only the browser function read the IdP client secret', () => {
    as.resourceCountIs('AWS::Cognito::UserPool', 0);
    const readers = Object.values(as.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'))
      .flatMap((p) => p.Properties.Roles.map((r: any) => r.Ref));
    expect(readers).toHaveLength(1);
    expect(readers[0]).toMatch(/BrowserEndpoints/);
  });

  it('hands the external upstream to the functions as configured, and the rest of the configuration as a bundled file', () => {
    const fn = productFunctions(as)[0]!;
    const variables = fn.Properties.Environment.Variables;
    const upstream = JSON.parse(variables.MCP_OAUTH_UPSTREAM);
    expect(upstream).toMatchObject({ issuer: 'https://login.example.org', clientId: 'mcp-oauth', groupsClaim: 'groups', clientSecretArn: expect.stringMatching(/^arn:aws:secretsmanager:/) });
    expect(upstream.clientSecret).toBeUndefined();
    expect(variables.MCP_OAUTH_CONFIG_FILE).toBe('mcp-oauth.config.json');
    expect(variables.MCP_OAUTH_CONFIG).toBeUndefined();
  });

  it('synthesizes a configuration far larger than the 4 KB Lambda environment', () => {
    const product = exampleProductConfig();
    const resource = product.resources[0];
    product.resources = [resource, ...Array.from({ length: 12 }, (_, i) => ({ ...resource, name: `server-${i}`, uri: `https://mcp.example.com/server-${i}/mcp`, routes: resource.routes.map((r: any) => ({ ...r, path: `/server-${i}/mcp` })) }))];
    expect(JSON.stringify(product).length).toBeGreaterThan(8000);
    const built = synthesizeApp(deploymentFor({ stage: 'dev', product, deploy: { ...exampleDeploy(), demo: { enabled: false } } }), { bundle: false });
    const fns = productFunctions(Template.fromStack(built.authorizationServer));
    expect(fns).toHaveLength(3);
    for (const fn of fns) expect(JSON.stringify(fn.Properties.Environment.Variables).length).toBeLessThan(2048);
  });
});

describe('a product configuration whose branding names a logo file', () => {
  const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>';
  let projectRoot: string;
  const context = (configFile: string) => (key: string) => ({ stage: 'prod', account: ACCOUNT, region: REGION, configFile, deploy: exampleDeploy() } as Record<string, unknown>)[key];
  beforeAll(() => {
    projectRoot = mkdtempSync(join(tmpdir(), 'branding-deploy-'));
    mkdirSync(join(projectRoot, 'config/brand'), { recursive: true });
    writeFileSync(join(projectRoot, 'config/brand/logo.svg'), LOGO);
    writeFileSync(join(projectRoot, 'config/branded.json'), JSON.stringify({ ...exampleProductConfig(), branding: { productName: 'Acme MCP', logoSvgFile: 'brand/logo.svg' } }));
    writeFileSync(join(projectRoot, 'config/no-logo.json'), JSON.stringify({ ...exampleProductConfig(), branding: { logoSvgFile: 'brand/missing.svg' } }));
  });
  afterAll(() => rmSync(projectRoot, { recursive: true, force: true }));

  it('reads the file from the configuration\'s folder, and the bundled configuration the functions read holds the markup', () => {
    const deployment = deploymentFromContext(context('config/branded.json'), projectRoot);
    expect(deployment.product.branding).toEqual({ productName: 'Acme MCP', logoSvg: LOGO });
    const built = synthesizeApp(deployment, { bundle: false });
    const fns = productFunctions(Template.fromStack(built.authorizationServer));
    expect(fns.length).toBeGreaterThan(0);
    for (const fn of fns) expect(fn.Properties.Environment.Variables.MCP_OAUTH_CONFIG_FILE).toBe(BUNDLED_CONFIG_FILE_NAME);
    const bundled = writeBundledConfig(deployment.product);
    expect(JSON.parse(readFileSync(bundled, 'utf8')).config.branding.logoSvg).toBe(LOGO);
    expect(readConfig({ MCP_OAUTH_CONFIG_FILE: bundled }).branding).toEqual({ productName: 'Acme MCP', logoSvg: LOGO });
  });

  it('fails synth naming the option when the file cannot be read', () => {
    expect(problemsOf(() => deploymentFromContext(context('config/no-logo.json'), projectRoot))).toEqual([expect.stringMatching(/^configFile: branding\.logoSvgFile: cannot read .*missing\.svg/)]);
  });
});

describe('the authorization server without the edge', () => {
  it('has no distribution; its custom domain is a regional API Gateway domain, the only way in, and WAF counts connection IPs', () => {
    const deploy = { ...exampleDeploy(), edge: false, customDomain: { ...exampleDeploy().customDomain, certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc' }, demo: { enabled: false } };
    const built = synthesizeApp(deploymentFor({ stage: 'dev', deploy }), { bundle: false });
    const as = Template.fromStack(built.authorizationServer);
    as.resourceCountIs('AWS::CloudFront::Distribution', 0);
    as.resourceCountIs('AWS::CloudFront::Function', 0);
    as.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: 'auth.example.com', SecurityPolicy: 'TLS_1_2' });
    as.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    const allRules = Object.values(as.findResources('AWS::WAFv2::WebACL'))[0]!.Properties.Rules;
    // No edge, no origin secret to demand and no stamp to count by: the connection is the client.
    expect(allRules.map((r: any) => r.Name)).toEqual(['AuthorizeRateLimit', 'TokenRateLimit', 'RegisterRateLimit', 'RevokeRateLimit', 'IntrospectRateLimit', 'AllPathsRateLimit', 'KnownBadInputs']);
    const rules = allRules.filter((r: any) => r.Statement.RateBasedStatement);
    expect(rules.map((r: any) => r.Statement.RateBasedStatement.AggregateKeyType)).toEqual(['IP', 'IP', 'IP', 'IP', 'IP', 'IP']);
    // No edge, no Lambda@Edge, hence no us-east-1 stack and no region requirement of its own.
    as.resourceCountIs('AWS::CloudFront::ResponseHeadersPolicy', 0);
    for (const rule of rules) expect(rule.Statement.RateBasedStatement.CustomKeys).toBeUndefined();
    expect(JSON.stringify(as.toJSON())).not.toContain('x-origin-verify');
    expect(built.authorizationServer.authorizationServer.url).toBe('https://auth.example.com');
  });

  it('is on by default, and refuses a custom domain whose certificate is not in us-east-1 while it is', () => {
    expect(deploymentFor({ deploy: cdkJsonDeploy() }).edge).toBe(true);
    const customDomain = { domainName: 'auth.example.com', certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc' };
    expect(problemsOf(() => deploymentFor({ deploy: { ...exampleDeploy(), customDomain } }))).toEqual([expect.stringMatching(/^deploy\.customDomain\.certificateArn: must be in us-east-1/)]);
    expect(deploymentFor({ deploy: { ...exampleDeploy(), customDomain, edge: false } }).customDomain).toEqual(customDomain);
    expect(problemsOf(() => deploymentFor({ deploy: { ...exampleDeploy(), edge: 'yes' } }))).toEqual(['deploy.edge: must be true or false']);
  });

  it('refuses a stage URL as the issuer while it is on: the stage answers only through the edge', () => {
    const stageUrl = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod';
    const product = { ...exampleProductConfig(), issuer: stageUrl };
    expect(problemsOf(() => deploymentFor({ product, deploy: cdkJsonDeploy() }))).toEqual([expect.stringMatching(/^productConfig\.issuer: is an API Gateway stage URL/)]);
    expect(deploymentFor({ product, deploy: { ...cdkJsonDeploy(), edge: false } }).product.issuer).toBe(stageUrl);
    // And with a custom domain, the issuer must be on it.
    expect(problemsOf(() => deploymentFor({ product, deploy: { ...exampleDeploy(), edge: false } }))).toEqual(['productConfig.issuer: must be on deploy.customDomain.domainName (auth.example.com)']);
  });
});

describe('the demo stack without the edge', () => {
  it('has no distribution, and its custom domain is a regional API Gateway domain', () => {
    const deploy = { ...exampleDeploy(), demo: { ...exampleDeploy().demo, edge: false } };
    const built = synthesizeApp(deploymentFor({ stage: 'dev', deploy }), { bundle: false });
    const demo = Template.fromStack(built.demoMcpServer!);
    demo.resourceCountIs('AWS::CloudFront::Distribution', 0);
    demo.resourceCountIs('AWS::ApiGateway::DomainName', 1);
    const rules = Object.values(demo.findResources('AWS::WAFv2::WebACL'))[0]!.Properties.Rules;
    expect(rules.map((r: any) => [r.Name, r.Statement.RateBasedStatement?.AggregateKeyType])).toEqual([['McpRateLimit', 'IP'], ['AllPathsRateLimit', 'IP'], ['KnownBadInputs', undefined]]);
    expect(JSON.stringify(demo.toJSON())).not.toContain('x-origin-verify');
  });

  it('refuses a stage URL as the demo resource while its edge is on', () => {
    const stageUrl = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/mcp';
    const product = exampleProductConfig();
    product.resources[0].uri = stageUrl;
    product.resources[0].routes = product.resources[0].routes.map((r: any) => ({ ...r, path: '/prod/mcp' }));
    product.defaultResource = stageUrl;
    const demo = { resourceUri: stageUrl };
    expect(problemsOf(() => deploymentFor({ product, deploy: { ...cdkJsonDeploy(), demo } }))).toEqual([expect.stringMatching(/^deploy\.demo\.resourceUri: is an API Gateway stage URL/)]);
    expect(deploymentFor({ product, deploy: { ...cdkJsonDeploy(), demo: { ...demo, edge: false } } }).demo.resourceUri).toBe(stageUrl);
  });

  it('refuses an edge custom domain whose certificate is not in us-east-1', () => {
    const demo = { ...exampleDeploy().demo, customDomain: { domainName: 'mcp.example.com', certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc' } };
    expect(problemsOf(() => deploymentFor({ deploy: { ...exampleDeploy(), demo } }))).toEqual([expect.stringMatching(/^deploy\.demo\.customDomain\.certificateArn: must be in us-east-1/)]);
  });
});
