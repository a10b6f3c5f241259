/**
 * Local mode's APIs take their routes, rate rules and throttling from the deployment's own
 * definitions (local/local-deployment.ts): what the CDK resources answer is what local mode
 * answers. A method or path the CDK app creates no resource for gets API Gateway's 403
 * Missing Authentication Token before any function runs; OPTIONS on the protected resource
 * metadata and on the MCP paths reaches its function without the authorizer, as the CDK's
 * open OPTIONS methods do.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { AUTHORIZATION_SERVER_ROUTES, protectedApiRoutes } from '../../lib/definitions/rest-routes';
import { authorizationServerRateRules, DEFAULT_RATE_LIMITS, DEFAULT_STAGE_THROTTLING, protectedApiRateRules } from '../../lib/definitions/rate-rules';
import { FUNCTION_SETTINGS } from '../../lib/definitions/function-settings';
import { startApiGatewayEmulator } from '../../local/emulator/stage';
import type { RunningApi } from '../../local/emulator/types';
import { authorizationServerRoutes, authorizationServerWebAcl, localStageThrottling, protectedApiWebAcl } from '../../local/local-deployment';
import { startLocalMcpApi } from '../../local/local-mcp-api';
import type { Config } from '../../lambda/core/config';
import { useDynamoDbTables } from '../support/dynamodb';
import { localConfig } from '../support/guard-token-forge';
import { rawRequest } from '../support/raw-http';

const running: RunningApi[] = [];
afterAll(async () => {
  await Promise.all(running.splice(0).map((api) => api.close()));
});

describe('the definitions local mode reads', () => {
  it('are the deployed ones, with the local section\'s overrides in place of deploy.rateLimits and deploy.stageThrottling', () => {
    const resource = { uri: 'http://localhost:8788/mcp' };
    expect(authorizationServerWebAcl({}).rules).toEqual(authorizationServerRateRules(DEFAULT_RATE_LIMITS));
    expect(protectedApiWebAcl({}, resource).rules).toEqual(protectedApiRateRules('/mcp', DEFAULT_RATE_LIMITS));
    expect(authorizationServerWebAcl({ rateLimits: { token: 20, windowSeconds: 60 } }).rules.find((r) => r.name === 'TokenRateLimit'))
      .toEqual({ name: 'TokenRateLimit', pathSuffix: '/token', limit: 20, windowSeconds: 60 });
    expect(localStageThrottling({}, 'authorizationServer')).toEqual(DEFAULT_STAGE_THROTTLING.authorizationServer);
    expect(localStageThrottling({ stageThrottling: { protectedApi: { burst: 5 } } }, 'protectedApi')).toEqual({ ...DEFAULT_STAGE_THROTTLING.protectedApi, burst: 5 });
  });
});

describe('the authorization server\'s routes', () => {
  let api: RunningApi;
  const events: APIGatewayProxyEvent[] = [];
  beforeAll(async () => {
    api = await startApiGatewayEmulator({ name: 'as-routes', port: 0, routes: authorizationServerRoutes(async (event) => (events.push(event), { statusCode: 200, body: '{}' })) });
    running.push(api);
  });

  it('routes exactly the methods AuthorizationServerApi creates, each with its group\'s function timeout', () => {
    const routes = authorizationServerRoutes(async () => ({ statusCode: 200, body: '' }));
    expect(routes.map((r) => `${r.method} ${r.resource}`).sort()).toEqual(AUTHORIZATION_SERVER_ROUTES.flatMap((r) => r.methods.map((m) => `${m} ${r.path}`)).sort());
    expect(routes.find((r) => r.resource === '/authorize')!.timeoutSeconds).toBe(FUNCTION_SETTINGS.browserEndpoints.timeoutSeconds);
    expect(routes.find((r) => r.resource === '/token')!.timeoutSeconds).toBe(FUNCTION_SETTINGS.tokenEndpoints.timeoutSeconds);
  });

  it.each([['DELETE', '/token'], ['GET', '/token'], ['PUT', '/register'], ['GET', '/'], ['GET', '/nowhere'], ['POST', '/authorize']])(
    '%s %s: no such method on the deployed API, so API Gateway answers 403 Missing Authentication Token',
    async (method, path) => {
      const before = events.length;
      const res = await rawRequest(`${api.url}${path}`, { method, ...(method === 'GET' ? {} : { body: '' }) });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toEqual({ message: 'Missing Authentication Token' });
      expect(events).toHaveLength(before);
    },
  );

  it('hands a CORS preflight of /token to the function, as the deployed OPTIONS method does', async () => {
    const res = await rawRequest(`${api.url}/token`, { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' } });
    expect(res.status).toBe(200);
    expect(events.at(-1)!.httpMethod).toBe('OPTIONS');
  });
});

describe('an MCP server\'s API', () => {
  const tables = useDynamoDbTables('emulator-deployment');
  let config: Config;
  let api: RunningApi;
  beforeAll(async () => {
    config = localConfig({ authorizerCacheTtlSeconds: 0 });
    api = await startLocalMcpApi({ config, resource: config.resources[0]!, port: 0, dynamoDb: tables().calls, tableNames: tables().names, log: () => undefined, jwksUri: 'http://127.0.0.1:9/unused' });
    running.push(api);
  });

  const preflight = (path: string) => rawRequest(`${api.url}${path}`, {
    method: 'OPTIONS',
    headers: { Origin: 'https://inspector.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
  });

  it('answers OPTIONS on the MCP path and on the protected resource metadata without the authorizer, where the CDK creates open OPTIONS methods', async () => {
    const resource = config.resources[0]!;
    const openOptions = protectedApiRoutes(resource).filter((r) => r.method === 'OPTIONS').map((r) => r.path);
    expect(openOptions).toEqual(expect.arrayContaining(['/mcp', '/.well-known/oauth-protected-resource/mcp']));
    for (const path of openOptions) {
      const res = await preflight(path);
      // The function answered, not API Gateway: every gateway response carries x-amzn-ErrorType, no function response does.
      expect({ path, errorType: res.headers['x-amzn-errortype'] }).toEqual({ path, errorType: undefined });
    }
  });

  it('puts every other method of the MCP path behind the authorizer (ANY), and refuses paths the CDK creates nothing for', async () => {
    const put = await rawRequest(`${api.url}/mcp`, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(401);
    expect(put.headers['www-authenticate']?.[0]).toMatch(/^Bearer /);

    const elsewhere = await rawRequest(`${api.url}/other`, { method: 'GET' });
    expect(elsewhere.status).toBe(403);
    expect(JSON.parse(elsewhere.body)).toEqual({ message: 'Missing Authentication Token' });
  });
});
