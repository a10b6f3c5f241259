/**
 * The guard library's example (examples/lambda-mcp-server): an MCP server in its own Lambda
 * that imports lambda/guard, run behind the guard's authorizer on the API Gateway emulator
 * with the REST resources McpProtectedApi deploys, reached by the official SDK client.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createTicketHandler } from '../../examples/lambda-mcp-server/handler';
import { AUTHORIZER_IDENTITY_SOURCES, createAuthorizer, gatewayResponsesFor, type GuardAuditRecord } from '../../lambda/guard';
import { protectedApiRoutes } from '../../lib/definitions/rest-routes';
import { startApiGatewayEmulator } from '../../local/emulator/stage';
import type { RunningApi } from '../../local/emulator/types';
import { createTestSigningKey, localConfig, mintAccessToken, startLoopbackServer, type LoopbackServer, type TestSigningKey } from '../support/guard-token-forge';
import { InMemoryRevocationStore } from '../support/in-memory-ports';

describe('examples/lambda-mcp-server behind the guard', () => {
  const base = localConfig({ authorizerCacheTtlSeconds: 30 });
  const config = { ...base, resources: [{ ...base.resources[0]!, tools: [{ name: 'close_ticket', scopes: ['tool:execute'] }] }] };
  const resource = config.resources[0]!;
  const audit: GuardAuditRecord[] = [];
  let key: TestSigningKey;
  let jwks: LoopbackServer;
  let api: RunningApi;

  beforeAll(async () => {
    key = await createTestSigningKey();
    jwks = await startLoopbackServer(() => ({ status: 200, body: JSON.stringify({ keys: [key.publicJwk] }) }));
    const handler = createTicketHandler({ resource, audit: (record) => audit.push(record) });
    const responses = gatewayResponsesFor(resource);
    api = await startApiGatewayEmulator({
      name: 'example-lambda-mcp-server',
      port: 0,
      routes: protectedApiRoutes(resource).filter((r) => r.target === 'backend').map((r) => ({ method: r.method, resource: r.path, handler, authorized: r.guarded })),
      authorizer: {
        handler: createAuthorizer({ config, resource, jwksUri: `${jwks.url}/.well-known/jwks.json`, revocations: new InMemoryRevocationStore(), log: () => undefined }),
        identitySources: AUTHORIZER_IDENTITY_SOURCES,
        resultTtlSeconds: config.guard.authorizerCacheTtlSeconds,
      },
      gatewayResponses: { UNAUTHORIZED: responses.UNAUTHORIZED, ACCESS_DENIED: responses.ACCESS_DENIED },
    });
  });
  afterAll(async () => {
    await api?.close();
    await jwks?.close();
  });

  async function connect(scope: string) {
    const token = await mintAccessToken(config, key, { claims: { sub: 'dana', scope, client_id: 'dana-client' } });
    const statuses: number[] = [];
    const transport = new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${token}` } },
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        statuses.push(response.status);
        return response;
      },
    });
    const client = new Client({ name: 'example-test', version: '1.0.0' });
    await client.connect(transport);
    return { client, statuses };
  }

  it('answers with the identity the authorizer verified, and records each tool decision', async () => {
    const { client } = await connect('tool:read tool:execute');
    try {
      const listed = await client.callTool({ name: 'list_tickets', arguments: {} });
      expect(JSON.parse((listed.content as { text: string }[])[0]!.text)).toEqual({ owner: 'dana', tickets: ['T-1', 'T-2'] });
      const closed = await client.callTool({ name: 'close_ticket', arguments: { id: 'T-1' } });
      expect((closed.content as { text: string }[])[0]!.text).toBe('closed T-1 for dana');
    } finally {
      await client.close();
    }
    expect(audit.filter((r) => r.audit === 'mcp_tool_decision').map((r) => [r.sub, r.client_id, 'tool' in r ? r.tool : '', 'decision' in r ? r.decision : ''])).toEqual([
      ['dana', 'dana-client', 'list_tickets', 'allowed'],
      ['dana', 'dana-client', 'close_ticket', 'allowed'],
    ]);
  });

  it('refuses close_ticket to a tool:read token with 403, naming the scopes the call needs', async () => {
    audit.length = 0;
    const { client, statuses } = await connect('tool:read');
    try {
      await expect(client.callTool({ name: 'close_ticket', arguments: { id: 'T-2' } })).rejects.toThrow(/tool:read tool:execute/);
    } finally {
      await client.close();
    }
    expect(statuses).toContain(403);
    expect(audit).toContainEqual(expect.objectContaining({ audit: 'mcp_tool_decision', tool: 'close_ticket', decision: 'denied', missing_scopes: 'tool:execute', required_scopes: 'tool:read tool:execute' }));
    expect(JSON.stringify(audit)).not.toContain('T-2');
  });
});
