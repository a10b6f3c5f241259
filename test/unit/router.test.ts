/**
 * The router: dispatch by path and method, 404/405, CORS only where a script may read the
 * answer (never on the browser pages, docs/security.md, case 15), and no stack trace ever.
 */
import { createAuthorizationServer } from '../../lambda/core/authorization-server/router';
import { ENDPOINT_PATHS } from '../../lambda/core/authorization-server/endpoints';
import type { HttpRequest } from '../../lambda/core/http';
import { PUBLIC, codeParams, formRequest, json, seedCode, tokenDeps, verifyWithJose } from './token-fixtures';

const EVIL_ORIGIN = 'https://evil.example';

function request(method: string, path: string, headers: Record<string, string> = {}): HttpRequest {
  const lower = Object.fromEntries(Object.entries({ origin: EVIL_ORIGIN, ...headers }).map(([k, v]) => [k.toLowerCase(), [v]]));
  return { method, path, query: {}, headers: lower };
}

const corsPaths = [ENDPOINT_PATHS.metadata, ENDPOINT_PATHS.jwks, ENDPOINT_PATHS.token, ENDPOINT_PATHS.register, ENDPOINT_PATHS.revoke, ENDPOINT_PATHS.introspect];
const pagePaths: [string, string][] = [[ENDPOINT_PATHS.authorize, 'GET'], [ENDPOINT_PATHS.consent, 'POST'], [ENDPOINT_PATHS.upstreamCallback, 'GET']];
const hasCorsHeader = (headers: Record<string, string>) => Object.keys(headers).some((h) => h.toLowerCase().startsWith('access-control-'));

describe('authorization server router', () => {
  it('serves metadata and JWKS by GET, readable cross-origin without credentials', async () => {
    const server = createAuthorizationServer(tokenDeps());
    for (const path of [ENDPOINT_PATHS.metadata, ENDPOINT_PATHS.jwks]) {
      const response = await server.handle(request('GET', path));
      expect(response.status).toBe(200);
      expect(response.headers['Access-Control-Allow-Origin']).toBe('*');
      expect(response.headers['Access-Control-Allow-Credentials']).toBeUndefined();
    }
    const metadata = json(await server.handle(request('GET', ENDPOINT_PATHS.metadata)));
    expect(metadata.token_endpoint).toBe('http://localhost:8787/token');
    expect(json(await server.handle(request('GET', ENDPOINT_PATHS.jwks))).keys[0].kid).toBe('test-key-1');
  });

  it('redeems a code through POST /token end to end', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps);
    const response = await createAuthorizationServer(deps).handle(formRequest('/token', codeParams(code), { origin: EVIL_ORIGIN }));
    expect(response.status).toBe(200);
    expect(response.headers['Access-Control-Allow-Origin']).toBe('*');
    expect(response.headers['Cache-Control']).toBe('no-store');
    expect((await verifyWithJose(deps, json(response).access_token)).client_id).toBe(PUBLIC);
  });

  it.each(corsPaths)('answers a preflight for %s with the wildcard origin and no credentials', async (path) => {
    const response = await createAuthorizationServer(tokenDeps()).handle(request('OPTIONS', path, { 'access-control-request-method': 'POST' }));
    expect(response.status).toBe(204);
    expect(response.headers['Access-Control-Allow-Origin']).toBe('*');
    expect(response.headers['Access-Control-Allow-Methods']).toMatch(/OPTIONS/);
    expect(response.headers['Access-Control-Allow-Headers']).toMatch(/Authorization/);
    expect(response.headers['Access-Control-Allow-Credentials']).toBeUndefined();
  });

  it.each(pagePaths)('case 15: %s carries no CORS header, for its own method or for OPTIONS', async (path, method) => {
    const server = createAuthorizationServer(tokenDeps());
    const preflight = await server.handle(request('OPTIONS', path, { 'access-control-request-method': method }));
    expect(preflight.status).toBe(405);
    expect(hasCorsHeader(preflight.headers)).toBe(false);
    const page = await server.handle(request(method, path));
    expect(hasCorsHeader(page.headers)).toBe(false);
    expect(page.status).toBeLessThan(500);
  });

  it.each<[string, string, string]>([
    ['GET', ENDPOINT_PATHS.token, 'POST, OPTIONS'],
    ['DELETE', ENDPOINT_PATHS.revoke, 'POST, OPTIONS'],
    ['POST', ENDPOINT_PATHS.jwks, 'GET, OPTIONS'],
    ['POST', ENDPOINT_PATHS.authorize, 'GET'],
    ['GET', ENDPOINT_PATHS.consent, 'POST'],
  ])('%s %s -> 405 with Allow: %s', async (method, path, allow) => {
    const response = await createAuthorizationServer(tokenDeps()).handle(request(method, path));
    expect(response.status).toBe(405);
    expect(response.headers.Allow).toBe(allow);
    expect(json(response).error).toBe('invalid_request');
  });

  it.each(['/nope', '/token/', '/TOKEN', '/constructor', '/__proto__', '/.well-known/openid-configuration'])('%s -> 404 JSON', async (path) => {
    const response = await createAuthorizationServer(tokenDeps()).handle(request('GET', path));
    expect(response.status).toBe(404);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(json(response).error).toBe('not_found');
  });

  it('turns an unexpected failure into a generic 500 and logs it', async () => {
    const deps = tokenDeps();
    deps.signer.publicKeys = async () => { throw new Error('internal detail: key file at /secret/path'); };
    try {
      const response = await createAuthorizationServer(deps).handle(request('GET', ENDPOINT_PATHS.jwks));
      expect(response.status).toBe(500);
      expect(json(response)).toEqual({ error: 'server_error', error_description: 'The server could not complete the request.' });
      expect(response.body).not.toContain('secret');
      expect(response.headers['Access-Control-Allow-Origin']).toBe('*');
      expect(deps.errors).toHaveLength(1);
    } finally {
      delete (deps.signer as Partial<typeof deps.signer>).publicKeys;
    }
  });
});
