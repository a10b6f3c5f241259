import { serve } from '../support/serve';
import { createHash } from 'node:crypto';
import { DependencyUnavailableError } from '../../lambda/core/errors';
import { a0, authorize, browserTestDeps, httpRequest } from '../support/browser-flow';
import type { InMemoryDeps } from '../support/in-memory-ports';

const register = (deps: InMemoryDeps, body: unknown) =>
  serve(deps, httpRequest('POST', '/register', { body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': ['application/json'] } }));

const mcpClient = (changes: Record<string, unknown> = {}) => ({
  client_name: 'Claude Code',
  redirect_uris: ['http://localhost:53682/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  ...changes,
});

describe('POST /register (RFC 7591)', () => {
  it('registers a public MCP client: 201, server-chosen client_id, no secret, normalized metadata, audit event', async () => {
    const deps = browserTestDeps();
    const response = await register(deps, mcpClient({ scope: 'tool:read  tool:execute', application_type: 'native', client_uri: 'https://claude.ai' }));
    expect(response.status).toBe(201);
    expect(response.headers['Cache-Control']).toBe('no-store');
    const body = JSON.parse(response.body);
    expect(body.client_id).toMatch(/^mcp_[A-Za-z0-9_-]{22}$/);
    expect(body).toMatchObject({
      client_id_issued_at: Math.floor(deps.clock.nowMs() / 1000),
      redirect_uris: ['http://localhost:53682/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      client_name: 'Claude Code',
      scope: 'tool:read tool:execute',
      application_type: 'native',
      client_uri: 'https://claude.ai',
    });
    expect(body.client_secret).toBeUndefined();
    expect(body.client_secret_expires_at).toBeUndefined();
    const stored = deps.clients.items.get(body.client_id);
    expect(stored).toMatchObject({ source: 'dynamic', tokenEndpointAuthMethod: 'none', expiresAt: body.client_id_issued_at + deps.config.registration.dynamicClientTtlSeconds });
    expect(stored?.clientSecretHash).toBeUndefined();
    expect(deps.audit.events).toContainEqual({ type: 'client_registered', clientId: body.client_id, source: 'dynamic' });
  });

  it('defaults to client_secret_basic and both grant types; the secret is returned once and stored only as its hash', async () => {
    const deps = browserTestDeps();
    const response = await register(deps, { redirect_uris: ['https://app.example/cb'] });
    expect(response.status).toBe(201);
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({ token_endpoint_auth_method: 'client_secret_basic', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], client_secret_expires_at: 0 });
    expect(body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const stored = deps.clients.items.get(body.client_id)!;
    expect(stored.clientSecretHash).toBe(createHash('sha256').update(body.client_secret).digest('base64url'));
    expect(JSON.stringify(stored)).not.toContain(body.client_secret);
  });

  it('gives every registration its own client_id', async () => {
    const deps = browserTestDeps();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add(JSON.parse((await register(deps, mcpClient())).body).client_id);
    expect(ids.size).toBe(5);
  });

  it('case 45: a client-chosen client_id (or secret) is ignored', async () => {
    const deps = browserTestDeps();
    const response = await register(deps, mcpClient({ client_id: 'admin', client_secret: 'chosen-by-client' }));
    expect(response.status).toBe(201);
    const body = JSON.parse(response.body);
    expect(body.client_id).not.toBe('admin');
    expect(body.client_secret).toBeUndefined();
    expect(deps.clients.items.has('admin')).toBe(false);
  });

  // docs/security.md, case 44: every bad redirect URI is invalid_redirect_uri, and nothing is stored.
  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['leading-space javascript:', ' javascript:alert(1)'],
    ['mixed-case javascript:', 'JaVaScRiPt:alert(1)'],
    ['data:', 'data:text/html,hi'],
    ['file:', 'file:///etc/passwd'],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['plain http off loopback', 'http://evil.example/cb'],
    ['a fragment', 'https://app.example/cb#f'],
    ['a wildcard', 'https://*.example/cb'],
    ['a bare private-use scheme', 'myapp:/cb'],
  ])('case 44: rejects %s with invalid_redirect_uri', async (_name, uri) => {
    const deps = browserTestDeps();
    const response = await register(deps, mcpClient({ redirect_uris: ['https://ok.example/cb', uri] }));
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toBe('invalid_redirect_uri');
    expect(deps.clients.items.size).toBe(0);
    expect(deps.audit.events).toContainEqual({ type: 'request_rejected', endpoint: 'register', error: 'invalid_redirect_uri' });
  });

  it.each([
    ['no redirect_uris', { redirect_uris: undefined }, 'invalid_redirect_uri'],
    ['an empty redirect_uris', { redirect_uris: [] }, 'invalid_redirect_uri'],
    ['redirect_uris that is a string', { redirect_uris: 'https://app.example/cb' }, 'invalid_redirect_uri'],
    ['eleven redirect_uris', { redirect_uris: Array.from({ length: 11 }, (_, i) => `https://app.example/cb${i}`) }, 'invalid_redirect_uri'],
    ['case 45: password and implicit grants', { grant_types: ['password', 'implicit'] }, 'invalid_client_metadata'],
    ['grant_types without authorization_code', { grant_types: ['refresh_token'] }, 'invalid_client_metadata'],
    ['client_credentials', { grant_types: ['authorization_code', 'client_credentials'] }, 'invalid_client_metadata'],
    ['response_types token', { response_types: ['token'] }, 'invalid_client_metadata'],
    ['an unknown auth method', { token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata'],
    ['case 45: a javascript: logo_uri', { logo_uri: 'javascript:alert(1)' }, 'invalid_client_metadata'],
    ['an http client_uri', { client_uri: 'http://app.example' }, 'invalid_client_metadata'],
    ['an http policy_uri', { policy_uri: 'http://app.example/policy' }, 'invalid_client_metadata'],
    ['a tos_uri with user information', { tos_uri: 'https://u:p@app.example/tos' }, 'invalid_client_metadata'],
    ['a client_name over 200 characters', { client_name: 'x'.repeat(201) }, 'invalid_client_metadata'],
    ['a client_name with control characters', { client_name: 'Good\u0000App' }, 'invalid_client_metadata'],
    ['a client_name that is not a string', { client_name: 7 }, 'invalid_client_metadata'],
    ['an unknown scope', { scope: 'tool:read mcp:admin' }, 'invalid_client_metadata'],
    ['an unknown application_type', { application_type: 'browser' }, 'invalid_client_metadata'],
  ])('rejects %s', async (_name, changes, error) => {
    const deps = browserTestDeps();
    const response = await register(deps, mcpClient(changes));
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toBe(error);
    expect(deps.clients.items.size).toBe(0);
  });

  it.each([
    ['not JSON', '{"redirect_uris":'],
    ['a JSON array', '[]'],
    ['JSON null', 'null'],
    ['an empty body', ''],
  ])('rejects a body that is %s with 400 invalid_client_metadata', async (_name, body) => {
    const deps = browserTestDeps();
    const response = await register(deps, body);
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toBe('invalid_client_metadata');
  });

  // docs/security.md, case 46: size and flooding answered with 4xx, never a 5xx.
  it.each([
    ['a 1 MB body', JSON.stringify(mcpClient({ padding: 'x'.repeat(1024 * 1024) })), 413],
    ['10,000 redirect_uris', JSON.stringify(mcpClient({ redirect_uris: Array.from({ length: 10_000 }, (_, i) => `https://a.example/${i}`) })), 413],
    ['a 100 KB client_name', JSON.stringify(mcpClient({ client_name: 'x'.repeat(100 * 1024) })), 413],
    ['twelve short redirect_uris', JSON.stringify(mcpClient({ redirect_uris: Array.from({ length: 12 }, (_, i) => `https://a.example/${i}`) })), 400],
  ])('case 46: %s -> %i, nothing stored', async (_name, body, status) => {
    const deps = browserTestDeps();
    const response = await register(deps, body);
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body).error).toMatch(/^invalid_/);
    expect(deps.clients.items.size).toBe(0);
    expect(deps.errors).toEqual([]);
  });

  it('answers 404 when dynamic registration is disabled, and stores nothing', async () => {
    const deps = browserTestDeps((raw) => (raw.registration.dynamicRegistrationEnabled = false));
    const response = await register(deps, mcpClient());
    expect(response.status).toBe(404);
    expect(deps.clients.items.size).toBe(0);
  });

  it('a store outage is a 503 with a generic text, not a stack trace', async () => {
    const deps = browserTestDeps();
    deps.clients.create = async () => {
      throw new DependencyUnavailableError('clients table');
    };
    const response = await register(deps, mcpClient());
    expect(response.status).toBe(503);
    expect(response.body).not.toContain('clients table');
  });

  it('a registered client can start an authorization (the record is what /authorize reads)', async () => {
    const deps = browserTestDeps();
    const { client_id } = JSON.parse((await register(deps, mcpClient())).body);
    const response = await authorize(deps, a0({ client_id, redirect_uri: 'http://localhost:61000/callback' }));
    expect(response.status).toBe(200);
    expect(response.body).toContain('Claude Code');
  });
});
