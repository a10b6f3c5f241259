/**
 * Issue 15 on AWS: a deployed configuration carries machine clients, trusted enterprise IdPs
 * and downstream APIs to the functions (the validated product config), with secrets only by
 * Secrets Manager reference: an inline serverClient secret is refused like every other.
 */
import { DeploymentConfigError } from '../../lib/config';
import { deploymentFor, exampleProductConfig } from './synthesize-app';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:files-mcp-server-AbCdEf';

function withIssue15(product: any, serverClient: Record<string, string>): any {
  const resource = product.resources[0].uri;
  const scope = product.resources[0].scopes[0].name;
  product.clients = [
    ...(product.clients ?? []),
    { clientId: 'ci-agent', clientName: 'CI agent', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://ci.example.com/.well-known/jwks.json', grantTypes: ['client_credentials'], allowedScopes: { [resource]: [scope] } },
    { clientId: 'files-mcp-server', clientName: 'Files MCP server', tokenEndpointAuthMethod: 'client_secret_basic', clientSecretHash: 'aGFzaA', grantTypes: ['urn:ietf:params:oauth:grant-type:token-exchange'] },
  ];
  product.trustedIdentityProviders = [{ issuer: 'https://example.okta.com', jwksUri: 'https://example.okta.com/oauth2/v1/keys', resources: { [resource]: [scope] }, subjectPrefix: 'okta|' }];
  product.resources[0].serverClient = serverClient;
  product.resources[0].downstream = [{ resource: 'https://orders.example.com/api', scopes: { [scope]: ['orders:read'] } }];
  return product;
}

describe('a deployment with machine clients, trusted IdPs and downstream APIs', () => {
  it('carries them in the product config the functions receive, the server client secret by ARN', () => {
    const { product } = deploymentFor({ product: withIssue15(exampleProductConfig(), { clientId: 'files-mcp-server', clientSecretArn: SECRET_ARN }) });
    expect(product.clients.map((c) => [c.clientId, c.grantTypes])).toEqual(expect.arrayContaining([['ci-agent', ['client_credentials']], ['files-mcp-server', ['urn:ietf:params:oauth:grant-type:token-exchange']]]));
    expect(product.trustedIdentityProviders).toHaveLength(1);
    expect(product.resources[0]!.serverClient).toEqual({ clientId: 'files-mcp-server', clientSecretArn: SECRET_ARN });
    expect(product.resources[0]!.downstream).toHaveLength(1);
  });

  it('refuses an inline serverClient secret (it would be bundled into every function)', () => {
    let problems: readonly string[] = [];
    try {
      deploymentFor({ product: withIssue15(exampleProductConfig(), { clientId: 'files-mcp-server', clientSecret: 'inline' }) });
    } catch (error) {
      if (error instanceof DeploymentConfigError) problems = error.problems;
      else throw error;
    }
    expect(problems).toContainEqual(expect.stringMatching(/^productConfig\.resources\[0\]\.serverClient\.clientSecret: must not be in a deployed configuration/));
  });
});
