/**
 * The limits the emulator enforces as AWS does, over real HTTP, with a controllable clock
 * where time matters (no test waits out a window): the WAF rate-based rules the deployment
 * defines (sliding window, an estimate that lags, URL-decoded path suffixes, the all-paths
 * rule, 429 without Retry-After), the stage's token bucket (429 THROTTLED), each function's
 * Lambda timeout beside the integration timeout (a stream cut at it), the authorizer's
 * timeout, and Lambda's 6 MB response quota.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { authorizationServerRateRules, DEFAULT_RATE_LIMITS, type RateLimits } from '../../lib/definitions/rate-rules';
import { startApiGatewayEmulator } from '../../local/emulator/stage';
import { lambdaResponseStream } from '../../local/emulator/streaming-integration';
import type { EmulatedApiSpec, ProxyHandler, RunningApi } from '../../local/emulator/types';
import { rawRequest } from '../support/raw-http';

const running: RunningApi[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((api) => api.close()));
});

/** A clock the test moves by hand. */
function manualClock(startMs = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let current = startMs;
  return { now: () => current, advance: (ms) => (current += ms) };
}

async function start(spec: Partial<EmulatedApiSpec>): Promise<{ api: RunningApi; events: APIGatewayProxyEvent[] }> {
  const events: APIGatewayProxyEvent[] = [];
  const handler: ProxyHandler = async (event) => (events.push(event), { statusCode: 200, body: '{}' });
  const api = await startApiGatewayEmulator({ name: 'limits-test', port: 0, routes: [{ method: 'ANY', resource: '/{proxy+}', handler }], ...spec });
  running.push(api);
  return { api, events };
}

const post = (api: RunningApi, path: string) => rawRequest(`${api.url}${path}`, { method: 'POST', body: '{}' });

/** The authorization server's deployed rules with some limits changed, as `local.rateLimits` changes them. */
const asRules = (changes: Partial<RateLimits>) => authorizationServerRateRules({ ...DEFAULT_RATE_LIMITS, ...changes });

describe('WAF rate-based rules', () => {
  it('counts over a sliding window: blocked past the limit, allowed again once old requests leave the window', async () => {
    const clock = manualClock();
    const { api } = await start({ now: clock.now, waf: { rules: asRules({ register: 10, windowSeconds: 60 }) } });

    const first = [];
    for (let i = 0; i < 10; i++) {
      first.push((await post(api, '/register')).status);
      clock.advance(1000);
    }
    expect(first).toEqual(Array(10).fill(200));
    expect((await post(api, '/register')).status).toBe(429);

    // 60 s after the first request it has left the window; the blocked one still counts.
    clock.advance(50_001);
    expect((await post(api, '/register')).status).toBe(429);
    clock.advance(2_000);
    expect((await post(api, '/register')).status).toBe(200);
  });

  it('blocks on an estimate that lags: past the limit, requests pass until the next estimate, and the block outlasts the flood', async () => {
    const clock = manualClock();
    const { api, events } = await start({ now: clock.now, waf: { rules: asRules({ register: 10, windowSeconds: 300 }), estimateIntervalMs: 10_000 } });

    const burst = [];
    for (let i = 0; i < 25; i++) burst.push((await post(api, '/register')).status);
    // One estimate at the first request (1 <= 10): the whole burst passes.
    expect(burst).toEqual(Array(25).fill(200));

    clock.advance(10_000);
    expect((await post(api, '/register')).status).toBe(429);
    expect(events).toHaveLength(25);

    // Within the window, and at the same estimate, the client stays blocked.
    clock.advance(100_000);
    expect((await post(api, '/register')).status).toBe(429);
    // 300 s after the burst, the next estimate counts only the two blocked requests.
    clock.advance(200_001);
    expect((await post(api, '/register')).status).toBe(200);
  });

  it('answers 429 with the deployed rule\'s custom response: no body, no Retry-After', async () => {
    const { api } = await start({ waf: { rules: asRules({ token: 10 }) } });
    for (let i = 0; i < 10; i++) await post(api, '/token');

    const blocked = await post(api, '/token');

    expect(blocked.status).toBe(429);
    expect(blocked.body).toBe('');
    expect(blocked.headers['retry-after']).toBeUndefined();
  });

  it('matches the URL-decoded path by its suffix, so /t%6Fken counts as /token and /oauth/token too', async () => {
    const { api } = await start({ waf: { rules: asRules({ token: 10 }) } });
    const statuses = [];
    for (const path of ['/token', '/t%6Fken', '/oauth/token', '/token', '/t%6fken', '/oauth/token', '/token', '/token', '/token', '/token', '/t%6Fken']) statuses.push((await post(api, path)).status);

    expect(statuses).toEqual([...Array(10).fill(200), 429]);
    expect((await post(api, '/register')).status).toBe(200);
  });

  it('limits /revoke and /introspect each, and every path together with the all-paths rule', async () => {
    const { api } = await start({ waf: { rules: asRules({ revoke: 10, introspect: 10, authorizationServerAllPaths: 30 }) } });
    for (let i = 0; i < 10; i++) {
      expect((await post(api, '/revoke')).status).toBe(200);
      expect((await post(api, '/introspect')).status).toBe(200);
    }
    expect((await post(api, '/revoke')).status).toBe(429);
    expect((await post(api, '/introspect')).status).toBe(429);

    // The blocked two ended at their own rules; the all-paths rule has counted 20 so far.
    const others = [];
    for (let i = 0; i < 11; i++) others.push((await post(api, `/page-${i}`)).status);
    expect(others).toEqual([...Array(10).fill(200), 429]);
  });

  it('counts each client separately', async () => {
    const { api } = await start({ edge: { viewerIpHeader: 'x-viewer' }, waf: { rules: asRules({ register: 10 }) } });
    const send = (viewer: string) => rawRequest(`${api.url}/register`, { method: 'POST', body: '{}', headers: { 'X-Viewer': viewer } });
    for (let i = 0; i < 10; i++) await send('198.51.100.1');

    expect((await send('198.51.100.1')).status).toBe(429);
    expect((await send('198.51.100.2')).status).toBe(200);
  });

  it('refuses rules AWS WAF would refuse: a limit below 10, a window it does not offer', async () => {
    await expect(start({ waf: { rules: [{ name: 'Low', limit: 9, windowSeconds: 60 }] } })).rejects.toThrow('Low: the limit must be a whole number >= 10');
    await expect(start({ waf: { rules: [{ name: 'Odd', limit: 10, windowSeconds: 30 as 60 }] } })).rejects.toThrow('Odd: the window must be one of 60, 120, 300, 600 s');
  });
});

describe('stage throttling', () => {
  it('lets a burst through, then answers 429 THROTTLED with API Gateway\'s body until the bucket refills', async () => {
    const clock = manualClock();
    const { api, events } = await start({ now: clock.now, throttling: { ratePerSecond: 2, burst: 3 } });

    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(api, '/x')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);

    const throttled = await post(api, '/x');
    expect(throttled.status).toBe(429);
    expect(JSON.parse(throttled.body)).toEqual({ message: 'Too Many Requests' });
    expect(throttled.headers['x-amzn-errortype']).toEqual(['TooManyRequestsException']);
    expect(events).toHaveLength(3);

    clock.advance(500);
    expect((await post(api, '/x')).status).toBe(200);
    expect((await post(api, '/x')).status).toBe(429);
  });
});

describe('Lambda timeouts and quotas', () => {
  const never = () => new Promise<never>(() => undefined);

  it('a function past its own timeout fails as a Lambda does: 502, before the integration timeout', async () => {
    const api = await startApiGatewayEmulator({ name: 'timeouts', port: 0, routes: [{ method: 'GET', resource: '/slow', handler: never, timeoutSeconds: 0.05 }] });
    running.push(api);

    const res = await rawRequest(`${api.url}/slow`);

    expect(res.status).toBe(502);
    expect(JSON.parse(res.body)).toEqual({ message: 'Internal server error' });
  });

  it('a function whose timeout is longer than the integration timeout gets the 504 of INTEGRATION_TIMEOUT', async () => {
    const api = await startApiGatewayEmulator({ name: 'timeouts', port: 0, integrationTimeoutMs: 50, routes: [{ method: 'GET', resource: '/slow', handler: never, timeoutSeconds: 300 }] });
    running.push(api);

    const res = await rawRequest(`${api.url}/slow`);

    expect(res.status).toBe(504);
    expect(JSON.parse(res.body)).toEqual({ message: 'Endpoint request timed out' });
  });

  it('an authorizer past its timeout is a configuration error: 500, the integration never runs', async () => {
    const { api, events } = await start({
      routes: [{ method: 'GET', resource: '/a', handler: async (event) => (events.push(event), { statusCode: 200, body: '{}' }), authorized: true }],
      authorizer: { handler: never, identitySources: ['method.request.header.Authorization'], resultTtlSeconds: 0, timeoutSeconds: 0.05 },
    });

    const res = await rawRequest(`${api.url}/a`, { headers: { Authorization: 'Bearer t' } });

    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ message: null });
    expect(res.headers['x-amzn-errortype']).toEqual(['AuthorizerConfigurationException']);
    expect(events).toHaveLength(0);
  });

  it('a result over Lambda\'s 6 MB response quota is a function error: 502', async () => {
    const big = 'a'.repeat(6 * 1024 * 1024 + 100);
    const api = await startApiGatewayEmulator({
      name: 'quota',
      port: 0,
      routes: [
        { method: 'GET', resource: '/big', handler: async () => ({ statusCode: 200, body: big }) },
        { method: 'GET', resource: '/fits', handler: async () => ({ statusCode: 200, body: big.slice(0, 6 * 1024 * 1024 - 1024) }) },
      ],
    });
    running.push(api);

    expect((await rawRequest(`${api.url}/big`)).status).toBe(502);
    expect((await rawRequest(`${api.url}/fits`)).status).toBe(200);
  });

  it('a streaming function past its own timeout has its stream cut where it got to', async () => {
    const api = await startApiGatewayEmulator({
      name: 'stream-timeout',
      port: 0,
      routes: [{
        method: 'GET',
        resource: '/events',
        responseTransferMode: 'STREAM',
        timeoutSeconds: 0.2,
        handler: async (_event, responseStream) => {
          lambdaResponseStream(responseStream, { statusCode: 200, headers: { 'Content-Type': 'text/event-stream' } }).write('data: first\n\n');
          await never();
        },
      }],
    });
    running.push(api);

    const response = await fetch(`${api.url}/events`);
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: first\n\n');
    // The invocation ends at the timeout: the connection is cut instead of the stream ending normally.
    await expect(reader.read()).rejects.toThrow();
  });
});
