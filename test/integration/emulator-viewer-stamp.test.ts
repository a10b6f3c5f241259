/**
 * The local edge's viewer-request step: the emulator runs the deployed stamp-viewer-ip.js on
 * every request, the integration sees what the function returned, and the WAF rate rules
 * count by the stamped viewer address, so neither a client-sent X-Forwarded-For nor a
 * client-sent x-mcp-oauth-viewer-ip buys a fresh rate bucket (docs/security.md, case 46, 55).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { startApiGatewayEmulator } from '../../local/emulator/stage';
import type { EmulatedApiSpec, EmulatedWebAclSpec, RunningApi } from '../../local/emulator/types';
import { LOCAL_EDGE } from '../../local/local-deployment';
import { VIEWER_IP_HEADER } from '../../lambda/edge/edge-headers';
import { rawRequest } from '../support/raw-http';

const running: RunningApi[] = [];
/** AWS WAF's smallest limit on /register, estimated on every request. */
const REGISTER_LIMIT_10: EmulatedWebAclSpec = { rules: [{ name: 'RegisterRateLimit', pathSuffix: '/register', limit: 10, windowSeconds: 300 }] };
afterEach(async () => {
  await Promise.all(running.splice(0).map((api) => api.close()));
});

async function start(spec: Partial<EmulatedApiSpec>): Promise<{ api: RunningApi; events: APIGatewayProxyEvent[] }> {
  const events: APIGatewayProxyEvent[] = [];
  const api = await startApiGatewayEmulator({
    name: 'viewer-stamp-test',
    port: 0,
    routes: [{ method: 'ANY', resource: '/{proxy+}', handler: async (event) => (events.push(event), { statusCode: 200, body: '{}' }) }],
    edge: LOCAL_EDGE,
    ...spec,
  });
  running.push(api);
  return { api, events };
}

/** Every value of a header in the event, whatever its spelling. */
function valuesIn(event: APIGatewayProxyEvent, name: string): string[] {
  return Object.entries(event.multiValueHeaders).filter(([n]) => n.toLowerCase() === name).flatMap(([, v]) => v ?? []);
}

/** A fresh X-Forwarded-For and a fresh, repeated, oddly spelled viewer stamp on every request (Node sends one spelling per name). */
const spoofs = (i: number) => ({
  'X-Forwarded-For': `198.51.100.${i}`,
  'X-MCP-OAuth-Viewer-IP': [`203.0.113.${i}`, `192.0.2.${i}`],
});

describe('the local edge stamps the viewer address', () => {
  it('hands the integration the connection address under the stamp, and nothing a client sent under that name', async () => {
    const { api, events } = await start({});
    const res = await rawRequest(`${api.url}/register`, { method: 'POST', body: '{}', headers: { ...spoofs(7), 'X-Dup': ['one', 'two'], Cookie: 'a=1' } });

    expect(res.status).toBe(200);
    const event = events[0]!;
    expect(valuesIn(event, VIEWER_IP_HEADER)).toEqual(['127.0.0.1']);
    // Written by CloudFront, so spelled as CloudFront spells the headers a function adds.
    expect(event.multiValueHeaders['X-Mcp-Oauth-Viewer-Ip']).toEqual(['127.0.0.1']);
    // Everything else arrives as the client sent it.
    expect(event.multiValueHeaders['X-Dup']).toEqual(['one', 'two']);
    expect(event.headers['Cookie']).toBe('a=1');
    expect(event.headers['X-Forwarded-For']).toBe('198.51.100.7, 127.0.0.1');
  });

  it('counts a client that rotates X-Forwarded-For and a spoofed x-mcp-oauth-viewer-ip as one client: 429 past the limit', async () => {
    const { api, events } = await start({ waf: REGISTER_LIMIT_10 });
    const statuses: number[] = [];
    for (let i = 1; i <= 12; i++) statuses.push((await rawRequest(`${api.url}/register`, { method: 'POST', body: '{}', headers: spoofs(i) })).status);

    expect(statuses).toEqual([...Array(10).fill(200), 429, 429]);
    expect(events).toHaveLength(10);
  });

  it('refuses (403) a request the edge did not stamp, as the web ACL\'s ViewerIpStamped rule does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-'));
    const noStamp = join(dir, 'no-stamp.js');
    writeFileSync(noStamp, 'function handler(event) { return event.request; }\n');
    const { api, events } = await start({ edge: { ...LOCAL_EDGE, viewerRequestFunction: noStamp }, waf: REGISTER_LIMIT_10 });

    const res = await rawRequest(`${api.url}/register`, { method: 'POST', body: '{}' });
    // WAF's default block, answered by API Gateway's WAF_FILTERED gateway response.
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ message: 'Forbidden' });
    expect(res.headers['x-amzn-errortype']).toEqual(['ForbiddenException']);
    expect(events).toHaveLength(0);
  });

  it('answers 503 when the viewer-request function fails, as CloudFront does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-'));
    const failing = join(dir, 'failing.js');
    writeFileSync(failing, 'function handler(event) { throw new Error("boom"); }\n');
    const { api, events } = await start({ edge: { ...LOCAL_EDGE, viewerRequestFunction: failing } });

    expect((await rawRequest(`${api.url}/register`, { method: 'POST', body: '{}' })).status).toBe(503);
    expect(events).toHaveLength(0);
  });

  it('without a viewer-request function, headers pass as sent and the rate limits count the connection', async () => {
    const { api, events } = await start({ edge: { originResponseFunction: LOCAL_EDGE.originResponseFunction }, waf: REGISTER_LIMIT_10 });
    const statuses: number[] = [];
    for (let i = 1; i <= 11; i++) statuses.push((await rawRequest(`${api.url}/register`, { method: 'POST', body: '{}', headers: spoofs(i) })).status);

    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    expect(valuesIn(events[0]!, VIEWER_IP_HEADER)).toEqual(['203.0.113.1', '192.0.2.1']);
  });
});
