/**
 * Issue 15, token exchange to a downstream API end to end in local mode: a machine client
 * (the SDK's ClientCredentialsProvider) calls the demo MCP server's downstream_whoami tool;
 * the demo server exchanges the token it received (RFC 8693, as its resource's serverClient,
 * through lambda/guard's createTokenExchanger) and calls a small downstream API, which
 * verifies the token itself against the authorization server's JWKS: signature, `aud` = the
 * downstream, `act` = the MCP server, and the scope it needs. The caller's own token never
 * reaches the downstream.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ClientCredentialsProvider } from '@modelcontextprotocol/sdk/client/auth-extensions.js';
import { sha256Base64url } from '../../lambda/core/crypto';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';

const SERVER_CLIENT = { clientId: 'demo-mcp-server', secret: 'demo-mcp-server-secret-0123456789' };

let stack: LocalStack;
let downstream: Server;
let downstreamUrl: string;
/** Every bearer token the downstream API received, and what it decided. */
const seen: { token: string; status: number }[] = [];

beforeAll(async () => {
  downstream = createServer((req, res) => {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    verify(token).then(
      (claims) => {
        seen.push({ token, status: 200 });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ sub: claims.sub, act: claims.act, scope: claims.scope }));
      },
      () => {
        seen.push({ token, status: 401 });
        res.writeHead(401).end();
      },
    );
  });
  await new Promise<void>((resolve) => downstream.listen(0, '127.0.0.1', resolve));
  downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/orders`;

  stack = await startLocalStack({
    configOverrides: (config) => {
      config.clients.push({ clientId: SERVER_CLIENT.clientId, clientName: 'The demo MCP server', tokenEndpointAuthMethod: 'client_secret_basic', clientSecretHash: sha256Base64url(SERVER_CLIENT.secret), grantTypes: ['urn:ietf:params:oauth:grant-type:token-exchange'] });
      const resource = config.resources[0];
      resource.serverClient = { clientId: SERVER_CLIENT.clientId, clientSecret: SERVER_CLIENT.secret };
      resource.downstream = [{ resource: downstreamUrl, scopes: { 'tool:execute': ['orders:read'] } }];
      resource.tools.push({ name: 'downstream_whoami', scopes: ['tool:execute'] });
    },
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await new Promise((resolve) => downstream?.close(resolve));
});

/** The downstream API's own check: our signature, its audience, the MCP server acting, the scope it needs. */
async function verify(token: string) {
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(`${stack.issuer}/.well-known/jwks.json`)), { issuer: stack.issuer, audience: downstreamUrl, typ: 'at+jwt' });
  if ((payload.act as { sub?: string } | undefined)?.sub !== SERVER_CLIENT.clientId) throw new Error('act');
  if (!String(payload.scope).split(' ').includes('orders:read')) throw new Error('scope');
  return payload;
}

describe('token exchange to a downstream API (the demo MCP server\'s downstream_whoami)', () => {
  it('the tool answers with what the downstream saw: the caller\'s sub, act = the MCP server, the mapped scope; twice with one exchanged token (cached)', async () => {
    const provider = new ClientCredentialsProvider({ clientId: 'demo-machine', clientSecret: 'demo-machine-secret', expectedIssuer: stack.issuer });
    const client = new Client({ name: 'exchange-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: provider }));
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain('downstream_whoami');
      for (let i = 0; i < 2; i++) {
        const result = await client.callTool({ name: 'downstream_whoami', arguments: {} });
        const answer = JSON.parse((result.content as { text: string }[])[0]!.text);
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toEqual({ sub: 'demo-machine', act: { sub: SERVER_CLIENT.clientId }, scope: 'orders:read' });
      }
    } finally {
      await client.close();
    }
    expect(seen.filter((s) => s.status === 200)).toHaveLength(2);
    expect(new Set(seen.map((s) => s.token)).size).toBe(1);
    // Never the caller's own token.
    expect(seen.map((s) => s.token)).not.toContain(provider.tokens()!.access_token);
  });

  it('the downstream refuses the MCP server\'s incoming token (aud is the MCP server), which is why it is exchanged', async () => {
    const provider = new ClientCredentialsProvider({ clientId: 'demo-machine', clientSecret: 'demo-machine-secret', expectedIssuer: stack.issuer });
    const client = new Client({ name: 'exchange-e2e', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { authProvider: provider }));
    await client.close();
    const response = await fetch(downstreamUrl, { headers: { authorization: `Bearer ${provider.tokens()!.access_token}` } });
    expect(response.status).toBe(401);
  });
});
