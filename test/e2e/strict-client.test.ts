/**
 * The whole product, through the real CLI, driven by a strict OAuth client: oauth4webapi
 * (panva's certified client library) refuses anything off-spec, so every step here is a
 * conformance check as well as a journey. Login and consent go through the real pages in
 * a headless browser; tokens are verified with jose against the published JWKS.
 */
import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type * as OAuth4WebApi from 'oauth4webapi' with { 'resolution-mode': 'import' };
import { freePort } from '../../local/dynamodb-local';
import { Browser, authorizeInBrowser } from '../support/browser';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';

// oauth4webapi is ESM-only. Jest transforms it to CommonJS (jest.config.js), but tsc, compiling
// this file as CommonJS (module node16), rejects a static import of an ES module; so the types
// come from a type-only import and the value from Jest's module registry.
const oauth: typeof OAuth4WebApi = jest.requireActual('oauth4webapi');
const insecure = { [oauth.allowInsecureRequests]: true } as const; // local mode is plain http on loopback
const ALL_SCOPES = 'tool:read tool:execute admin';
const RESOURCE_SERVER = { clientId: 'e2e-resource-server', secret: 'e2e-resource-server-secret-0123456789abcdef' };
const CONFIDENTIAL_APP = { clientId: 'e2e-confidential-app', secret: 'e2e-confidential-app-secret-0123456789abcdef' };
const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');

let stack: LocalStack;
let as: OAuth4WebApi.AuthorizationServer;
let resource: string;
let redirectUri: string;
let jwks: ReturnType<typeof createRemoteJWKSet>;

beforeAll(async () => {
  redirectUri = `http://127.0.0.1:${await freePort()}/cb`;
  stack = await startLocalStack({
    configOverrides: (config) => {
      config.clients = [
        { clientId: RESOURCE_SERVER.clientId, clientName: 'E2E resource server', redirectUris: ['http://127.0.0.1/unused'], tokenEndpointAuthMethod: 'client_secret_basic', clientSecretHash: hashSecret(RESOURCE_SERVER.secret) },
        { clientId: CONFIDENTIAL_APP.clientId, clientName: 'E2E confidential app', redirectUris: [redirectUri], tokenEndpointAuthMethod: 'client_secret_basic', clientSecretHash: hashSecret(CONFIDENTIAL_APP.secret) },
      ];
      config.resources[0].introspectionClients = [RESOURCE_SERVER.clientId];
    },
  });
  resource = stack.config.resources[0].uri;
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

describe('discovery, as an MCP client does it', () => {
  it('gets a 401 challenge from the MCP server that names its protected resource metadata', async () => {
    const response = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } } }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer .*resource_metadata="http:\/\/localhost:\d+\/\.well-known\/oauth-protected-resource(\/mcp)?"/);
  });

  it('follows the protected resource metadata (RFC 9728) to the authorization server metadata (RFC 8414), issuer checked exactly', async () => {
    const rs = await oauth.processResourceDiscoveryResponse(new URL(resource), await oauth.resourceDiscoveryRequest(new URL(resource), insecure));
    expect(rs.authorization_servers).toContain(stack.issuer);

    const issuer = new URL(stack.issuer);
    as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
    expect(as.issuer).toBe(stack.issuer);
    expect(as.code_challenge_methods_supported).toContain('S256');
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.registration_endpoint).toBe(`${stack.issuer}/register`);
    jwks = createRemoteJWKSet(new URL(as.jwks_uri!));
  });
});

describe('a public client registered dynamically', () => {
  let client: OAuth4WebApi.Client;
  const browser = new Browser();
  let tokens: OAuth4WebApi.TokenEndpointResponse;

  it('registers (RFC 7591) with a loopback redirect URI', async () => {
    ensureDiscovered();
    const response = await oauth.dynamicClientRegistrationRequest(as, {
      client_name: 'E2E strict client',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    }, insecure);
    expect(response.status).toBe(201);
    client = await oauth.processDynamicClientRegistrationResponse(response);
    expect(client.client_id).toEqual(expect.any(String));
    expect(client.client_secret).toBeUndefined();
  });

  it('gets a code through consent and the dev IdP login (alice), with iss and state in the response', async () => {
    const flow = await authorizeAs(client, 'alice', { browser });
    const pageUrls = flow.pages.map((p) => new URL(p.url));
    expect(pageUrls.some((u) => u.port === String(stack.ports.devIdp))).toBe(true); // federated login really happened
    expect(flow.pages.some((p) => p.status === 200 && /name=["']?decision/.test(p.body))).toBe(true); // a consent page was shown
    tokens = await redeem(client, oauth.None(), flow);
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope?.split(' ').sort()).toEqual(ALL_SCOPES.split(' ').sort());
  });

  it('received an RFC 9068 access token: RS256, typ at+jwt, our issuer, aud = the resource', async () => {
    const claims = await verifyAccessToken(tokens.access_token);
    expect(claims.client_id).toBe(client.client_id);
    expect(claims.sub).toEqual(expect.any(String));
    expect(claims.jti).toEqual(expect.any(String));
    expect(String(claims.scope).split(' ').sort()).toEqual(ALL_SCOPES.split(' ').sort());
    expect(claims.exp! - claims.iat!).toBe(stack.config.tokens.accessTokenSeconds);
  });

  it('opens the MCP server with that token', async () => {
    const response = await fetch(stack.mcpUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-method': 'initialize' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'e2e', version: '1' } } }),
    });
    expect(response.status).toBe(200);
  });

  it('remembers consent and the login: a second authorization goes straight back to the client', async () => {
    const flow = await authorizeAs(client, 'alice', { browser });
    expect(flow.pages.every((p) => p.status >= 300 && p.status < 400)).toBe(true);
    const again = await redeem(client, oauth.None(), flow);
    await verifyAccessToken(again.access_token);
  });

  let rotated: OAuth4WebApi.TokenEndpointResponse;
  it('refreshes with rotation: a new refresh token, and a new valid access token', async () => {
    const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refresh_token!, { additionalParameters: { resource }, ...insecure });
    rotated = await oauth.processRefreshTokenResponse(as, client, response);
    expect(rotated.refresh_token).toEqual(expect.any(String));
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);
    const claims = await verifyAccessToken(rotated.access_token);
    expect(claims.client_id).toBe(client.client_id);
  });

  it('revokes the refresh token (RFC 7009); introspection (RFC 7662) then says the grant is dead', async () => {
    const resourceServer: OAuth4WebApi.Client = { client_id: RESOURCE_SERVER.clientId };
    const introspect = async (token: string) =>
      oauth.processIntrospectionResponse(as, resourceServer, await oauth.introspectionRequest(as, resourceServer, oauth.ClientSecretBasic(RESOURCE_SERVER.secret), token, insecure));

    const before = await introspect(rotated.access_token);
    expect(before).toEqual(expect.objectContaining({ active: true, client_id: client.client_id, aud: resource }));

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), rotated.refresh_token!, insecure));

    expect(await introspect(rotated.access_token)).toEqual({ active: false });
    const refreshAfterRevocation = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), rotated.refresh_token!, insecure);
    await expect(oauth.processRefreshTokenResponse(as, client, refreshAfterRevocation)).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('sends the user back with error=access_denied (and iss) when they deny consent', async () => {
    const flow = await authorizeAs(client, 'bob', { decision: 'deny', scope: 'tool:read' });
    expect(flow.params.get('iss')).toBe(stack.issuer);
    expect(() => oauth.validateAuthResponse(as, client, flow.params, flow.state)).toThrow(oauth.AuthorizationResponseError);
    expect(flow.params.get('error')).toBe('access_denied');
    expect(flow.params.get('code')).toBeNull();
  });
});

describe('group policy', () => {
  it('gives bob (mcp-readers) only tool:read, whatever he asks for', async () => {
    ensureDiscovered();
    const client = await registerPublicClient();
    const flow = await authorizeAs(client, 'bob', { scope: ALL_SCOPES });
    const tokens = await redeem(client, oauth.None(), flow);
    expect(tokens.scope).toBe('tool:read');
    const claims = await verifyAccessToken(tokens.access_token);
    expect(claims.scope).toBe('tool:read');
  });
});

describe('a confidential client (client_secret_basic)', () => {
  it('authorizes, redeems the code with its secret, and refreshes with it', async () => {
    ensureDiscovered();
    const client: OAuth4WebApi.Client = { client_id: CONFIDENTIAL_APP.clientId, token_endpoint_auth_method: 'client_secret_basic' };
    const auth = oauth.ClientSecretBasic(CONFIDENTIAL_APP.secret);
    const flow = await authorizeAs(client, 'alice', { scope: 'tool:read' });
    const tokens = await redeem(client, auth, flow);
    const claims = await verifyAccessToken(tokens.access_token);
    expect(claims.client_id).toBe(CONFIDENTIAL_APP.clientId);
    expect(claims.scope).toBe('tool:read');

    const refreshed = await oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await verifyAccessToken(refreshed.access_token);
  });

  it('cannot redeem a code without its secret', async () => {
    const client: OAuth4WebApi.Client = { client_id: CONFIDENTIAL_APP.clientId };
    const flow = await authorizeAs(client, 'alice', { scope: 'tool:read' });
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), flow.params, redirectUri, flow.codeVerifier, { additionalParameters: { resource }, ...insecure });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
  });
});

// ---------------------------------------------------------------------------------------

function ensureDiscovered(): void {
  if (!as) throw new Error('discovery failed earlier in this file; see the first failing test');
}

async function registerPublicClient(): Promise<OAuth4WebApi.Client> {
  const response = await oauth.dynamicClientRegistrationRequest(as, { redirect_uris: [redirectUri], token_endpoint_auth_method: 'none', client_name: 'E2E group policy client' }, insecure);
  return oauth.processDynamicClientRegistrationResponse(response);
}

interface AuthorizationFlow {
  readonly params: URLSearchParams;
  readonly state: string;
  readonly codeVerifier: string;
  readonly pages: Awaited<ReturnType<typeof authorizeInBrowser>>['pages'];
}

async function authorizeAs(client: OAuth4WebApi.Client, user: 'alice' | 'bob', options: { browser?: Browser; decision?: 'approve' | 'deny'; scope?: string } = {}): Promise<AuthorizationFlow> {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: redirectUri,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    scope: options.scope ?? ALL_SCOPES,
    resource,
  }).toString();
  const result = await authorizeInBrowser(url.href, { username: user, password: user, decision: options.decision, browser: options.browser });
  if (options.decision === 'deny') return { params: result.params, state, codeVerifier, pages: result.pages };
  // Validates iss (RFC 9207: exact match with the metadata issuer), state, and that there is no error.
  const params = oauth.validateAuthResponse(as, client, new URL(result.redirectUrl), state);
  return { params, state, codeVerifier, pages: result.pages };
}

async function redeem(client: OAuth4WebApi.Client, auth: OAuth4WebApi.ClientAuth, flow: AuthorizationFlow): Promise<OAuth4WebApi.TokenEndpointResponse> {
  const response = await oauth.authorizationCodeGrantRequest(as, client, auth, flow.params, redirectUri, flow.codeVerifier, { additionalParameters: { resource }, ...insecure });
  expect(response.headers.get('cache-control')).toContain('no-store');
  return oauth.processAuthorizationCodeResponse(as, client, response);
}

async function verifyAccessToken(token: string): Promise<JWTPayload & { client_id?: string; scope?: string }> {
  const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: stack.issuer, audience: resource, typ: 'at+jwt', algorithms: ['RS256'] });
  expect(protectedHeader.kid).toEqual(expect.any(String));
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  expect(audiences).toEqual([resource]);
  return payload as JWTPayload & { client_id?: string; scope?: string };
}
