/**
 * docs/security.md, case 61 at the core: /revoke and /introspect never fetch a client ID
 * metadata document before the caller has shown a right to it. Such a client has no secret:
 * /introspect (confidential clients only) never fetches one, /revoke fetches only for the
 * client that the presented token belongs to.
 */
import { serve } from '../support/serve';
import { PUBLIC, basicAuth, codeParams, formRequest, json, login, seedCode, token, tokenDeps } from './token-fixtures';

const CLIENT_URL = 'https://app.example.com/client.json';

function withMetadataDocumentClient() {
  const deps = tokenDeps();
  deps.metadataFetcher.documents.set(CLIENT_URL, { client_id: CLIENT_URL, client_name: 'App', redirect_uris: ['https://client.example/cb'], token_endpoint_auth_method: 'none' });
  return deps;
}

async function loginAsDocumentClient(deps: ReturnType<typeof tokenDeps>) {
  const { code } = await seedCode(deps, { clientId: CLIENT_URL });
  const body = json(await token(deps, codeParams(code, { client_id: CLIENT_URL })));
  if (!body.refresh_token) throw new Error(`no tokens: ${JSON.stringify(body)}`);
  deps.metadataFetcher.fetched = [];
  return { accessToken: body.access_token as string, refreshToken: body.refresh_token as string };
}

describe('case 61: no metadata document fetch before the caller authenticates', () => {
  it('/introspect with a URL client_id is invalid_client and fetches nothing', async () => {
    const deps = withMetadataDocumentClient();
    const { accessToken } = await loginAsDocumentClient(deps);
    const attempts: [Record<string, string>, Record<string, string>][] = [
      [{ token: accessToken, client_id: CLIENT_URL }, {}],
      [{ token: accessToken }, { authorization: basicAuth(CLIENT_URL, 'a-guessed-secret') }],
    ];
    for (const [fields, headers] of attempts) {
      const response = await serve(deps, formRequest('/introspect', fields, headers));
      expect(response.status).toBe(401);
      expect(json(response).error).toBe('invalid_client');
    }
    expect(deps.metadataFetcher.fetched).toEqual([]);
  });

  it('/revoke with a URL client_id and a token that is not its own (another client’s, garbage, none) is invalid_client, fetches nothing and revokes nothing', async () => {
    const deps = withMetadataDocumentClient();
    const other = await login(deps);
    const before = deps.revocations.items.size;
    for (const tokenValue of [other.refreshToken, other.accessToken, 'garbage', undefined]) {
      const response = await serve(deps, formRequest('/revoke', { client_id: CLIENT_URL, token: tokenValue }));
      expect(response.status).toBe(401);
      expect(json(response).error).toBe('invalid_client');
    }
    expect(deps.metadataFetcher.fetched).toEqual([]);
    expect(deps.revocations.items.size).toBe(before);
    expect(deps.families.items.get(other.refreshToken.split('.')[0])?.revokedAt).toBeUndefined();
    expect(json(await token(deps, { grant_type: 'refresh_token', refresh_token: other.refreshToken, client_id: PUBLIC })).access_token).toBeDefined();
  });

  it('/revoke of the client’s own refresh token or access token resolves the client and revokes', async () => {
    const deps = withMetadataDocumentClient();
    const own = await loginAsDocumentClient(deps);
    const response = await serve(deps, formRequest('/revoke', { client_id: CLIENT_URL, token: own.refreshToken }));
    expect(response.status).toBe(200);
    expect(deps.metadataFetcher.fetched).toEqual([CLIENT_URL]);
    expect(deps.families.items.get(own.refreshToken.split('.')[0])?.revokedAt).toBeDefined();

    const again = await loginAsDocumentClient(deps);
    expect((await serve(deps, formRequest('/revoke', { client_id: CLIENT_URL, token: again.accessToken }))).status).toBe(200);
    expect(deps.audit.events).toContainEqual({ type: 'token_revoked', clientId: CLIENT_URL, what: 'access_token' });
  });

  it('a client that is not a URL authenticates as before (no change for registered clients)', async () => {
    const deps = withMetadataDocumentClient();
    const response = await serve(deps, formRequest('/revoke', { client_id: PUBLIC, token: 'garbage' }));
    expect(response.status).toBe(200);
  });
});
