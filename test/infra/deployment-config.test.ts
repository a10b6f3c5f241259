import { Template } from 'aws-cdk-lib/assertions';
import { DeploymentConfigError, parseDeploymentConfig } from '../../lib/config';
import { deploymentFor, exampleDeploy, exampleProductConfig, synthesizeApp } from './synthesize-app';

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
  it('defaults to Cognito, one signing key, and retention only for prod', () => {
    const dev = deploymentFor({ stage: 'dev', deploy: {} });
    expect(dev).toMatchObject({ upstreamLogin: 'cognito', retainData: false, signingKeys: { keys: ['primary'], active: 'primary' }, cognitoDomainPrefix: 'mcp-oauth-dev' });
    expect(deploymentFor({ stage: 'prod', deploy: {} }).retainData).toBe(true);
  });

  it('names every problem by its dotted path at once', () => {
    const problems = problemsOf(() => deploymentFor({
      stage: 'Prod!',
      deploy: { signingKeys: { keys: ['a', 'a'], active: 'b' }, rateLimits: { tokenPer5Minutes: 5 }, logRetentionDays: 2, bogus: 1 },
    }));
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^stage: /),
      'deploy.signingKeys.keys: must not repeat a name',
      'deploy.signingKeys.active: must be one of deploy.signingKeys.keys',
      'deploy.rateLimits.tokenPer5Minutes: must be at least 10 (the WAF minimum)',
      expect.stringMatching(/^deploy\.logRetentionDays: must be one of/),
      expect.stringMatching(/^deploy\.bogus: is not a known option/),
    ]));
  });

  it('reports problems of the product configuration under productConfig', () => {
    const product = { ...exampleProductConfig(), issuer: 'https://auth.example.com/' };
    expect(problemsOf(() => deploymentFor({ product, deploy: {} }))).toEqual([expect.stringMatching(/^productConfig\.issuer: must not end with \//)]);
  });

  it('uses an external IdP when the configuration names its client secret in Secrets Manager', () => {
    const product = {
      ...exampleProductConfig(),
      upstream: { issuer: 'https://login.example.org', clientId: 'mcp-oauth', clientSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:mcp-oauth-idp-AbCdEf', groupsClaim: 'groups' },
    };
    expect(deploymentFor({ product, deploy: {} }).upstreamLogin).toBe('external');
  });

  it('refuses an external IdP without a configured upstream', () => {
    expect(problemsOf(() => parseDeploymentConfig({ stage: 'dev', productConfig: exampleProductConfig(), deploy: { upstreamLogin: 'external' } })))
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
    expect(tables).toHaveLength(5);
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
    const fn = Object.values(as.findResources('AWS::Lambda::Function'))[0]!;
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
    product.resources = [resource, ...Array.from({ length: 12 }, (_, i) => ({ ...resource, name: `server-${i}`, uri: `https://mcp.example.com/server-${i}/mcp` }))];
    expect(JSON.stringify(product).length).toBeGreaterThan(8000);
    const built = synthesizeApp(deploymentFor({ stage: 'dev', product, deploy: { ...exampleDeploy(), demo: { enabled: false } } }), { bundle: false });
    const fns = Object.values(Template.fromStack(built.authorizationServer).findResources('AWS::Lambda::Function'));
    expect(fns).toHaveLength(3);
    for (const fn of fns) expect(JSON.stringify(fn.Properties.Environment.Variables).length).toBeLessThan(2048);
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
    expect(allRules.map((r: any) => r.Name)).toEqual(['AuthorizeRateLimit', 'TokenRateLimit', 'RegisterRateLimit', 'KnownBadInputs']);
    const rules = allRules.filter((r: any) => r.Statement.RateBasedStatement);
    expect(rules.map((r: any) => r.Statement.RateBasedStatement.AggregateKeyType)).toEqual(['IP', 'IP', 'IP']);
    for (const rule of rules) expect(rule.Statement.RateBasedStatement.CustomKeys).toBeUndefined();
    expect(JSON.stringify(as.toJSON())).not.toContain('x-origin-verify');
    expect(built.authorizationServer.authorizationServer.url).toBe('https://auth.example.com');
  });

  it('is on by default, and refuses a custom domain whose certificate is not in us-east-1 while it is', () => {
    expect(deploymentFor({ deploy: {} }).edge).toBe(true);
    const customDomain = { domainName: 'auth.example.com', certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc' };
    expect(problemsOf(() => deploymentFor({ deploy: { ...exampleDeploy(), customDomain } }))).toEqual([expect.stringMatching(/^deploy\.customDomain\.certificateArn: must be in us-east-1/)]);
    expect(deploymentFor({ deploy: { ...exampleDeploy(), customDomain, edge: false } }).customDomain).toEqual(customDomain);
    expect(problemsOf(() => deploymentFor({ deploy: { ...exampleDeploy(), edge: 'yes' } }))).toEqual(['deploy.edge: must be true or false']);
  });

  it('refuses a stage URL as the issuer while it is on: the stage answers only through the edge', () => {
    const stageUrl = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod';
    const product = { ...exampleProductConfig(), issuer: stageUrl };
    expect(problemsOf(() => deploymentFor({ product, deploy: exampleDeploy() }))).toEqual([expect.stringMatching(/^productConfig\.issuer: is an API Gateway stage URL/)]);
    expect(deploymentFor({ product, deploy: { ...exampleDeploy(), edge: false } }).product.issuer).toBe(stageUrl);
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
    expect(rules.map((r: any) => [r.Name, r.Statement.RateBasedStatement?.AggregateKeyType])).toEqual([['McpRateLimit', 'IP'], ['KnownBadInputs', undefined]]);
    expect(JSON.stringify(demo.toJSON())).not.toContain('x-origin-verify');
  });

  it('refuses a stage URL as the demo resource while its edge is on', () => {
    const stageUrl = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/mcp';
    const product = exampleProductConfig();
    product.resources[0].uri = stageUrl;
    product.defaultResource = stageUrl;
    const demo = { ...exampleDeploy().demo, resourceUri: stageUrl };
    expect(problemsOf(() => deploymentFor({ product, deploy: { ...exampleDeploy(), demo } }))).toEqual([expect.stringMatching(/^deploy\.demo\.resourceUri: is an API Gateway stage URL/)]);
    expect(deploymentFor({ product, deploy: { ...exampleDeploy(), demo: { ...demo, edge: false } } }).demo.resourceUri).toBe(stageUrl);
  });

  it('refuses an edge custom domain whose certificate is not in us-east-1', () => {
    const demo = { ...exampleDeploy().demo, customDomain: { domainName: 'mcp.example.com', certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/abc' } };
    expect(problemsOf(() => deploymentFor({ deploy: { ...exampleDeploy(), demo } }))).toEqual([expect.stringMatching(/^deploy\.demo\.customDomain\.certificateArn: must be in us-east-1/)]);
  });
});
