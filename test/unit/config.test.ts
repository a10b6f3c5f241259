import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../lambda/core/config';

const shipped = () => JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));

describe('parseConfig', () => {
  it('accepts the shipped local configuration and fills defaults', () => {
    const config = parseConfig(shipped());
    expect(config.issuer).toBe('http://localhost:8787');
    expect(config.defaultResource).toBe('http://localhost:8788/mcp');
    expect(config.resources[0].scopes.map((s) => s.name)).toEqual(['tool:read', 'tool:execute', 'admin']);
    expect(config.groupScopes['mcp-admins']).toEqual(['tool:read', 'tool:execute', 'admin']);
    expect(config.tokens.refreshTokenIdleSeconds).toBe(14 * 24 * 3600);
    expect(config.local?.devUsers.map((u) => u.username)).toEqual(['alice', 'bob']);
  });

  it.each([
    ['issuer with a trailing slash', (c: any) => (c.issuer = 'http://localhost:8787/'), 'issuer: must not end with /'],
    ['plain http issuer off localhost', (c: any) => (c.issuer = 'http://auth.example.com'), 'issuer: must be an absolute https URL'],
    ['resource with a fragment', (c: any) => (c.resources[0].uri = 'https://mcp.example.com/mcp#x'), 'resources[0].uri: must have no fragment'],
    ['unknown scope in a tool rule', (c: any) => (c.resources[0].tools[0].scopes = ['nope']), 'resources[0].tools[0].scopes[0]: "nope" is not in resources[0].scopes'],
    ['unknown scope in group policy', (c: any) => (c.groupScopes['mcp-readers'] = ['x']), 'groupScopes.mcp-readers[0]: "x" is not a scope of any resource'],
    ['code lifetime beyond ten minutes', (c: any) => (c.tokens.authorizationCodeSeconds = 601), 'tokens.authorizationCodeSeconds: must be at most 600'],
    ['unknown token option', (c: any) => (c.tokens.accessTokenMinutes = 5), 'tokens.accessTokenMinutes: is not a known option'],
    ['confidential client without a secret', (c: any) => (c.clients = [{ clientId: 'a', clientName: 'A', redirectUris: ['https://a.example/cb'], tokenEndpointAuthMethod: 'client_secret_basic' }]), 'clients[0].clientSecretHash: is required'],
    ['default resource that is not configured', (c: any) => (c.defaultResource = 'https://other.example/mcp'), 'defaultResource: must be the uri of one of resources'],
  ])('rejects %s, naming the option by its path', (_name, mutate, message) => {
    const input = shipped();
    mutate(input);
    let error: unknown;
    try {
      parseConfig(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toContain(message);
  });

  it('reports every problem at once', () => {
    const input = shipped();
    input.issuer = 'ftp://x';
    input.resources[0].name = '';
    expect(() => parseConfig(input)).toThrow(/issuer:[\s\S]*resources\[0\]\.name/);
  });
});
