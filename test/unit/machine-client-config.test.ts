/** The config rules of pre-registered machine clients (issue 15): grants, allowedScopes, private_key_jwt keys. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../lambda/adapters/config/parse-config';
import { sha256Base64url } from '../../lambda/core/crypto';

const shipped = () => JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));
const RESOURCE = 'http://localhost:8788/mcp';
const machine = (changes: Record<string, unknown>) => ({
  clientId: 'm',
  clientName: 'M',
  tokenEndpointAuthMethod: 'client_secret_basic',
  clientSecretHash: 'h',
  grantTypes: ['client_credentials'],
  allowedScopes: { [RESOURCE]: ['tool:read'] },
  ...changes,
});

function problems(client: Record<string, unknown>): string {
  const input = shipped();
  input.clients = [client];
  try {
    parseConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.join('\n');
    throw error;
  }
  return '';
}

describe('config: pre-registered machine clients', () => {
  it('ships the documented local demo clients (secrets hashed, never in clear)', () => {
    const config = parseConfig(shipped());
    const byId = new Map(config.clients.map((c) => [c.clientId, c]));
    expect(byId.get('demo-machine')).toMatchObject({ tokenEndpointAuthMethod: 'client_secret_basic', clientSecretHash: sha256Base64url('demo-machine-secret'), grantTypes: ['client_credentials'], allowedScopes: { [RESOURCE]: ['tool:read', 'tool:execute'] } });
    expect(byId.get('demo-machine-jwt')).toMatchObject({ tokenEndpointAuthMethod: 'private_key_jwt', grantTypes: ['client_credentials'] });
    expect(byId.get('demo-machine-jwt')!.jwks!.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256' });
    expect(readFileSync(join(__dirname, '../../config/local.json'), 'utf8')).not.toContain('demo-machine-secret');
  });

  it('a client without grantTypes keeps the browser grants', () => {
    const input = shipped();
    input.clients = [{ clientId: 'b', clientName: 'B', redirectUris: ['https://b.example/cb'] }];
    expect(parseConfig(input).clients[0]).toMatchObject({ grantTypes: ['authorization_code', 'refresh_token'], allowedScopes: {} });
  });

  it('accepts a machine client with no redirect URI', () => {
    expect(problems(machine({}))).toBe('');
  });

  it.each([
    ['client_credentials for a public client', machine({ tokenEndpointAuthMethod: 'none', clientSecretHash: undefined }), 'clients[0].grantTypes: client_credentials needs a client that authenticates'],
    ['client_credentials with no allowedScopes', machine({ allowedScopes: {} }), 'clients[0].allowedScopes: must name at least one resource'],
    ['allowedScopes for an unknown resource', machine({ allowedScopes: { 'https://nope.example/mcp': ['tool:read'] } }), 'clients[0].allowedScopes.https://nope.example/mcp: must be the uri of one of resources'],
    ['allowedScopes with a scope the resource lacks', machine({ allowedScopes: { [RESOURCE]: ['files:read'] } }), `clients[0].allowedScopes.${RESOURCE}[0]: "files:read" is not a scope of ${RESOURCE}`],
    ['private_key_jwt without keys', machine({ tokenEndpointAuthMethod: 'private_key_jwt', clientSecretHash: undefined }), 'clients[0].jwks: private_key_jwt needs exactly one of jwks and jwksUri'],
    ['private_key_jwt with a secret', machine({ tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: 'https://m.example/jwks' }), 'clients[0].clientSecretHash: is not used by a private_key_jwt client'],
    ['a private key member in jwks', machine({ tokenEndpointAuthMethod: 'private_key_jwt', clientSecretHash: undefined, jwks: { keys: [{ kty: 'RSA', n: 'n', e: 'AQAB', d: 'secret' }] } }), 'clients[0].jwks.keys[0].d: is not a known option'],
    ['an RSA key without n', machine({ tokenEndpointAuthMethod: 'private_key_jwt', clientSecretHash: undefined, jwks: { keys: [{ kty: 'RSA', e: 'AQAB' }] } }), 'clients[0].jwks.keys[0]: an RSA key needs n and e'],
    ['jwks on a secret client', machine({ jwks: { keys: [{ kty: 'RSA', n: 'n', e: 'AQAB' }] } }), 'clients[0].jwks: is only for tokenEndpointAuthMethod private_key_jwt'],
    ['authorization_code without a redirect URI', machine({ grantTypes: ['authorization_code'] }), 'clients[0].redirectUris: must have at least 1 item(s) for the authorization_code grant'],
    ['an unknown grant type', machine({ grantTypes: ['password'] }), 'clients[0].grantTypes[0]: must be one of'],
  ])('refuses %s, naming the option', (_name, client, message) => {
    expect(problems(client)).toContain(message);
  });
});
