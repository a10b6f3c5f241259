/**
 * The /token request itself, before any grant runs: body format, repeated parameters,
 * grant type selection (docs/security.md, case 28) and the client's allowed grants.
 */
import { serve } from '../support/serve';
import type { HttpRequest } from '../../lambda/core/http';
import {
  CODE_ONLY, CONFIDENTIAL, CONFIDENTIAL_SECRET, PUBLIC,
  basicAuth, codeParams, formRequest, json, login, seedCode, snapshot, token, tokenDeps,
} from './token-fixtures';

describe('/token request handling', () => {
  it.each<[string, (request: HttpRequest) => HttpRequest]>([
    ['a JSON body', (r) => ({ ...r, headers: { ...r.headers, 'content-type': ['application/json'] }, body: JSON.stringify({ grant_type: 'authorization_code' }) })],
    ['no Content-Type', (r) => ({ ...r, headers: {} })],
    ['two Content-Type headers', (r) => ({ ...r, headers: { ...r.headers, 'content-type': ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded'] } })],
    ['parameters in the query string', (r) => ({ ...r, query: { code: ['x'] } })],
    ['a body over 64 KB', (r) => ({ ...r, body: `${r.body}&pad=${'x'.repeat(70_000)}` })],
  ])('%s -> 400 invalid_request, nothing consumed', async (_name, mutate) => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps);
    const before = snapshot(deps);
    const response = await serve(deps, mutate(formRequest('/token', codeParams(code))));
    expect(response.status).toBe(400);
    expect(json(response).error).toBe('invalid_request');
    expect(snapshot(deps)).toBe(before);
  });

  it('accepts a charset parameter on the form media type', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps);
    const request = formRequest('/token', codeParams(code));
    const response = await serve(deps, { ...request, headers: { ...request.headers, 'content-type': ['Application/X-WWW-Form-Urlencoded; charset=UTF-8'] } });
    expect(response.status).toBe(200);
  });

  it.each(['grant_type', 'code', 'code_verifier', 'client_id', 'redirect_uri', 'scope'])('%s sent twice -> invalid_request', async (name) => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps);
    const params = codeParams(code, { scope: 'tool:read' });
    const before = snapshot(deps);
    const response = await token(deps, { ...params, [name]: [params[name] as string, params[name] as string] });
    expect(json(response).error).toBe('invalid_request');
    expect(snapshot(deps)).toBe(before);
  });

  it.each<[string, Record<string, string | undefined>, Record<string, string>, number, string]>([
    ['grant_type missing', { grant_type: undefined, client_id: PUBLIC }, {}, 400, 'invalid_request'],
    ['case 28: grant_type=password', { grant_type: 'password', username: 'alice', password: 'alice', client_id: PUBLIC }, {}, 400, 'unsupported_grant_type'],
    ['grant_type=implicit', { grant_type: 'implicit', client_id: PUBLIC }, {}, 400, 'unsupported_grant_type'],
    ['an unknown grant type', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: PUBLIC }, {}, 400, 'unsupported_grant_type'],
    ['case 28: client_credentials from a public client', { grant_type: 'client_credentials', client_id: PUBLIC }, {}, 400, 'unauthorized_client'],
    ['client_credentials from a confidential client not registered for it', { grant_type: 'client_credentials' }, { authorization: basicAuth(CONFIDENTIAL, CONFIDENTIAL_SECRET) }, 400, 'unauthorized_client'],
    ['client_credentials with bad client credentials', { grant_type: 'client_credentials' }, { authorization: basicAuth(CONFIDENTIAL, 'nope') }, 401, 'invalid_client'],
    ['refresh_token from a client not registered for it', { grant_type: 'refresh_token', refresh_token: 'x', client_id: CODE_ONLY }, {}, 400, 'unauthorized_client'],
  ])('%s -> %s %s', async (_name, params, headers, status, error) => {
    const deps = tokenDeps();
    await login(deps);
    const before = snapshot(deps);
    const response = await token(deps, params, headers);
    expect(response.status).toBe(status);
    expect(json(response)).toEqual({ error, error_description: expect.any(String) });
    expect(snapshot(deps)).toBe(before);
    expect(deps.audit.events).toContainEqual({ type: 'request_rejected', endpoint: 'token', error });
  });

  it('a client whose grant types exclude authorization_code cannot redeem a code', async () => {
    const deps = tokenDeps();
    deps.clients.items.set(PUBLIC, { ...deps.clients.items.get(PUBLIC)!, grantTypes: ['refresh_token'] });
    const { code } = await seedCode(deps);
    const before = snapshot(deps);
    expect(json(await token(deps, codeParams(code))).error).toBe('unauthorized_client');
    expect(snapshot(deps)).toBe(before);
  });

  it('never answers with a stack trace: an unexpected store failure is a generic 500, logged', async () => {
    const deps = tokenDeps();
    const { code } = await seedCode(deps);
    deps.codes.get = async () => { throw new Error('socket hang up at DynamoDB internals'); };
    const response = await token(deps, codeParams(code));
    expect(response.status).toBe(500);
    expect(json(response)).toEqual({ error: 'server_error', error_description: 'The server could not complete the request.' });
    expect(response.body).not.toContain('socket');
    expect(deps.errors).toHaveLength(1);
  });
});
