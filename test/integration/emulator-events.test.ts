/**
 * The API Gateway emulator over real HTTP: the proxy events it builds, routing, what it does
 * to integration responses (binary media types included), and API Gateway's payload limit
 * and integration timeout. WAF, throttling and the Lambda quotas: emulator-limits.test.ts.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { startApiGatewayEmulator } from '../../local/emulator/stage';
import type { EmulatedApiSpec, ProxyHandler, RunningApi } from '../../local/emulator/types';
import { rawRequest } from '../support/raw-http';

const running: RunningApi[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((api) => api.close()));
});

async function start(spec: Partial<EmulatedApiSpec> & Pick<EmulatedApiSpec, 'routes'>): Promise<RunningApi> {
  const api = await startApiGatewayEmulator({ name: 'events-test', port: 0, stage: 'test', ...spec });
  running.push(api);
  return api;
}

function recorder(result: APIGatewayProxyResult = { statusCode: 200, body: '{"ok":true}' }): { handler: ProxyHandler; events: APIGatewayProxyEvent[] } {
  const events: APIGatewayProxyEvent[] = [];
  return { events, handler: async (event) => (events.push(event), result) };
}

describe('proxy events', () => {
  it('builds a REST API v1 event with multi-valued query and headers, path parameters and request context', async () => {
    const { handler, events } = recorder();
    const api = await start({ routes: [{ method: 'GET', resource: '/things/{id}', handler }] });

    const res = await rawRequest(`${api.url}/things/a%20b?x=1&x=2&scope=tool%3Aread+admin`, {
      headers: { 'X-Dup': ['one', 'two'], 'User-Agent': 'emulator-test' },
    });

    expect(res.status).toBe(200);
    const event = events[0];
    expect(event.resource).toBe('/things/{id}');
    expect(event.path).toBe('/things/a%20b');
    expect(event.httpMethod).toBe('GET');
    expect(event.pathParameters).toEqual({ id: 'a b' });
    expect(event.queryStringParameters).toEqual({ x: '2', scope: 'tool:read admin' });
    expect(event.multiValueQueryStringParameters).toEqual({ x: ['1', '2'], scope: ['tool:read admin'] });
    expect(event.multiValueHeaders['X-Dup']).toEqual(['one', 'two']);
    expect(event.headers['X-Dup']).toBe('two');
    expect(event.headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.stageVariables).toBeNull();
    expect(event.requestContext).toMatchObject({
      stage: 'test',
      resourcePath: '/things/{id}',
      httpMethod: 'GET',
      path: '/test/things/a%20b',
      identity: { sourceIp: '127.0.0.1', userAgent: 'emulator-test' },
    });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event.requestContext.authorizer).toBeUndefined();
  });

  it('sends null query maps and path parameters when there are none, and the body as text', async () => {
    const { handler, events } = recorder();
    const api = await start({ routes: [{ method: 'POST', resource: '/token', handler }] });

    await rawRequest(`${api.url}/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=x&é=ü' });

    expect(events[0].queryStringParameters).toBeNull();
    expect(events[0].multiValueQueryStringParameters).toBeNull();
    expect(events[0].pathParameters).toBeNull();
    expect(events[0].body).toBe('grant_type=x&é=ü');
  });
});

describe('routing', () => {
  const named = (name: string): ProxyHandler => async () => ({ statusCode: 200, body: name });

  it('prefers a literal resource, then a parameter, then a greedy proxy, and an exact method over ANY', async () => {
    const api = await start({
      routes: [
        { method: 'ANY', resource: '/{proxy+}', handler: named('greedy') },
        { method: 'GET', resource: '/a/{id}', handler: named('param') },
        { method: 'GET', resource: '/a/b', handler: named('literal') },
        { method: 'ANY', resource: '/a/b', handler: named('literal-any') },
      ],
    });

    expect((await rawRequest(`${api.url}/a/b`)).body).toBe('literal');
    expect((await rawRequest(`${api.url}/a/b`, { method: 'DELETE' })).body).toBe('literal-any');
    expect((await rawRequest(`${api.url}/a/c`)).body).toBe('param');
    expect((await rawRequest(`${api.url}/a/c/d`)).body).toBe('greedy');
  });

  it('answers an unknown route, a missing method and the root without a root resource with 403 Missing Authentication Token', async () => {
    const { handler, events } = recorder();
    const api = await start({ routes: [{ method: 'ANY', resource: '/{proxy+}', handler }, { method: 'GET', resource: '/only-get', handler }] });

    for (const [method, path] of [['GET', '/'], ['POST', '/only-get']]) {
      const res = await rawRequest(`${api.url}${path}`, { method });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toEqual({ message: 'Missing Authentication Token' });
      expect(res.headers['x-amzn-errortype']).toEqual(['MissingAuthenticationTokenException']);
    }
    expect(events).toHaveLength(0);
  });
});

describe('integration responses', () => {
  it('renames WWW-Authenticate to x-amzn-Remapped-WWW-Authenticate and keeps every Set-Cookie', async () => {
    const api = await start({
      routes: [{
        method: 'GET', resource: '/r',
        handler: async () => ({
          statusCode: 401,
          headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"', 'Content-Type': 'text/plain' },
          multiValueHeaders: { 'Set-Cookie': ['a=1; Path=/', 'b=2; Path=/'] },
          body: 'no',
        }),
      }],
    });

    const res = await rawRequest(`${api.url}/r`);

    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBeUndefined();
    expect(res.headers['x-amzn-remapped-www-authenticate']).toEqual(['Bearer error="invalid_token"']);
    expect(res.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; Path=/']);
    expect(res.headers['content-type']).toEqual(['text/plain']);
    expect(res.body).toBe('no');
  });

  it('defaults Content-Type to application/json, and decodes a base64 body only for a binary media type the request accepts', async () => {
    const encoded = Buffer.from('{"é":1}').toString('base64');
    const api = await start({
      binaryMediaTypes: ['application/octet-stream'],
      routes: [{ method: 'GET', resource: '/b', handler: async () => ({ statusCode: 200, body: encoded, isBase64Encoded: true }) }],
    });

    const asText = await rawRequest(`${api.url}/b`, { headers: { Accept: 'application/json' } });
    const asBinary = await rawRequest(`${api.url}/b`, { headers: { Accept: 'application/octet-stream, application/json' } });

    expect(asText.headers['content-type']).toEqual(['application/json']);
    // Not one of the API's binaryMediaTypes: API Gateway passes the base64 text on as it is.
    expect(asText.body).toBe(encoded);
    expect(asBinary.body).toBe('{"é":1}');
  });

  it('hands the function a body of a binary media type base64-encoded, any other as text', async () => {
    const { handler, events } = recorder();
    const api = await start({ binaryMediaTypes: ['image/*'], routes: [{ method: 'POST', resource: '/u', handler }] });

    await rawRequest(`${api.url}/u`, { method: 'POST', headers: { 'Content-Type': 'image/png' }, body: Buffer.from([0x89, 0x50, 0x4e, 0x47]) });
    await rawRequest(`${api.url}/u`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' });

    expect(events.map((e) => [e.isBase64Encoded, e.body])).toEqual([[true, Buffer.from([0x89, 0x50, 0x4e, 0x47]).toString('base64')], [false, '{"a":1}']]);
  });

  it('turns a throwing function or a malformed proxy result into 502 Internal server error', async () => {
    const api = await start({
      routes: [
        { method: 'GET', resource: '/throws', handler: async () => { throw new Error('secret detail'); } },
        { method: 'GET', resource: '/malformed', handler: async () => ({ status: 200 }) as unknown as APIGatewayProxyResult },
      ],
    });

    for (const path of ['/throws', '/malformed']) {
      const res = await rawRequest(`${api.url}${path}`);
      expect(res.status).toBe(502);
      expect(JSON.parse(res.body)).toEqual({ message: 'Internal server error' });
      expect(res.body).not.toContain('secret');
    }
  });
});

describe('limits', () => {
  it('rejects a body over 10 MB with 413 without invoking the integration', async () => {
    const { handler, events } = recorder();
    const api = await start({ routes: [{ method: 'POST', resource: '/register', handler }] });

    const res = await rawRequest(`${api.url}/register`, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x61) });

    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ message: 'Request Too Long' });
    expect(events).toHaveLength(0);
  });

  it('accepts a body of exactly 10 MB, which Lambda then refuses (6 MB synchronous event): 500, the function never runs', async () => {
    const { handler, events } = recorder();
    const api = await start({ routes: [{ method: 'POST', resource: '/register', handler }] });

    const res = await rawRequest(`${api.url}/register`, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024, 0x61) });

    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ message: 'Internal server error' });
    expect(events).toHaveLength(0);
  });

  it('hands a function an event just under Lambda\'s 6 MB', async () => {
    const { handler, events } = recorder();
    const api = await start({ routes: [{ method: 'POST', resource: '/register', handler }] });

    const res = await rawRequest(`${api.url}/register`, { method: 'POST', body: Buffer.alloc(6 * 1024 * 1024 - 4096, 0x61) });

    expect(res.status).toBe(200);
    expect(events[0].body).toHaveLength(6 * 1024 * 1024 - 4096);
  });

  it('answers 504 Endpoint request timed out when the integration outlives the timeout', async () => {
    const api = await start({
      integrationTimeoutMs: 50,
      routes: [{ method: 'GET', resource: '/slow', handler: () => new Promise<APIGatewayProxyResult>(() => undefined) }],
    });

    const res = await rawRequest(`${api.url}/slow`);

    expect(res.status).toBe(504);
    expect(JSON.parse(res.body)).toEqual({ message: 'Endpoint request timed out' });
  });
});

describe('startup', () => {
  it('says which port to free when the port is taken', async () => {
    const { handler } = recorder();
    const first = await start({ routes: [{ method: 'GET', resource: '/x', handler }] });

    await expect(startApiGatewayEmulator({ name: 'second', port: first.port, routes: [] }))
      .rejects.toThrow(`second: port ${first.port} is already in use: stop what listens there, or choose another port.`);
  });
});
