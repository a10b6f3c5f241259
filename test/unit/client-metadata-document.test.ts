import { clientIdUrlProblem } from '../../lambda/core/authorization-server/client-metadata-document';
import { findClient, resolveClient } from '../../lambda/core/authorization-server/clients';
import { DependencyUnavailableError } from '../../lambda/core/errors';
import { a0, authorize, browserTestDeps, setCookies as setCookiesOf } from '../support/browser-flow';

const CLIENT_URL = 'https://app.example.com/oauth/client.json';
const goodDocument = (changes: Record<string, unknown> = {}) => ({
  client_id: CLIENT_URL,
  client_name: 'Example App',
  redirect_uris: ['https://app.example.com/callback', 'http://127.0.0.1/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
  ...changes,
});

describe('client ID metadata document URLs: checked before any fetch', () => {
  it.each([CLIENT_URL, 'https://app.example.com/c', 'https://app.example.com:8443/client'])('accepts %s', (url) => {
    expect(clientIdUrlProblem(url)).toBeUndefined();
  });

  // docs/security.md, case 47 (malformed) and the syntactic part of 48 (internal targets).
  it.each([
    ['case 47: http', 'http://app.example.com/client.json'],
    ['case 47: no path', 'https://app.example.com'],
    ['case 47: root path only', 'https://app.example.com/'],
    ['case 47: dot segments', 'https://app.example.com/a/../client.json'],
    ['case 47: encoded dot segments', 'https://app.example.com/%2e%2e/client.json'],
    ['case 47: half-encoded dot segments', 'https://app.example.com/.%2E/client.json'],
    ['case 47: user information', 'https://u:p@app.example.com/client.json'],
    ['case 47: fragment', 'https://app.example.com/client.json#x'],
    ['a query', 'https://app.example.com/client.json?a=1'],
    ['an encoded slash', 'https://app.example.com/a%2Fb'],
    ['an upper-case host (not canonical)', 'https://APP.example.com/client.json'],
    ['an explicit default port (not canonical)', 'https://app.example.com:443/client.json'],
    ['an overlong URL', `https://app.example.com/${'a'.repeat(2048)}`],
    ['case 48: link-local metadata address', 'https://169.254.169.254/latest/meta-data/iam'],
    ['case 48: IPv4 loopback', 'https://127.0.0.1:9999/c.json'],
    ['case 48: IPv6 loopback', 'https://[::1]:9999/c.json'],
    ['case 48: IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]:9999/c.json'],
    ['case 48: decimal IPv4', 'https://2130706433:9999/c.json'],
    ['case 48: hex IPv4', 'https://0x7f.0.0.1:9999/c.json'],
    ['case 48: private IPv4', 'https://10.0.0.1/c.json'],
    ['a single-label host', 'https://localhost/c.json'],
    ['a backslash', 'https://app.example.com\\@evil.example/c.json'],
  ])('rejects %s', (_name, url) => {
    expect(clientIdUrlProblem(url)).toEqual(expect.any(String));
  });
});

describe('resolving a client ID metadata document client', () => {
  it('fetches, validates and returns a public client with source metadata_document', async () => {
    const deps = browserTestDeps();
    deps.metadataFetcher.documents.set(CLIENT_URL, goodDocument());
    const client = await resolveClient(deps, CLIENT_URL);
    expect(client).toMatchObject({
      clientId: CLIENT_URL,
      source: 'metadata_document',
      tokenEndpointAuthMethod: 'none',
      clientName: 'Example App',
      redirectUris: ['https://app.example.com/callback', 'http://127.0.0.1/callback'],
    });
    expect(client?.clientSecretHash).toBeUndefined();
    expect(deps.metadataFetcher.fetched).toEqual([CLIENT_URL]);
  });

  it('treats a missing token_endpoint_auth_method as none', async () => {
    const deps = browserTestDeps();
    const { token_endpoint_auth_method: _omitted, ...document } = goodDocument();
    deps.metadataFetcher.documents.set(CLIENT_URL, document);
    expect((await resolveClient(deps, CLIENT_URL))?.tokenEndpointAuthMethod).toBe('none');
  });

  it('case 47: a malformed client_id URL is unknown and nothing is fetched', async () => {
    const deps = browserTestDeps();
    for (const url of ['http://app.example.com/c.json', 'https://app.example.com', 'https://app.example.com/a/../c', 'https://app.example.com/%2e%2e/c', 'https://u:p@app.example.com/c', 'https://app.example.com/c#x']) {
      deps.metadataFetcher.documents.set(url, goodDocument({ client_id: url }));
      expect(await resolveClient(deps, url)).toBeUndefined();
    }
    expect(deps.metadataFetcher.fetched).toEqual([]);
  });

  it('case 48: an IP-literal client_id is refused before the fetcher is asked', async () => {
    const deps = browserTestDeps();
    const lookup = await findClient(deps, 'https://169.254.169.254/latest/meta-data/');
    expect(lookup).toEqual({ found: false, reason: expect.stringContaining('IP address') });
    expect(deps.metadataFetcher.fetched).toEqual([]);
  });

  // docs/security.md, case 49, the document checks (the network checks belong to the fetcher adapter).
  it.each([
    ['case 49: client_id does not match the URL', { client_id: 'https://other.example.com/client.json' }, /does not name this URL/],
    ['case 49: client_secret_basic', { token_endpoint_auth_method: 'client_secret_basic' }, /not allowed/],
    ['client_secret_post', { token_endpoint_auth_method: 'client_secret_post' }, /not allowed/],
    ['a client secret in the document', { client_secret: 'x' }, /client secret/],
    ['a javascript: redirect URI', { redirect_uris: ['javascript:alert(1)'] }, /redirect_uris\[0\]/],
    ['no redirect URIs', { redirect_uris: [] }, /redirect_uris/],
    ['the implicit grant', { grant_types: ['implicit'] }, /grant_types/],
    ['a token response type', { response_types: ['token'] }, /response_types/],
    ['a javascript: logo', { logo_uri: 'javascript:alert(1)' }, /logo_uri/],
  ])('rejects a document with %s, naming the problem', async (_name, changes, why) => {
    const deps = browserTestDeps();
    deps.metadataFetcher.documents.set(CLIENT_URL, goodDocument(changes));
    const lookup = await findClient(deps, CLIENT_URL);
    expect(lookup.found).toBe(false);
    expect(lookup.found === false && lookup.reason).toMatch(why);
    expect(await resolveClient(deps, CLIENT_URL)).toBeUndefined();
  });

  it('case 49: after the document is fixed a retry succeeds (the core caches no failure)', async () => {
    const deps = browserTestDeps();
    deps.metadataFetcher.documents.set(CLIENT_URL, goodDocument({ token_endpoint_auth_method: 'client_secret_basic' }));
    expect(await resolveClient(deps, CLIENT_URL)).toBeUndefined();
    deps.metadataFetcher.documents.set(CLIENT_URL, goodDocument());
    expect(await resolveClient(deps, CLIENT_URL)).toBeDefined();
    expect(deps.metadataFetcher.fetched).toEqual([CLIENT_URL, CLIENT_URL]);
  });

  it('a fetch failure the fetcher reports as an OAuth error is an unknown client; an outage is thrown', async () => {
    const deps = browserTestDeps();
    expect(await resolveClient(deps, CLIENT_URL)).toBeUndefined();
    deps.metadataFetcher.fetch = async () => {
      throw new DependencyUnavailableError('metadata fetch');
    };
    await expect(resolveClient(deps, CLIENT_URL)).rejects.toBeInstanceOf(DependencyUnavailableError);
  });

  it('does not fetch when metadata documents are disabled', async () => {
    const deps = browserTestDeps((raw) => (raw.registration.clientIdMetadataDocumentsEnabled = false));
    deps.metadataFetcher.documents.set(CLIENT_URL, goodDocument());
    expect(await resolveClient(deps, CLIENT_URL)).toBeUndefined();
    expect(deps.metadataFetcher.fetched).toEqual([]);
  });

  it('case 47 at /authorize: a malformed client_id URL gets the AS page, no Location and no fetch', async () => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0({ client_id: 'https://u:p@app.example.com/c.json', redirect_uri: 'https://app.example.com/callback' }));
    expect(response.status).toBe(400);
    expect(response.headers.Location).toBeUndefined();
    expect(response.body).toContain('user information');
    expect(deps.metadataFetcher.fetched).toEqual([]);
    expect(setCookiesOf(response)).toEqual([]);
  });

  it('shows the consent page for a valid document client, naming the host that publishes it', async () => {
    const deps = browserTestDeps();
    deps.metadataFetcher.documents.set(CLIENT_URL, goodDocument());
    const response = await authorize(deps, a0({ client_id: CLIENT_URL, redirect_uri: 'https://app.example.com/callback' }));
    expect(response.status).toBe(200);
    expect(response.body).toContain('published by <span class="host">app.example.com</span>');
    expect(response.body).toContain('Example App');
  });

});
