import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, parseConfig } from '../../lambda/adapters/config/parse-config';
import { parseLocalModeConfig } from '../../local/local-config';

const shipped = () => JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));

describe('parseConfig', () => {
  it('accepts the shipped local configuration and fills defaults', () => {
    const config = parseConfig(shipped());
    expect(config.issuer).toBe('http://localhost:8787');
    expect(config.defaultResource).toBe('http://localhost:8788/mcp');
    expect(config.resources[0].scopes.map((s) => s.name)).toEqual(['tool:read', 'tool:execute', 'admin']);
    expect(config.groupScopes['mcp-admins']).toEqual(['tool:read', 'tool:execute', 'admin']);
    expect(config.tokens.refreshTokenIdleSeconds).toBe(14 * 24 * 3600);
    // The product never reads local mode's section: the deployed functions do not get it.
    expect(config).not.toHaveProperty('local');
    expect(parseLocalModeConfig(shipped()).local.devUsers.map((u) => u.username)).toEqual(['alice', 'bob']);
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
    ['a misspelt option at the root', (c: any) => (c.isuer = c.issuer), 'isuer: is not a known option'],
    ['a misspelt option in a resource', (c: any) => (c.resources[0].tool = []), 'resources[0].tool: is not a known option'],
    ['a misspelt registration flag', (c: any) => (c.registration.dynamicRegistrationEnable = false), 'registration.dynamicRegistrationEnable: is not a known option'],
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

  it('ships no trusted metadata origin: local mode applies the SSRF policy to every client ID metadata document', () => {
    const config = parseLocalModeConfig(shipped());
    expect(config.local.trustedMetadataOrigins).toEqual([]);
    expect(config.local.metadataCaFile).toBeUndefined();
  });

  it('accepts test-only trusted metadata origins on .localhost names, with a CA file', () => {
    const input = shipped();
    input.local.trustedMetadataOrigins = ['https://client.localhost:8443', 'https://a.b.localhost:9000'];
    input.local.metadataCaFile = 'ca.pem';
    const config = parseLocalModeConfig(input);
    expect(config.local.trustedMetadataOrigins).toEqual(['https://client.localhost:8443', 'https://a.b.localhost:9000']);
    expect(config.local.metadataCaFile).toBe('ca.pem');
  });

  it.each([
    ['http', 'http://client.localhost:8443'],
    ['a public host', 'https://client.example.com:8443'],
    ['a private address', 'https://10.0.0.5:8443'],
    ['a loopback IP (a client ID URL cannot name one)', 'https://127.0.0.1:8443'],
    ['bare localhost (a client ID URL needs a fully qualified name)', 'https://localhost:8443'],
    ['a look-alike', 'https://client.localhost.example.com:8443'],
    ['a name ending in localhost without a dot', 'https://evillocalhost:8443'],
    ['a path', 'https://client.localhost:8443/oauth'],
    ['a trailing slash', 'https://client.localhost:8443/'],
    ['user information', 'https://user@client.localhost:8443'],
    ['an upper-case host', 'https://Client.localhost:8443'],
  ])('refuses a trusted metadata origin with %s', (_name, origin) => {
    const input = shipped();
    input.local.trustedMetadataOrigins = [origin];
    expect(() => parseLocalModeConfig(input)).toThrow('local.trustedMetadataOrigins[0]: must be an https origin (no path) on a name under .localhost');
  });

  it('refuses a metadata CA file without trusted origins (it would serve no test server)', () => {
    const input = shipped();
    input.local.metadataCaFile = 'ca.pem';
    expect(() => parseLocalModeConfig(input)).toThrow('local.metadataCaFile: is only for the test servers of local.trustedMetadataOrigins');
  });

  it('allows $schema at the root, for editors, and keeps it out of the Config', () => {
    const config = parseConfig(shipped());
    expect(shipped().$schema).toBe('../schema/config.schema.json');
    expect(config).not.toHaveProperty('$schema');
  });

  it('refuses a misspelt option in local mode\'s section', () => {
    const input = shipped();
    input.local.devIdpPrt = 1;
    expect(() => parseLocalModeConfig(input)).toThrow('local.devIdpPrt: is not a known option');
  });

  it('reports every problem at once', () => {
    const input = shipped();
    input.issuer = 'ftp://x';
    input.resources[0].name = '';
    expect(() => parseConfig(input)).toThrow(/issuer:[\s\S]*resources\[0\]\.name/);
  });
});
