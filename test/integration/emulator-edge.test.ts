/**
 * The local stack's edge: the API Gateway emulator renames an integration's WWW-Authenticate
 * as AWS does, and the CloudFront viewer-response function (the deployed source file) puts
 * it back. A tool-level 403 from the real demo MCP server then reaches the client as a
 * standard WWW-Authenticate naming exactly the tool's scope.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiGatewayEmulator } from '../../local/emulator/stage';
import { RESTORE_WWW_AUTHENTICATE_SOURCE } from '../../local/emulator/cloudfront-functions';
import type { EmulatedApiSpec, RunningApi } from '../../local/emulator/types';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import { gatewayResponsesFor } from '../../lambda/adapters/apigw/gateway-responses';
import { createDemoMcpHandler } from '../../lambda/adapters/mcp/demo-mcp-server';

const config = parseConfig(JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8')));
const resource = config.resources[0]!;

/** An authorizer that vouches for bob with tool:read only, as ours does for a valid token whose policy is cached across tools. */
const readOnlyAuthorizer: EmulatedApiSpec['authorizer'] = {
  identitySources: ['method.request.header.Authorization'],
  resultTtlSeconds: 0,
  handler: async (event) => ({
    principalId: 'bob',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
    context: { sub: 'bob', client_id: 'client-1', scope: 'tool:read', jti: 'jti-1', family: '' },
  }),
};

async function start(edge: boolean): Promise<RunningApi> {
  return startApiGatewayEmulator({
    name: `edge-test-${edge}`,
    port: 0,
    routes: [{ method: 'POST', resource: '/mcp', handler: createDemoMcpHandler({ config, resource }), authorized: true }],
    authorizer: readOnlyAuthorizer,
    gatewayResponses: { UNAUTHORIZED: gatewayResponsesFor(resource).UNAUTHORIZED },
    edge: edge ? { viewerResponseFunction: RESTORE_WWW_AUTHENTICATE_SOURCE } : undefined,
  });
}

/** A tools/call as a client of an MCP revision before 2026-07-28 sends it: no Mcp-Name header, so only the integration can decide. */
const callEcho = (api: RunningApi) => fetch(`${api.url}/mcp`, {
  method: 'POST',
  headers: { Authorization: 'Bearer token', 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } }),
});

describe('the edge in front of the emulated API Gateway', () => {
  let direct: RunningApi;
  let withEdge: RunningApi;
  beforeAll(async () => {
    direct = await start(false);
    withEdge = await start(true);
  });
  afterAll(async () => {
    await direct.close();
    await withEdge.close();
  });

  it('without the edge, the integration\'s challenge arrives renamed (as on AWS)', async () => {
    const response = await callEcho(direct);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(response.headers.get('x-amzn-remapped-www-authenticate')).toMatch(/insufficient_scope/);
  });

  it('with the edge, the client sees a standard WWW-Authenticate with the exact tool scope', async () => {
    const response = await callEcho(withEdge);
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-remapped-www-authenticate')).toBeNull();
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", scope="tool:read tool:execute", resource_metadata="${new URL(resource.uri).origin}/.well-known/oauth-protected-resource${new URL(resource.uri).pathname}"`,
    );
    const body = await response.json();
    expect(body.error.data.scope).toBe('tool:read tool:execute');
  });

  it('with the edge, gateway responses keep their own challenge', async () => {
    const response = await fetch(`${withEdge.url}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe(gatewayResponsesFor(resource).UNAUTHORIZED.headers['WWW-Authenticate']);
    expect(response.headers.get('x-amzn-remapped-www-authenticate')).toBeNull();
  });
});
