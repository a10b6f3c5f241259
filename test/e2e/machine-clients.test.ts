/**
 * Issue 15, machine clients: the official SDK's ClientCredentialsProvider (client_secret_basic)
 * and PrivateKeyJwtProvider (private_key_jwt, RS256 with the demo key local mode writes,
 * and ES256) connect to the demo MCP server through the guard from the bare MCP URL and
 * call a tool. The SDK does every protocol step: the 401, RFC 9728 and RFC 8414 discovery,
 * the client_credentials token request with the resource, the retry with the token.
 * A machine client without the tool's scope is refused with 403 insufficient_scope.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ClientCredentialsProvider, PrivateKeyJwtProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { sha256Base64url } from '../../lambda/core/crypto';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';
import { recordingFetch, type RecordedExchange } from '../support/mcp-sdk-session';

const READER = { clientId: 'reader-machine', secret: 'reader-machine-secret-0123456789' };
const ES256_CLIENT = 'es256-machine';
const es256Key = generateKeyPairSync('ec', { namedCurve: 'P-256' });

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({
    configOverrides: (config) => {
      const resource = config.resources[0].uri;
      config.clients.push(
        {
          clientId: READER.clientId,
          clientName: 'A machine that may only read',
          tokenEndpointAuthMethod: 'client_secret_post',
          clientSecretHash: sha256Base64url(READER.secret),
          grantTypes: ['client_credentials'],
          allowedScopes: { [resource]: ['tool:read'] },
        },
        {
          clientId: ES256_CLIENT,
          clientName: 'A machine with a P-256 key',
          tokenEndpointAuthMethod: 'private_key_jwt',
          jwks: { keys: [{ ...es256Key.publicKey.export({ format: 'jwk' }), kid: 'es-1', alg: 'ES256', use: 'sig' }] },
          grantTypes: ['client_credentials'],
          allowedScopes: { [resource]: ['tool:read', 'tool:execute'] },
        },
      );
    },
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

async function connect(provider: OAuthClientProvider, exchanges: RecordedExchange[] = []): Promise<Client> {
  const client = new Client({ name: 'machine-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: provider, fetch: recordingFetch(exchanges) }));
  return client;
}

async function whoami(client: Client): Promise<unknown> {
  const result = await client.callTool({ name: 'whoami', arguments: {} });
  const text = (result.content as { type: string; text: string }[])[0]!.text;
  return JSON.parse(text);
}

describe('machine clients with the official MCP SDK (client_credentials)', () => {
  it('ClientCredentialsProvider (demo-machine, client_secret_basic) discovers the AS from the MCP URL, gets a token and calls whoami', async () => {
    const exchanges: RecordedExchange[] = [];
    const provider = new ClientCredentialsProvider({ clientId: 'demo-machine', clientSecret: 'demo-machine-secret', expectedIssuer: stack.issuer });
    const client = await connect(provider, exchanges);
    try {
      expect(await whoami(client)).toEqual({ sub: 'demo-machine', client_id: 'demo-machine', scopes: ['tool:read', 'tool:execute'] });
    } finally {
      await client.close();
    }
    const token = exchanges.find((e) => e.url === `${stack.issuer}/token`)!;
    expect(token.status).toBe(200);
    const tokens = provider.tokens()!;
    expect(tokens.refresh_token).toBeUndefined();
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'demo-machine', client_id: 'demo-machine', aud: stack.mcpUrl, iss: stack.issuer });
    expect(claims.fid).toBeUndefined();
  });

  it('PrivateKeyJwtProvider (demo-machine-jwt, RS256) signs with the key local mode wrote to <data-dir>/demo-machine-jwt.pem', async () => {
    const privateKey = readFileSync(join(stack.dataDir, 'demo-machine-jwt.pem'), 'utf8');
    expect(privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const provider = new PrivateKeyJwtProvider({ clientId: 'demo-machine-jwt', privateKey, algorithm: 'RS256', expectedIssuer: stack.issuer });
    const client = await connect(provider);
    try {
      expect(await whoami(client)).toEqual({ sub: 'demo-machine-jwt', client_id: 'demo-machine-jwt', scopes: ['tool:read', 'tool:execute'] });
    } finally {
      await client.close();
    }
  });

  it('PrivateKeyJwtProvider with an ES256 key', async () => {
    const privateKey = es256Key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const client = await connect(new PrivateKeyJwtProvider({ clientId: ES256_CLIENT, privateKey, algorithm: 'ES256', expectedIssuer: stack.issuer }));
    try {
      expect(await whoami(client)).toMatchObject({ sub: ES256_CLIENT });
    } finally {
      await client.close();
    }
  });

  it('a machine client without the tool\'s scope connects and lists tools, and whoami is 403 insufficient_scope', async () => {
    const exchanges: RecordedExchange[] = [];
    // Its own client_secret_post registration: the SDK picks the method the metadata and the client information allow.
    const provider = new ClientCredentialsProvider({ clientId: READER.clientId, clientSecret: READER.secret, expectedIssuer: stack.issuer });
    const client = await connect(provider, exchanges);
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('whoami');
      await expect(client.callTool({ name: 'whoami', arguments: {} })).rejects.toThrow();
    } finally {
      await client.close().catch(() => undefined);
    }
    const refused = exchanges.filter((e) => e.url === stack.mcpUrl && e.status === 403);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.responseHeaders.get('www-authenticate')).toMatch(/^Bearer error="insufficient_scope", scope="[^"]*tool:execute[^"]*"/);
    // Asking for more (the SDK's step-up) is narrowed, never widened.
    expect(provider.tokens()!.scope).toBe('tool:read');
  });
});
