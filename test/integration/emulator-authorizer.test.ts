/**
 * The emulator's REQUEST authorizer over real HTTP: identity sources, the result cache, how
 * each kind of answer maps to a gateway response, policy evaluation per route (also for a
 * cached policy), and the context handed to the integration.
 */
import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { startApiGatewayEmulator } from '../../local/emulator/stage';
import type { EmulatedApiSpec, RequestAuthorizerHandler, RunningApi } from '../../local/emulator/types';
import { rawRequest } from '../support/raw-http';

const CHALLENGE = 'Bearer resource_metadata="http://localhost:8788/.well-known/oauth-protected-resource/mcp"';

const running: RunningApi[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((api) => api.close()));
});

interface Harness {
  readonly api: RunningApi;
  readonly authorizerEvents: APIGatewayRequestAuthorizerEvent[];
  readonly integrationEvents: APIGatewayProxyEvent[];
}

async function start(authorize: RequestAuthorizerHandler, options: { ttl?: number; gatewayResponses?: EmulatedApiSpec['gatewayResponses'] } = {}): Promise<Harness> {
  const authorizerEvents: APIGatewayRequestAuthorizerEvent[] = [];
  const integrationEvents: APIGatewayProxyEvent[] = [];
  const handler = async (event: APIGatewayProxyEvent) => {
    integrationEvents.push(event);
    return { statusCode: 200, body: JSON.stringify({ route: event.resource }) };
  };
  const api = await startApiGatewayEmulator({
    name: 'authorizer-test',
    port: 0,
    stage: 'prod',
    routes: [
      { method: 'GET', resource: '/a', handler, authorized: true },
      { method: 'GET', resource: '/b', handler, authorized: true },
      { method: 'GET', resource: '/public', handler },
    ],
    authorizer: {
      handler: async (event) => {
        authorizerEvents.push(event);
        return authorize(event);
      },
      identitySources: ['method.request.header.Authorization'],
      resultTtlSeconds: options.ttl ?? 0,
    },
    gatewayResponses: options.gatewayResponses,
  });
  running.push(api);
  return { api, authorizerEvents, integrationEvents };
}

function policy(effect: 'Allow' | 'Deny', resource: string | string[], context?: APIGatewayAuthorizerResult['context']): APIGatewayAuthorizerResult {
  return {
    principalId: 'user-1',
    policyDocument: { Version: '2012-10-17', Statement: [{ Effect: effect, Action: 'execute-api:Invoke', Resource: resource }] },
    ...(context ? { context } : {}),
  };
}

const allowExactArn: RequestAuthorizerHandler = async (event) => policy('Allow', event.methodArn);
const allowWholeApi: RequestAuthorizerHandler = async (event) => policy('Allow', event.methodArn.replace(/\/prod\/.*$/, '/prod/*/*'));
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('identity sources', () => {
  it('answers 401 Unauthorized without invoking the authorizer when the Authorization header is missing or empty', async () => {
    const h = await start(allowExactArn);

    for (const headers of [{}, { Authorization: '' }]) {
      const res = await rawRequest(`${h.api.url}/a`, { headers });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body)).toEqual({ message: 'Unauthorized' });
      expect(res.headers['x-amzn-errortype']).toEqual(['UnauthorizedException']);
    }
    expect(h.authorizerEvents).toHaveLength(0);
    expect(h.integrationEvents).toHaveLength(0);
  });

  it('leaves routes without authorization alone', async () => {
    const h = await start(allowExactArn);

    expect((await rawRequest(`${h.api.url}/public`)).status).toBe(200);
    expect(h.authorizerEvents).toHaveLength(0);
  });

  it('calls the authorizer with a REQUEST event and the method ARN of the request', async () => {
    const h = await start(allowExactArn);

    await rawRequest(`${h.api.url}/a?q=1`, { headers: bearer('t1') });

    const event = h.authorizerEvents[0];
    expect(event.type).toBe('REQUEST');
    expect(event.methodArn).toMatch(/^arn:aws:execute-api:us-east-1:123456789012:[a-z0-9]{10}\/prod\/GET\/a$/);
    expect(event.headers?.Authorization).toBe('Bearer t1');
    expect(event.queryStringParameters).toEqual({ q: '1' });
    expect(event.resource).toBe('/a');
    expect(event.requestContext.resourcePath).toBe('/a');
  });
});

describe('authorizer answers', () => {
  it('maps a thrown Error("Unauthorized") to 401', async () => {
    const h = await start(async () => {
      throw new Error('Unauthorized');
    });

    const res = await rawRequest(`${h.api.url}/a`, { headers: bearer('t') });

    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toEqual({ message: 'Unauthorized' });
    expect(h.integrationEvents).toHaveLength(0);
  });

  it('maps an explicit Deny to 403 ACCESS_DENIED', async () => {
    const h = await start(async (event) => policy('Deny', event.methodArn));

    const res = await rawRequest(`${h.api.url}/a`, { headers: bearer('t') });

    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ Message: 'User is not authorized to access this resource with an explicit deny' });
    expect(res.headers['x-amzn-errortype']).toEqual(['AccessDeniedException']);
    expect(h.integrationEvents).toHaveLength(0);
  });

  it.each([
    ['another error', async () => { throw new Error('boom'); }],
    ['no principalId', async (e: APIGatewayRequestAuthorizerEvent) => ({ ...policy('Allow', e.methodArn), principalId: undefined })],
    ['no policy document', async () => ({ principalId: 'x' })],
    ['an Effect that is not Allow or Deny', async (e: APIGatewayRequestAuthorizerEvent) => ({ principalId: 'x', policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'allow', Action: 'execute-api:Invoke', Resource: e.methodArn }] } })],
    ['an object in the context', async (e: APIGatewayRequestAuthorizerEvent) => ({ ...policy('Allow', e.methodArn), context: { nested: { a: 1 } } })],
    ['undefined', async () => undefined],
  ])('maps %s to 500 AUTHORIZER_CONFIGURATION_ERROR', async (_name, authorize) => {
    const h = await start(authorize as unknown as RequestAuthorizerHandler);

    const res = await rawRequest(`${h.api.url}/a`, { headers: bearer('t') });

    expect(res.status).toBe(500);
    expect(JSON.parse(res.body)).toEqual({ message: null });
    expect(res.headers['x-amzn-errortype']).toEqual(['AuthorizerConfigurationException']);
    expect(h.integrationEvents).toHaveLength(0);
  });

  it('answers 403 when an Allow names another resource (implicit deny)', async () => {
    const h = await start(async (event) => policy('Allow', event.methodArn.replace(/GET\/a$/, 'GET/other')));

    const res = await rawRequest(`${h.api.url}/a`, { headers: bearer('t') });

    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual({ Message: 'User is not authorized to access this resource' });
  });

  it('hands the context to the integration as strings, with the principal', async () => {
    const h = await start(async (event) => policy('Allow', event.methodArn, { sub: 'alice', scopeCount: 2, admin: true }));

    const res = await rawRequest(`${h.api.url}/a`, { headers: bearer('t') });

    expect(res.status).toBe(200);
    expect(h.integrationEvents[0].requestContext.authorizer).toEqual({ sub: 'alice', scopeCount: '2', admin: 'true', principalId: 'user-1' });
  });
});

describe('result cache', () => {
  it('reuses a result for the same identity within the TTL and calls again for another identity', async () => {
    const h = await start(allowWholeApi, { ttl: 300 });

    for (const token of ['t1', 't1', 't2', 't1']) expect((await rawRequest(`${h.api.url}/a`, { headers: bearer(token) })).status).toBe(200);

    expect(h.authorizerEvents.map((e) => e.headers?.Authorization)).toEqual(['Bearer t1', 'Bearer t2']);
    expect(h.integrationEvents).toHaveLength(4);
  });

  it('calls the authorizer on every request when the TTL is 0', async () => {
    const h = await start(allowWholeApi, { ttl: 0 });

    for (let i = 0; i < 3; i++) await rawRequest(`${h.api.url}/a`, { headers: bearer('t1') });

    expect(h.authorizerEvents).toHaveLength(3);
  });

  it('evaluates a cached policy against the route it is reused on', async () => {
    const h = await start(allowExactArn, { ttl: 300 });

    const first = await rawRequest(`${h.api.url}/a`, { headers: bearer('t1') });
    const second = await rawRequest(`${h.api.url}/b`, { headers: bearer('t1') });

    expect(first.status).toBe(200);
    expect(second.status).toBe(403);
    expect(h.authorizerEvents).toHaveLength(1);
    expect(h.integrationEvents.map((e) => e.resource)).toEqual(['/a']);
  });

  it('lets a policy that covers the whole API serve every route from the cache', async () => {
    const h = await start(allowWholeApi, { ttl: 300 });

    expect((await rawRequest(`${h.api.url}/a`, { headers: bearer('t1') })).status).toBe(200);
    expect((await rawRequest(`${h.api.url}/b`, { headers: bearer('t1') })).status).toBe(200);
    expect(h.authorizerEvents).toHaveLength(1);
  });

  it('caches a Deny too, and clearAuthorizerCache drops it', async () => {
    let allow = false;
    const h = await start(async (event) => policy(allow ? 'Allow' : 'Deny', event.methodArn), { ttl: 300 });

    expect((await rawRequest(`${h.api.url}/a`, { headers: bearer('t1') })).status).toBe(403);
    allow = true;
    expect((await rawRequest(`${h.api.url}/a`, { headers: bearer('t1') })).status).toBe(403);
    h.api.clearAuthorizerCache();
    expect((await rawRequest(`${h.api.url}/a`, { headers: bearer('t1') })).status).toBe(200);
    expect(h.authorizerEvents).toHaveLength(2);
  });
});

describe('gateway responses', () => {
  it('sends the configured UNAUTHORIZED and ACCESS_DENIED responses with WWW-Authenticate intact', async () => {
    const h = await start(async (event) => policy('Deny', event.methodArn), {
      gatewayResponses: {
        UNAUTHORIZED: { statusCode: 401, headers: { 'WWW-Authenticate': CHALLENGE }, body: '{"message":$context.error.messageString}' },
        ACCESS_DENIED: { statusCode: 403, headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' } },
      },
    });

    const missing = await rawRequest(`${h.api.url}/a`);
    const denied = await rawRequest(`${h.api.url}/a`, { headers: bearer('t') });

    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toEqual([CHALLENGE]);
    expect(missing.headers['x-amzn-remapped-www-authenticate']).toBeUndefined();
    expect(JSON.parse(missing.body)).toEqual({ message: 'Unauthorized' });
    expect(denied.status).toBe(403);
    expect(denied.headers['www-authenticate']).toEqual(['Bearer error="insufficient_scope"']);
  });

  it('falls back to DEFAULT_4XX for a type that is not customised, keeping the type status when DEFAULT_4XX sets none', async () => {
    const h = await start(allowExactArn, {
      gatewayResponses: { DEFAULT_4XX: { headers: { 'Access-Control-Allow-Origin': '*' }, body: '{"error":"$context.error.responseType"}' } },
    });

    const res = await rawRequest(`${h.api.url}/nowhere`);

    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toEqual(['*']);
    expect(JSON.parse(res.body)).toEqual({ error: 'MISSING_AUTHENTICATION_TOKEN' });
  });

  it('applies a customised DEFAULT_4XX status to every 4XX type not customised itself, as AWS does', async () => {
    const h = await start(async (event) => policy('Deny', event.methodArn), {
      gatewayResponses: {
        DEFAULT_4XX: { statusCode: 400, headers: {}, body: '{"error":"$context.error.responseType"}' },
        UNAUTHORIZED: { statusCode: 401, headers: { 'WWW-Authenticate': CHALLENGE } },
      },
    });

    const missingRoute = await rawRequest(`${h.api.url}/nowhere`);
    const denied = await rawRequest(`${h.api.url}/a`, { headers: bearer('t') });
    const missingToken = await rawRequest(`${h.api.url}/a`);

    expect([missingRoute.status, JSON.parse(missingRoute.body)]).toEqual([400, { error: 'MISSING_AUTHENTICATION_TOKEN' }]);
    expect([denied.status, JSON.parse(denied.body)]).toEqual([400, { error: 'ACCESS_DENIED' }]);
    // A type customised itself keeps its own status.
    expect(missingToken.status).toBe(401);
  });
});
