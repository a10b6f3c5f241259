/**
 * The local stack's edge, with CloudFront's rule for edge functions ("Restrictions on all
 * edge functions": no viewer-response function for an origin status of 400 or higher;
 * origin-response functions for every origin response). The API Gateway emulator renames an
 * integration's WWW-Authenticate as AWS does, and the Lambda@Edge origin-response function
 * (the deployed source file) puts it back: a tool-level 403 from the real demo MCP server
 * reaches the client as a standard WWW-Authenticate naming exactly the tool's scope. A
 * viewer-response function, the mechanism this project had before, never sees that 403.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiGatewayEmulator } from '../../local/emulator/stage';
import type { EmulatedApiSpec, EmulatedEdge, RunningApi } from '../../local/emulator/types';
import { LOCAL_EDGE } from '../../local/local-deployment';
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

async function start(edge: EmulatedEdge | undefined): Promise<RunningApi> {
  return startApiGatewayEmulator({
    name: `edge-test-${JSON.stringify(edge)}`,
    port: 0,
    routes: [{ method: 'POST', resource: '/mcp', handler: createDemoMcpHandler({ config, resource }), authorized: true }],
    authorizer: readOnlyAuthorizer,
    gatewayResponses: { UNAUTHORIZED: gatewayResponsesFor(resource).UNAUTHORIZED },
    edge,
  });
}

/** A function source file for one test. */
function functionFile(name: string, source: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'edge-')), name);
  writeFileSync(path, source);
  return path;
}

/** The restore as this project first built it: a CloudFront Function at viewer-response (cloudfront-js-2.0). */
const VIEWER_RESPONSE_RESTORE = functionFile('viewer-response-restore.js', `function handler(event) {
  var headers = event.response.headers;
  var remapped = headers['x-amzn-remapped-www-authenticate'];
  if (remapped && !headers['www-authenticate']) {
    headers['www-authenticate'] = { value: remapped.value };
    delete headers['x-amzn-remapped-www-authenticate'];
  }
  return event.response;
}
`);

/** A tools/call as a client of an MCP revision before 2026-07-28 sends it: no Mcp-Name header, so only the integration can decide. */
const callEcho = (api: RunningApi) => fetch(`${api.url}/mcp`, {
  method: 'POST',
  headers: { Authorization: 'Bearer token', 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'echo', arguments: { text: 'hi' } } }),
});

describe('the edge in front of the emulated API Gateway', () => {
  let direct: RunningApi;
  let withEdge: RunningApi;
  let viewerResponseOnly: RunningApi;
  beforeAll(async () => {
    direct = await start(undefined);
    withEdge = await start({ originResponseFunction: LOCAL_EDGE.originResponseFunction });
    viewerResponseOnly = await start({ viewerResponseFunction: VIEWER_RESPONSE_RESTORE });
  });
  afterAll(async () => {
    await direct.close();
    await withEdge.close();
    await viewerResponseOnly.close();
  });

  it('without the edge, the integration\'s challenge arrives renamed (as on AWS)', async () => {
    const response = await callEcho(direct);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(response.headers.get('x-amzn-remapped-www-authenticate')).toMatch(/insufficient_scope/);
  });

  it('a viewer-response restore never runs for the 403, so the challenge stays renamed, as on CloudFront', async () => {
    const response = await callEcho(viewerResponseOnly);
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBeNull();
    expect(response.headers.get('x-amzn-remapped-www-authenticate')).toMatch(/insufficient_scope/);
  });

  it('with the origin-response restore, the client sees a standard WWW-Authenticate with the exact tool scope', async () => {
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

describe("CloudFront's rule for edge functions", () => {
  const running: RunningApi[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((api) => api.close()));
  });

  /** An API whose routes answer with the status in their path, behind the given edge. */
  async function statusApi(edge: EmulatedEdge): Promise<RunningApi> {
    const api = await startApiGatewayEmulator({
      name: 'edge-rule-test',
      port: 0,
      routes: [{ method: 'GET', resource: '/status/{code}', handler: async (event) => ({ statusCode: Number(event.pathParameters!.code), body: '{}' }) }],
      edge,
    });
    running.push(api);
    return api;
  }

  const markViewerResponse = functionFile('mark-viewer-response.js', `function handler(event) {
  event.response.headers['x-viewer-response'] = { value: 'ran' };
  return event.response;
}
`);
  const markOriginResponse = functionFile('mark-origin-response.js', `exports.handler = async (event) => {
  const response = event.Records[0].cf.response;
  response.headers['x-origin-response'] = [{ key: 'X-Origin-Response', value: 'ran for ' + response.status }];
  return response;
};
`);

  it('runs a viewer-response function for statuses below 400 only', async () => {
    const api = await statusApi({ viewerResponseFunction: markViewerResponse });
    const seen: Record<number, string | null> = {};
    for (const code of [200, 302, 399, 400, 401, 403, 429, 500, 502]) seen[code] = (await fetch(`${api.url}/status/${code}`, { redirect: 'manual' })).headers.get('x-viewer-response');

    expect(seen).toEqual({ 200: 'ran', 302: 'ran', 399: 'ran', 400: null, 401: null, 403: null, 429: null, 500: null, 502: null });
    // API Gateway's own 403 (no such resource) is an origin response of 403 too.
    expect((await fetch(`${api.url}/nowhere`)).headers.get('x-viewer-response')).toBeNull();
  });

  it('runs the origin-response function for every origin response, API Gateway\'s own included', async () => {
    const api = await statusApi({ originResponseFunction: { source: markOriginResponse, timeoutSeconds: 5 } });

    for (const code of [200, 401, 403, 500]) expect((await fetch(`${api.url}/status/${code}`)).headers.get('x-origin-response')).toBe(`ran for ${code}`);
    const missing = await fetch(`${api.url}/nowhere`);
    expect(missing.status).toBe(403);
    expect(missing.headers.get('x-origin-response')).toBe('ran for 403');
  });

  it('answers 503 when the origin-response function throws or times out, and 502 when it returns no response', async () => {
    const throwing = functionFile('throwing.js', 'exports.handler = async () => { throw new Error("boom"); };\n');
    const hanging = functionFile('hanging.js', 'exports.handler = () => new Promise(() => undefined);\n');
    const invalid = functionFile('invalid.js', 'exports.handler = async () => ({ status: "200", headers: { "Content-Type": [{ value: "x" }] } });\n');

    expect((await fetch(`${(await statusApi({ originResponseFunction: { source: throwing, timeoutSeconds: 5 } })).url}/status/200`)).status).toBe(503);
    expect((await fetch(`${(await statusApi({ originResponseFunction: { source: hanging, timeoutSeconds: 0.05 } })).url}/status/200`)).status).toBe(503);
    expect((await fetch(`${(await statusApi({ originResponseFunction: { source: invalid, timeoutSeconds: 5 } })).url}/status/200`)).status).toBe(502);
  });
});
