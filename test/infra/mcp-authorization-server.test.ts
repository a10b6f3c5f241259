/**
 * McpAuthorizationServer as a platform team composes it in its own stack: props checked
 * before anything is built (every problem at once), and the three upstream logins (a new
 * Cognito pool, an existing pool with an app client created or given, any OIDC IdP).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type { Config } from '../../lambda/core/config';
import { DeploymentConfigError, parseDeploymentConfig, parseProductConfig } from '../../lib/config';
import { authorizationServerPropsOf } from '../../lib/stacks/authorization-server-stack';
import { McpAuthorizationServer, mcpAuthorizationServerProblems, type McpAuthorizationServerProps } from '../../lib/constructs/mcp-authorization-server';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:idp-AbCdEf';

function config(overrides: Record<string, unknown> = {}): Config {
  return parseProductConfig({
    issuer: 'https://auth.example.com',
    resources: [{ uri: 'https://mcp.example.com/mcp', name: 'Tools', scopes: [{ name: 'tool:read', description: 'Read' }], routes: [{ method: 'POST', path: '/mcp', scopes: ['tool:read'] }] }],
    upstream: { issuer: 'https://login.example.org', clientId: 'as', clientSecretArn: SECRET_ARN, groupsClaim: 'groups' },
    groupScopes: { readers: ['tool:read'] },
    ...overrides,
  });
}

function synth(props: McpAuthorizationServerProps): { template: Template; stack: Stack } {
  const stack = new Stack(new App(), 'Team', { env: { region: 'eu-west-1', account: '123456789012' } });
  new McpAuthorizationServer(stack, 'Auth', props);
  return { template: Template.fromStack(stack), stack };
}

describe('McpAuthorizationServer props', () => {
  it('lists every problem at once, by prop', () => {
    const problems = mcpAuthorizationServerProblems({
      config: { ...config(), issuer: 'http://auth.example.com', upstream: { ...config().upstream, clientSecretArn: undefined, clientSecret: 'inline' } },
      stage: 'Prod',
      upstreamLogin: { kind: 'oidc' },
      customDomain: { domainName: 'login.example.com', certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' },
      logRetentionDays: 31,
    });
    expect(problems).toEqual([
      'config.issuer: must be https on AWS',
      'stage: must be 1-20 lower-case letters, digits or dashes, starting with a letter',
      'config.issuer: must be on customDomain.domainName (login.example.com)',
      'config.upstream.clientSecret: must not be in a deployed configuration (it would be bundled into every function); use clientSecretArn',
      'config.upstream.clientSecretArn: is required for an OIDC IdP (its client secret, in Secrets Manager)',
      'logRetentionDays: must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)',
    ]);
    expect(mcpAuthorizationServerProblems({ config: config(), upstreamLogin: { kind: 'cognito-existing', userPoolId: 'not a pool', appClientSecretArn: SECRET_ARN } })).toEqual([
      'upstreamLogin.userPoolId: must look like <region>_<id>',
      'upstreamLogin.appClientSecretArn: needs the appClientId it belongs to',
    ]);
    expect(mcpAuthorizationServerProblems({ config: config() })).toEqual([]);
  });

  it('builds nothing from props that fail', () => {
    const stack = new Stack(new App(), 'Team', { env: { region: 'eu-west-1' } });
    expect(() => new McpAuthorizationServer(stack, 'Auth', { config: config(), stage: 'Prod' })).toThrow(/invalid props:\n {2}stage: /);
    expect(stack.node.findAll().length).toBe(1);
  });
});

describe('McpAuthorizationServer upstream login', () => {
  it('uses an existing Cognito pool by id, creating a public app client (PKCE, no secret) in it and no pool', () => {
    const { template } = synth({ config: config({ upstream: undefined }), upstreamLogin: { kind: 'cognito-existing', userPoolId: 'eu-west-1_AbCdEf123' }, edge: false });
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: 'eu-west-1_AbCdEf123',
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      CallbackURLs: ['https://auth.example.com/callback'],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
    });
    const upstream = JSON.stringify(template.findResources('AWS::Lambda::Function'));
    expect(upstream).toContain('cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123');
    // A refresh re-reads the user's groups from that pool, and only from it.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'cognito-idp:AdminListGroupsForUser', Resource: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('userpool/eu-west-1_AbCdEf123')])]) }) })]) },
    });
  });

  it('uses an app client you made, reading its secret from Secrets Manager, and creates no client', () => {
    const { template } = synth({ config: config({ upstream: undefined }), upstreamLogin: { kind: 'cognito-existing', userPoolId: 'eu-west-1_AbCdEf123', appClientId: 'given-client', appClientSecretArn: SECRET_ARN }, edge: false });
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: SECRET_ARN })]) },
    });
  });

  it('federates to any OIDC IdP from config.upstream, with no Cognito at all', () => {
    const { template } = synth({ config: config(), upstreamLogin: { kind: 'oidc' }, edge: false });
    template.resourceCountIs('AWS::Cognito::UserPool', 0);
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 0);
    expect(JSON.stringify(template.findResources('AWS::Lambda::Function'))).toContain('https://login.example.org');
  });

  it('creates a new pool by default, and says at synth why a deployment without a custom domain takes two passes', () => {
    const { template, stack } = synth({ config: config({ upstream: undefined }) });
    template.resourceCountIs('AWS::Cognito::UserPool', 1);
    Annotations.fromStack(stack).hasWarning('/Team/Auth', Match.stringLikeRegexp('No custom domain: the issuer https://auth.example.com must be the URL clients reach'));
  });
});

describe('the deployment settings of an existing Cognito pool', () => {
  const product = { issuer: 'https://auth.example.com', resources: [{ uri: 'https://mcp.example.com/mcp', name: 'Tools', scopes: [{ name: 'tool:read', description: 'Read' }] }], groupScopes: { readers: ['tool:read'] } };
  const parse = (deploy: Record<string, unknown>) => parseDeploymentConfig({ stage: 'dev', region: 'eu-west-1', productConfig: product, deploy: { acceptCloudFrontDefaultCertificate: true, ...deploy } });

  it('become McpAuthorizationServer props with the pool, and no upstream section is needed', () => {
    const props = authorizationServerPropsOf(parse({ upstreamLogin: 'cognito-existing', cognitoUserPool: { userPoolId: 'eu-west-1_AbCdEf123', appClientId: 'mine' } }));
    expect(props.upstreamLogin).toEqual({ kind: 'cognito-existing', userPoolId: 'eu-west-1_AbCdEf123', appClientId: 'mine', appClientSecretArn: undefined });
  });

  it('are refused when the pool is missing, misnamed, or given for another upstream login', () => {
    const problems = (deploy: Record<string, unknown>) => {
      try {
        parse(deploy);
        return [];
      } catch (error) {
        return (error as DeploymentConfigError).problems;
      }
    };
    expect(problems({ upstreamLogin: 'cognito-existing' })).toEqual(['deploy.cognitoUserPool: is required while deploy.upstreamLogin is "cognito-existing" (the pool to use)']);
    expect(problems({ upstreamLogin: 'cognito-existing', cognitoUserPool: { userPoolId: 'pool', appClientSecretArn: SECRET_ARN } })).toEqual([
      'deploy.cognitoUserPool.userPoolId: must be a user pool id such as eu-west-1_AbCdEf123',
      'deploy.cognitoUserPool.appClientSecretArn: needs the appClientId it belongs to',
    ]);
    expect(problems({ cognitoUserPool: { userPoolId: 'eu-west-1_AbCdEf123' } })).toEqual(['deploy.cognitoUserPool: applies only while deploy.upstreamLogin is "cognito-existing"']);
  });
});

describe('McpAuthorizationServer cookie key', () => {
  it('is a KMS HMAC_256 key for MACs only, that the browser function alone may use (GenerateMac), named in its environment alone', () => {
    const { template } = synth({ config: config({ upstream: undefined }), upstreamLogin: { kind: 'cognito-existing', userPoolId: 'eu-west-1_AbCdEf123' }, edge: false });
    const hmacKeys = template.findResources('AWS::KMS::Key', { Properties: { KeySpec: 'HMAC_256' } });
    expect(Object.keys(hmacKeys)).toHaveLength(1);
    const [keyId, key] = Object.entries(hmacKeys)[0]!;
    expect(key.Properties.KeyUsage).toBe('GENERATE_VERIFY_MAC');
    expect(key.Properties.EnableKeyRotation).toBeUndefined();
    const keyPolicy = key.Properties.KeyPolicy.Statement as { Sid?: string; Action: string | string[]; Effect: string }[];
    // The account administers it but cannot compute MACs through a broad IAM policy: only the named role may.
    const allowed = keyPolicy.filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
    expect(allowed.filter((action) => /Mac|kms:\*/.test(action))).toEqual(['kms:GenerateMac']);

    const functions = Object.values(template.findResources('AWS::Lambda::Function')).filter((fn) => fn.Properties.Environment?.Variables?.MCP_OAUTH_ENDPOINT_GROUP);
    const withKey = functions.filter((fn) => fn.Properties.Environment.Variables.MCP_OAUTH_COOKIE_KEY);
    expect(withKey.map((fn) => fn.Properties.Environment.Variables.MCP_OAUTH_ENDPOINT_GROUP)).toEqual(['browser']);
    expect(withKey[0]!.Properties.Environment.Variables.MCP_OAUTH_COOKIE_KEY).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });

    const macStatements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).filter((s) => [s.Action].flat().includes('kms:GenerateMac'));
    expect(macStatements).toEqual([{ Action: 'kms:GenerateMac', Effect: 'Allow', Resource: { 'Fn::GetAtt': [keyId, 'Arn'] } }]);
  });
});
