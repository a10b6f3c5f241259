/**
 * visible-text.ts and docs/security.md, case 62 at the core: client-supplied text a page
 * shows refuses bidi controls, zero-width and other invisible characters, at registration
 * and in a client ID metadata document alike (invalid_client_metadata).
 */
import { hasInvisibleCharacters } from '../../lambda/core/authorization-server/visible-text';
import { resolveClient } from '../../lambda/core/authorization-server/clients';
import { serve } from '../support/serve';
import { browserTestDeps, httpRequest } from '../support/browser-flow';
import type { InMemoryDeps } from '../support/in-memory-ports';

const INVISIBLE: readonly [string, string][] = [
  ['U+202E right-to-left override', '\u202E'],
  ['U+202A left-to-right embedding', '\u202A'],
  ['U+2066 left-to-right isolate', '\u2066'],
  ['U+2069 pop directional isolate', '\u2069'],
  ['U+200B zero-width space', '\u200B'],
  ['U+200D zero-width joiner', '\u200D'],
  ['U+200E left-to-right mark', '\u200E'],
  ['U+200F right-to-left mark', '\u200F'],
  ['U+061C Arabic letter mark', '\u061C'],
  ['U+2060 word joiner', '\u2060'],
  ['U+2064 invisible plus', '\u2064'],
  ['U+FEFF byte order mark', '\uFEFF'],
  ['U+00AD soft hyphen', '\u00AD'],
  ['U+180E Mongolian vowel separator', '\u180E'],
  ['U+E0041 tag letter A', '\u{E0041}'],
  ['U+2028 line separator', '\u2028'],
  ['U+3164 Hangul filler', '\u3164'],
  ['U+0085 next line (C1 control)', '\u0085'],
  ['U+0007 bell', '\u0007'],
  ['a lone surrogate', '\uD800'],
];

describe('hasInvisibleCharacters', () => {
  it.each(INVISIBLE)('finds %s', (_name, character) => {
    expect(hasInvisibleCharacters(`Test${character}App`)).toBe(true);
  });

  it.each(['Claude Code', 'Café Über', '東京アプリ', 'تطبيق', 'App 🚀 (beta)', 'a-b_c.d/e:f', 'Ünïcödé ñame'])('lets visible text through: %s', (text) => {
    expect(hasInvisibleCharacters(text)).toBe(false);
  });
});

const register = (deps: InMemoryDeps, body: unknown) =>
  serve(deps, httpRequest('POST', '/register', { body: JSON.stringify(body), headers: { 'content-type': ['application/json'] } }));

describe('case 62: invisible text at registration and in metadata documents', () => {
  it.each(INVISIBLE)('registration refuses a client_name with %s, and stores nothing', async (_name, character) => {
    const deps = browserTestDeps();
    const response = await register(deps, { client_name: `Evil${character}ppa.tseT`, redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none' });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error).toBe('invalid_client_metadata');
    expect(deps.clients.items.size).toBe(0);
  });

  it('registration refuses a redirect URI or a client_uri that hides a bidi control', async () => {
    const deps = browserTestDeps();
    const redirect = await register(deps, { redirect_uris: ['https://app.example/\u202Ecb'], token_endpoint_auth_method: 'none' });
    expect(redirect.status).toBe(400);
    expect(JSON.parse(redirect.body).error).toBe('invalid_redirect_uri');
    const clientUri = await register(deps, { redirect_uris: ['https://app.example/cb'], client_uri: 'https://app.example/\u200Babout', token_endpoint_auth_method: 'none' });
    expect(JSON.parse(clientUri.body).error).toBe('invalid_client_metadata');
    expect(deps.clients.items.size).toBe(0);
  });

  it('a metadata document whose client_name holds U+202E is not a client', async () => {
    const deps = browserTestDeps();
    const url = 'https://app.example.com/client.json';
    deps.metadataFetcher.documents.set(url, { client_id: url, client_name: 'Evil\u202Eppa.tseT', redirect_uris: ['https://app.example.com/cb'], token_endpoint_auth_method: 'none' });
    expect(await resolveClient(deps, url)).toBeUndefined();
    deps.metadataFetcher.documents.set(url, { client_id: url, client_name: 'Test App', redirect_uris: ['https://app.example.com/cb'], token_endpoint_auth_method: 'none' });
    expect(await resolveClient(deps, url)).toMatchObject({ clientName: 'Test App' });
  });

  it('a plain name still registers', async () => {
    const deps = browserTestDeps();
    expect((await register(deps, { client_name: 'Café Über 🚀', redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none' })).status).toBe(201);
  });
});
