/**
 * docs/security.md, cases 63 (route precedence) and 64 (cached policies), as examples and as
 * fast-check properties over generated route tables, run on real parts: the emulator's
 * router (local/emulator/route-matcher.ts), its authorizer step with its result cache and
 * IAM policy evaluation (local/emulator/authorizer.ts), the real authorizer (tokens signed by
 * a real RSA key whose JWKS a loopback server publishes) and the config schema's route-table
 * validation. The CDK side of case 63 (the REST resources McpProtectedApi creates are the
 * emulator's) is test/infra/mcp-protected-api.test.ts.
 *
 * Every run has a fixed seed; a counterexample reproduces with the same command.
 */
import fc from 'fast-check';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTHORIZER_IDENTITY_SOURCES } from '../../lambda/adapters/apigw/authorizer-policy';
import { createAuthorizer, type RequestAuthorizer } from '../../lambda/adapters/apigw/request-authorizer';
import { ConfigError, parseConfig } from '../../lambda/adapters/config/parse-config';
import type { Config, ResourceConfig, RouteRuleConfig } from '../../lambda/core/config';
import { compileAccessRules } from '../../lambda/core/guard/access-decision';
import { protectedApiRoutes } from '../../lib/definitions/rest-routes';
import { EmulatedAuthorizerStep, type AuthorizerOutcome } from '../../local/emulator/authorizer';
import { matchRoute } from '../../local/emulator/route-matcher';
import type { EmulatedRoute } from '../../local/emulator/types';
import { createTestSigningKey, mintAccessToken, startLoopbackServer, type LoopbackServer, type TestSigningKey } from '../support/guard-token-forge';
import { InMemoryRevocationStore } from '../support/in-memory-ports';

const RAW_CONFIG = JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));
const SCOPES = ['s1', 's2', 's3'] as const;
const METHODS = ['GET', 'POST', 'PUT', 'DELETE'] as const;

/** The product config with this route table for its one resource, or the validator's problems. */
function configWith(routes: readonly RouteRuleConfig[], cacheTtlSeconds = 300): Config | { problems: readonly string[] } {
  const resource = {
    ...RAW_CONFIG.resources[0],
    scopes: SCOPES.map((name) => ({ name, description: name })),
    defaultScopes: ['s1'],
    tools: [],
    routes,
  };
  try {
    return parseConfig({ ...RAW_CONFIG, resources: [resource], clients: [], trustedIdentityProviders: [], groupScopes: { g: [...SCOPES] }, guard: { authorizerCacheTtlSeconds: cacheTtlSeconds, revocationCacheTtlSeconds: 0, clockSkewSeconds: 30 } });
  } catch (error) {
    if (error instanceof ConfigError) return { problems: error.problems };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------
// Generated route tables and requests, under the resource path /mcp

const segment = fc.constantFrom('a', 'b', 'admin', '{p}');
const routePath = fc.oneof(
  fc.constant('/mcp'),
  fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => `/mcp/${parts.join('/')}`),
  fc.array(segment, { minLength: 0, maxLength: 2 }).map((parts) => `/mcp/${[...parts, '{rest+}'].join('/')}`),
);
const rule = fc.record({ method: fc.constantFrom('GET', 'POST', 'ANY'), path: routePath, scopes: fc.subarray([...SCOPES], { minLength: 1 }) });

/** Rank of a pattern's segments: what API Gateway prefers, most specific first. */
const rank = (path: string) => path.split('/').slice(1).map((s) => (s.endsWith('+}') ? 2 : s.startsWith('{') ? 1 : 0));
function moreSpecificFirst(a: RouteRuleConfig, b: RouteRuleConfig): number {
  const [x, y] = [rank(a.path), rank(b.path)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  if (x.length !== y.length) return y.length - x.length;
  return Number(a.method === 'ANY') - Number(b.method === 'ANY');
}

/** Tables as people write them (any order) and in API Gateway's order, so that both refusals and accepted tables are common. */
const routeTable = fc.tuple(fc.uniqueArray(rule, { minLength: 1, maxLength: 6, selector: (r) => `${r.method} ${r.path}` }), fc.boolean())
  .map(([routes, sorted]) => (sorted ? [...routes].sort(moreSpecificFirst) : routes));

const requestPath = fc.array(fc.constantFrom('a', 'b', 'admin', 'x'), { minLength: 0, maxLength: 4 }).map((parts) => `/mcp${parts.length ? `/${parts.join('/')}` : ''}`);
const request = fc.record({ method: fc.constantFrom(...METHODS), path: requestPath });

/** Reading the table top to bottom, the first rule whose pattern and method match: what an operator reads into it. */
function firstMatch(routes: readonly RouteRuleConfig[], method: string, path: string): RouteRuleConfig | undefined {
  const got = path.split('/').slice(1);
  return routes.find((route) => {
    if (route.method !== method && route.method !== 'ANY') return false;
    const want = route.path.split('/').slice(1);
    for (let i = 0; i < want.length; i++) {
      if (want[i]!.endsWith('+}')) return got.length > i;
      if (i >= got.length || (!want[i]!.startsWith('{') && want[i] !== got[i])) return false;
    }
    return want.length === got.length;
  });
}

const noHandler = async () => ({ statusCode: 200, body: '' });

/** The REST resources the API deploys for this resource, as the emulator routes them. */
function emulatedRoutes(resource: ResourceConfig): EmulatedRoute[] {
  return protectedApiRoutes(resource).map((route) => ({ method: route.method, resource: route.path, handler: noHandler, authorized: route.guarded }));
}

function proxyEvent(resourcePath: string, method: string, path: string, token: string): APIGatewayProxyEvent {
  return {
    resource: resourcePath,
    path,
    httpMethod: method,
    headers: { Authorization: `Bearer ${token}` },
    multiValueHeaders: { Authorization: [`Bearer ${token}`] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: { resourcePath, httpMethod: method, path: `/local${path}`, stage: 'local' } as APIGatewayProxyEvent['requestContext'],
  };
}

let key: TestSigningKey;
let jwks: LoopbackServer;
const tokens = new Map<string, string>();

beforeAll(async () => {
  key = await createTestSigningKey();
  jwks = await startLoopbackServer(() => ({ status: 200, body: JSON.stringify({ keys: [key.publicJwk] }) }));
});
afterAll(async () => jwks?.close());

async function tokenWith(config: Config, scopes: readonly string[]): Promise<string> {
  const cacheKey = scopes.join(' ');
  let token = tokens.get(cacheKey);
  if (!token) tokens.set(cacheKey, (token = await mintAccessToken(config, key, { claims: { scope: cacheKey } })));
  return token;
}

function authorizerFor(config: Config): RequestAuthorizer {
  return createAuthorizer({ config, resource: config.resources[0]!, jwksUri: `${jwks.url}/.well-known/jwks.json`, revocations: new InMemoryRevocationStore(), log: () => undefined });
}

/** What the emulator answers a request: no route (API Gateway's own 403), or the authorizer step's outcome, through its cache. */
async function throughEmulator(step: EmulatedAuthorizerStep, routes: EmulatedRoute[], method: string, path: string, token: string): Promise<string> {
  const match = matchRoute(routes, method, path);
  if (!match) return 'no route';
  const outcome: AuthorizerOutcome = await step.authorize(proxyEvent(match.route.resource, method, path, token));
  return outcome.ok ? 'allow' : outcome.refusal;
}

describe('63. route precedence', () => {
  const issueTable = [
    { method: 'POST', path: '/mcp/{tenant}', scopes: ['s1'] },
    { method: 'POST', path: '/mcp/admin', scopes: ['s3'] },
  ];

  it('the config validator refuses POST /mcp/{tenant} listed before POST /mcp/admin, naming both routes', () => {
    const refused = configWith(issueTable);
    expect('problems' in refused && refused.problems).toEqual([
      'resources[0].routes[1]: must come before routes[0] (POST /mcp/{tenant}): API Gateway routes /mcp/admin to /mcp/admin, not to /mcp/{tenant} (a literal segment before {param} before {proxy+})',
    ]);
  });

  it('in the order API Gateway routes, a token with only the {tenant} route\'s scope is refused (403) on POST /mcp/admin and let through on POST /mcp/t1', async () => {
    const config = configWith([issueTable[1]!, issueTable[0]!], 0) as Config;
    const step = new EmulatedAuthorizerStep({ handler: authorizerFor(config), identitySources: AUTHORIZER_IDENTITY_SOURCES, resultTtlSeconds: 0 }, 'api', 'local');
    const routes = emulatedRoutes(config.resources[0]!);
    const token = await tokenWith(config, ['s1']);
    expect(await throughEmulator(step, routes, 'POST', '/mcp/admin', token)).toBe('ACCESS_DENIED');
    expect(await throughEmulator(step, routes, 'POST', '/mcp/t1', token)).toBe('allow');
  });

  it('property: for every table the validator accepts and every request, the emulator\'s router, the authorizer\'s rule and the table read top to bottom agree; every other table is refused with a named route', () => {
    let accepted = 0;
    fc.assert(
      fc.property(routeTable, fc.array(request, { minLength: 1, maxLength: 20 }), (routes, requests) => {
        const config = configWith(routes);
        if ('problems' in config) {
          expect(config.problems.every((p) => /^resources\[0\]\.routes\[\d+\]/.test(p) && /routes\[\d+\] \(|must|API Gateway/.test(p))).toBe(true);
          return;
        }
        accepted++;
        const resource = config.resources[0]!;
        const rules = compileAccessRules(resource);
        const emulated = emulatedRoutes(resource);
        for (const { method, path } of requests) {
          const matched = matchRoute(emulated, method, path);
          const chosen = matched ? rules.routeFor(matched.route.resource, method) : undefined;
          const read = firstMatch(resource.routes, method, path);
          expect({ method, path, rule: chosen && `${chosen.method} ${chosen.path}` }).toEqual({ method, path, rule: read && `${read.method} ${read.path}` });
        }
      }),
      { seed: 6363, numRuns: 600 },
    );
    // The generator must reach accepted tables often, or the property says little.
    expect(accepted).toBeGreaterThan(150);
  });
});

describe('64. cached policies', () => {
  it('example: ANY /mcp/items/{id}/purge [s3] and ANY /mcp/items/{id}/{proxy+} [s1]: a cached answer for one route is never replayed on the other', async () => {
    // With only POST on purge, GET .../purge would reach a resource where no rule applies while the table reads as if the broad rule did: refused.
    const postOnly = configWith([{ method: 'POST', path: '/mcp/items/{id}/purge', scopes: ['s3'] }, { method: 'ANY', path: '/mcp/items/{id}/{proxy+}', scopes: ['s1'] }]);
    expect('problems' in postOnly && postOnly.problems).toEqual([
      'resources[0].routes[1]: does not apply to GET, PUT, PATCH, DELETE, HEAD /mcp/items/x/purge: API Gateway routes that path to /mcp/items/{id}/purge, where no rule names these methods; add an ANY rule for /mcp/items/{id}/purge',
    ]);
    const config = configWith([{ method: 'ANY', path: '/mcp/items/{id}/purge', scopes: ['s3'] }, { method: 'ANY', path: '/mcp/items/{id}/{proxy+}', scopes: ['s1'] }]) as Config;
    const routes = emulatedRoutes(config.resources[0]!);
    const cached = () => new EmulatedAuthorizerStep({ handler: authorizerFor(config), identitySources: AUTHORIZER_IDENTITY_SOURCES, resultTtlSeconds: 300 }, 'api', 'local');
    // A reader's Allow on the broad route does not widen to purge...
    const reader = cached();
    const s1 = await tokenWith(config, ['s1']);
    expect(await throughEmulator(reader, routes, 'GET', '/mcp/items/1/x', s1)).toBe('allow');
    expect(await throughEmulator(reader, routes, 'POST', '/mcp/items/1/purge', s1)).toBe('ACCESS_DENIED');
    // ...and a purger's Deny on the broad route does not narrow purge.
    const purger = cached();
    const s3 = await tokenWith(config, ['s3']);
    expect(await throughEmulator(purger, routes, 'GET', '/mcp/items/1/x', s3)).toBe('ACCESS_DENIED');
    expect(await throughEmulator(purger, routes, 'POST', '/mcp/items/1/purge', s3)).toBe('allow');
  });

  const scenario = fc.record({
    routes: routeTable,
    scopes: fc.subarray([...SCOPES]),
    first: request,
    second: request,
  });

  type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

  /** The second request's answer after the first filled the cache, and a fresh decision on it. */
  async function replayedAndFresh(s: Scenario, identitySources: readonly string[]): Promise<{ replayed: string; fresh: string } | undefined> {
    const cachedConfig = configWith(s.routes, 300);
    if ('problems' in cachedConfig) return undefined;
    const freshConfig = configWith(s.routes, 0) as Config;
    const routes = emulatedRoutes(cachedConfig.resources[0]!);
    const token = await tokenWith(cachedConfig, s.scopes.length ? s.scopes : ['s1']);
    const cached = new EmulatedAuthorizerStep({ handler: authorizerFor(cachedConfig), identitySources, resultTtlSeconds: 300 }, 'api', 'local');
    const fresh = new EmulatedAuthorizerStep({ handler: authorizerFor(freshConfig), identitySources, resultTtlSeconds: 0 }, 'api', 'local');
    await throughEmulator(cached, routes, s.first.method, s.first.path, token);
    return {
      replayed: await throughEmulator(cached, routes, s.second.method, s.second.path, token),
      fresh: await throughEmulator(fresh, routes, s.second.method, s.second.path, token),
    };
  }

  it('property: within the TTL, the answer to a second request with the same token equals a fresh decision (no widening, no narrowing), whatever the route table', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const answers = await replayedAndFresh(s, AUTHORIZER_IDENTITY_SOURCES);
        if (answers) expect(answers.replayed).toBe(answers.fresh);
      }),
      { seed: 6464, numRuns: 400 },
    );
  });

  it('control: with the Authorization header as the only identity source (the cache key before this design), the same property finds a counterexample', async () => {
    const result = await fc.check(
      fc.asyncProperty(scenario, async (s) => {
        const answers = await replayedAndFresh(s, ['method.request.header.Authorization']);
        return !answers || answers.replayed === answers.fresh;
      }),
      { seed: 6464, numRuns: 400 },
    );
    expect(result.failed).toBe(true);
  });
});
