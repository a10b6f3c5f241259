import { createHash } from 'node:crypto';
import type { HttpResponse } from '../../lambda/core/http';
import type { ClientRecord } from '../../lambda/core/ports';
import { DependencyUnavailableError } from '../../lambda/core/errors';
import {
  a0,
  authorize,
  browserTestDeps,
  CHALLENGE,
  cookieValues,
  csrfTokenOf,
  ISSUER,
  R1,
  R2,
  redirectTarget,
  setCookies,
  signedIn,
  pendingIn,
  browserCookies,
  postConsent,
} from '../support/browser-flow';
import type { InMemoryDeps } from '../support/in-memory-ports';

const sha256 = (s: string) => createHash('sha256').update(s).digest('base64url');
const now = (deps: InMemoryDeps) => Math.floor(deps.clock.nowMs() / 1000);

function dynamicClient(deps: InMemoryDeps, changes: Partial<ClientRecord> = {}): ClientRecord {
  const client: ClientRecord = {
    clientId: 'mcp_dynamic_client_b',
    clientName: 'Client B',
    tokenEndpointAuthMethod: 'none',
    redirectUris: ['https://attacker.example/cb'],
    grantTypes: ['authorization_code', 'refresh_token'],
    responseTypes: ['code'],
    source: 'dynamic',
    createdAt: now(deps),
    ...changes,
  };
  deps.clients.items.set(client.clientId, client);
  return client;
}

function expectNothingStored(deps: InMemoryDeps): void {
  expect(deps.commits.commits).toEqual([]);
  expect(deps.codes.items.size).toBe(0);
  expect(deps.sessions.consents.size).toBe(0);
  expect(deps.upstream.lastAuthorization).toBeUndefined();
}

/** NR: the AS's own 400 page, no Location, nothing stored. */
function expectNoRedirect(response: HttpResponse, deps: InMemoryDeps): void {
  expect(response.status).toBe(400);
  expect(response.headers.Location).toBeUndefined();
  expect(response.headers['Content-Type']).toMatch(/^text\/html/);
  expectNothingStored(deps);
}

/** ER(e): 302 to the registered redirect URI with error, state when sent once, and exactly one iss. */
function expectErrorRedirect(response: HttpResponse, deps: InMemoryDeps, error: string, expected: { base?: string; state?: string | null } = {}): URLSearchParams {
  expect(response.status).toBe(302);
  const { base, params } = redirectTarget(response);
  expect(base).toBe(expected.base ?? 'https://c1.example/cb');
  expect(params.get('error')).toBe(error);
  expect(params.get('error_description')).toEqual(expect.any(String));
  expect(params.getAll('iss')).toEqual([ISSUER]);
  if (expected.state === null) expect(params.has('state')).toBe(false);
  else expect(params.getAll('state')).toEqual([expected.state ?? 'S']);
  expect(params.has('code')).toBe(false);
  expectNothingStored(deps);
  return params;
}

async function consentFor(deps: InMemoryDeps, clientId: string, scope: string[], resource = R1, expiresIn = 3600): Promise<void> {
  await deps.sessions.putConsent({ subject: 'alice-sub', clientId, resource, scope, grantedAt: now(deps), expiresAt: now(deps) + expiresIn });
}

describe('GET /authorize: a valid request from a browser without a session', () => {
  it('shows the consent page first, seals the pending request with a hashed CSRF token into the browser\'s cookie, and stores nothing', async () => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0());
    expect(response.status).toBe(200);
    expect(response.headers.Location).toBeUndefined();
    expect(deps.upstream.lastAuthorization).toBeUndefined();
    expect(deps.codes.items.size).toBe(0);

    expect(deps.commits.commits).toEqual([]);
    const pending = (await pendingIn(deps, response))!;
    expect(pending).toMatchObject({
      clientId: 'C1',
      redirectUri: 'https://c1.example/cb',
      redirectUriWasSent: true,
      state: 'S',
      codeChallenge: CHALLENGE,
      resources: [R1],
      requestedScope: ['tool:read'],
      createdAt: now(deps),
      expiresAt: now(deps) + deps.config.tokens.pendingAuthorizationSeconds,
    });
    const csrf = csrfTokenOf(response);
    expect(pending.csrfTokenHash).toBe(sha256(csrf));
    expect(JSON.stringify(pending)).not.toContain(csrf);
    // Sealed: the browser sees neither the CSRF hash nor the request, only an opaque value.
    const sealed = cookieValues(response)['__Host-mcp_authz'];
    expect(Object.keys(cookieValues(response))).toEqual(['__Host-mcp_authz']);
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain(pending.csrfTokenHash);
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('c1.example');
  });

  it('renders client, redirect host, resource and each scope with its description, and the approve/deny form', async () => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0({ scope: 'tool:read tool:execute' }));
    const html = response.body;
    expect(html).toContain('Client One');
    expect(html).toContain('<span class="host">c1.example</span>');
    expect(html).toContain('Demo MCP server');
    expect(html).toContain(R1);
    expect(html).toContain('See which tools exist and read their results');
    expect(html).toContain('Run tools on your behalf');
    expect(html).not.toContain('Administer the MCP server');
    expect(html).toContain(`<form method="post" action="${ISSUER}/consent">`);
    expect(html).toContain('<button type="submit" name="decision" value="approve" class="primary">Approve</button>');
    expect(html).toContain('<button type="submit" name="decision" value="deny">Deny</button>');
    expect(html).toContain('<span class="uri">https://c1.example/cb</span>');
    expect(html).toContain('Registered by your administrator.');
    expect(html).toContain('After you approve, you will be asked to sign in.');
    expect(html).not.toContain('runs on your own computer');
  });

  it('falls back to the default resource and its default scopes when the request names none', async () => {
    const deps = browserTestDeps();
    const pending = (await pendingIn(deps, await authorize(deps, a0({ resource: undefined, scope: undefined }))))!;
    expect(pending.resources).toEqual([deps.config.defaultResource]);
    expect(pending.requestedScope).toEqual(['tool:read', 'tool:execute']);
  });

  it('accepts several resources and scopes from each of them (RFC 8707)', async () => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0({ resource: [R1, R2], scope: 'tool:read files:read' }));
    expect(response.status).toBe(200);
    const pending = (await pendingIn(deps, response))!;
    expect(pending.resources).toEqual([R1, R2]);
    expect(pending.requestedScope).toEqual(['tool:read', 'files:read']);
    expect(response.body).toContain('File server');
  });

  it('keeps the sealed cookie under 4 KB with every resource and scope, a long state and a long redirect URI, even once it carries the upstream state', async () => {
    const deps = browserTestDeps((raw) => {
      raw.resources[0].scopes.push(...Array.from({ length: 30 }, (_, i) => ({ name: `scope:number-${i}-with-a-long-name`, description: 'x' })));
      raw.clients.push({ clientId: 'LONG', clientName: 'Long', redirectUris: [`https://long.example/${'p'.repeat(500)}`], tokenEndpointAuthMethod: 'none' });
    });
    const scope = [...deps.config.resources[0]!.scopes.map((s) => s.name), 'files:read'].join(' ');
    const page = await authorize(deps, a0({ client_id: 'LONG', redirect_uri: `https://long.example/${'p'.repeat(500)}`, resource: [R1, R2], scope, state: 's'.repeat(512) }));
    expect(page.status).toBe(200);
    const approved = await postConsent(deps, { csrf_token: csrfTokenOf(page), decision: 'approve' }, browserCookies(undefined, page));
    for (const response of [page, approved]) {
      const [header] = setCookies(response);
      expect(Buffer.byteLength(header!)).toBeLessThan(4096);
    }
    expect((await pendingIn(deps, approved))?.requestedScope).toHaveLength(34);
  });

  it('refuses a request whose sealed form would not fit in a cookie (a huge state): invalid_request, nothing set', async () => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0({ state: 's'.repeat(4000) }));
    expect(setCookies(response)).toEqual([]);
    expect(redirectTarget(response).params.get('error')).toBe('invalid_request');
  });

  it('uses the only registered redirect URI when none is sent, and remembers that none was sent', async () => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0({ redirect_uri: undefined }));
    expect(response.status).toBe(200);
    const pending = (await pendingIn(deps, response))!;
    expect(pending).toMatchObject({ redirectUri: 'https://c1.example/cb', redirectUriWasSent: false });
  });

  it('escapes client-supplied names on the page', async () => {
    const deps = browserTestDeps();
    dynamicClient(deps, { clientName: '<script>alert(1)</script>' });
    const response = await authorize(deps, a0({ client_id: 'mcp_dynamic_client_b', redirect_uri: 'https://attacker.example/cb' }));
    expect(response.status).toBe(200);
    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(response.body).toContain('&#60;script&#62;');
  });

  it('uses a plain cookie name without Secure on an http localhost issuer', async () => {
    const deps = browserTestDeps((raw) => (raw.issuer = 'http://localhost:8787'));
    const response = await authorize(deps, a0());
    const [cookie] = setCookies(response);
    expect(cookie).toMatch(/^mcp_authz=[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600$/);
  });
});

describe('GET /authorize: errors shown on the AS page, never redirected (NR)', () => {
  it('case 1: an unregistered redirect_uri', async () => {
    const deps = browserTestDeps();
    expectNoRedirect(await authorize(deps, a0({ redirect_uri: 'https://evil.example/cb' })), deps);
  });

  it.each([
    'https://c1.example/cb/',
    'https://C1.EXAMPLE/cb',
    'HTTPS://c1.example/cb',
    'https://c1.example/cb?x=1',
    'https://c1.example/cb/../evil',
    'https://c1.example/cb%2F..%2Fevil',
    'https://c1.example@evil.example/cb',
    'https://c1.example.evil.example/cb',
    'https://c1.example:444/cb',
    'https://c1.example/cb#f',
  ])('case 2: the near miss %s', async (redirectUri) => {
    const deps = browserTestDeps();
    expectNoRedirect(await authorize(deps, a0({ redirect_uri: redirectUri })), deps);
  });

  it('case 3: a loopback redirect with another path', async () => {
    const deps = browserTestDeps();
    expectNoRedirect(await authorize(deps, a0({ client_id: 'LOOP', redirect_uri: 'http://127.0.0.1:51004/cb2' })), deps);
  });

  it.each([
    ['an unknown client_id', { client_id: 'nobody' }],
    ['a missing client_id', { client_id: undefined }],
    ['an empty client_id', { client_id: '' }],
    ['two client_id values', { client_id: ['C1', 'C1'] }],
    ['redirect_uri omitted when two are registered', { client_id: 'C2', redirect_uri: undefined }],
    ['two redirect_uri values', { redirect_uri: ['https://c1.example/cb', 'https://c1.example/cb'] }],
  ])('case 4: %s', async (_name, changes) => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0(changes));
    expectNoRedirect(response, deps);
    expect(deps.audit.events).toContainEqual({ type: 'request_rejected', endpoint: 'authorize', error: 'invalid_request' });
  });

  it('a dynamic client past its expiry is unknown', async () => {
    const deps = browserTestDeps();
    dynamicClient(deps, { expiresAt: now(deps) - 1 });
    expectNoRedirect(await authorize(deps, a0({ client_id: 'mcp_dynamic_client_b', redirect_uri: 'https://attacker.example/cb' })), deps);
  });

  it('even a broken request from a signed-in browser is not redirected while the redirect URI is unproven', async () => {
    const deps = browserTestDeps();
    const cookie = await signedIn(deps);
    const response = await authorize(deps, a0({ redirect_uri: 'https://evil.example/cb', response_type: 'token' }), cookie);
    expect(response.status).toBe(400);
    expect(response.headers.Location).toBeUndefined();
  });
});

describe('GET /authorize: errors redirected to the verified redirect URI (ER)', () => {
  it('case 4: two state values -> invalid_request without echoing either', async () => {
    const deps = browserTestDeps();
    expectErrorRedirect(await authorize(deps, a0({ state: ['S', 'T'] })), deps, 'invalid_request', { state: null });
  });

  it.each([
    ['case 5: no code_challenge', { code_challenge: undefined }, 'invalid_request'],
    ['case 5: an empty code_challenge', { code_challenge: '' }, 'invalid_request'],
    ['case 6: code_challenge_method=plain', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['case 6: code_challenge_method omitted (defaults to plain)', { code_challenge_method: undefined }, 'invalid_request'],
    ['case 6: a lower-case s256', { code_challenge_method: 's256' }, 'invalid_request'],
    ['case 7: a 42-character challenge', { code_challenge: CHALLENGE.slice(0, 42) }, 'invalid_request'],
    ['case 7: a 129-character challenge', { code_challenge: 'a'.repeat(129) }, 'invalid_request'],
    ['case 7: a challenge with =', { code_challenge: `${CHALLENGE.slice(0, 42)}=` }, 'invalid_request'],
    ['case 7: a challenge with +', { code_challenge: `${CHALLENGE.slice(0, 42)}+` }, 'invalid_request'],
    ['case 8: response_type=token', { response_type: 'token' }, 'unsupported_response_type'],
    ['case 8: response_type=code id_token', { response_type: 'code id_token' }, 'unsupported_response_type'],
    ['case 8: response_type missing', { response_type: undefined }, 'invalid_request'],
    ['case 9: another MCP server', { resource: 'https://other.example/mcp' }, 'invalid_target'],
    ['case 9: a resource with a fragment', { resource: `${R1}#x` }, 'invalid_target'],
    ['case 9: a relative resource', { resource: '/mcp' }, 'invalid_target'],
    ['case 9: one good and one bad resource', { resource: [R1, 'https://other.example/mcp'] }, 'invalid_target'],
    ['case 9: a resource with a trailing slash', { resource: `${R1}/` }, 'invalid_target'],
    ['case 10: an unknown scope', { scope: 'mcp:admin' }, 'invalid_scope'],
    ['case 10: a known and an unknown scope', { scope: 'tool:read bogus' }, 'invalid_scope'],
    ['case 10: a scope of a resource not requested', { scope: 'files:read' }, 'invalid_scope'],
    ['a repeated scope parameter', { scope: ['tool:read', 'admin'] }, 'invalid_request'],
    ['a repeated code_challenge', { code_challenge: [CHALLENGE, CHALLENGE] }, 'invalid_request'],
    ['a repeated unknown parameter', { foo: ['1', '2'] }, 'invalid_request'],
  ])('%s, with state and exactly one iss (case 11)', async (_name, changes, error) => {
    const deps = browserTestDeps();
    expectErrorRedirect(await authorize(deps, a0(changes)), deps, error);
    expect(deps.audit.events).toContainEqual({ type: 'request_rejected', endpoint: 'authorize', error });
  });

  it('omits state from an error redirect when the request had none', async () => {
    const deps = browserTestDeps();
    expectErrorRedirect(await authorize(deps, a0({ state: undefined, response_type: 'token' })), deps, 'unsupported_response_type', { state: null });
  });

  it('does not bound the scope by the scope a dynamic client registered with (self-asserted): it may step up to what the user allows', async () => {
    const deps = browserTestDeps();
    dynamicClient(deps, { scope: 'tool:read' });
    const cookie = await signedIn(deps);
    await consentFor(deps, 'mcp_dynamic_client_b', ['tool:read', 'tool:execute']);
    const query = a0({ client_id: 'mcp_dynamic_client_b', redirect_uri: 'https://attacker.example/cb', scope: 'tool:read tool:execute' });
    const response = await authorize(deps, query, cookie);
    expect(redirectTarget(response).params.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect([...deps.codes.items.values()].map((c) => c.scope)).toEqual([['tool:read', 'tool:execute']]);
  });

  it('the same holds for a client ID metadata document client; the user\'s groups still narrow what is granted', async () => {
    const deps = browserTestDeps();
    const url = 'https://app.example.com/client.json';
    deps.metadataFetcher.documents.set(url, { client_id: url, redirect_uris: ['https://app.example.com/cb'], token_endpoint_auth_method: 'none', scope: 'tool:read' });
    const cookie = await signedIn(deps, { subject: 'bob-sub', groups: ['mcp-readers'] });
    const response = await authorize(deps, a0({ client_id: url, redirect_uri: 'https://app.example.com/cb', scope: 'tool:read tool:execute' }), cookie);
    expect(response.status).toBe(200);
    expect(response.body).toContain('See which tools exist');
    expect(response.body).not.toContain('Run tools on your behalf');
    expect(deps.codes.items.size).toBe(0);
  });

  it('a dynamic client that registered a scope still cannot ask for a scope the resource does not offer', async () => {
    const deps = browserTestDeps();
    dynamicClient(deps, { scope: 'tool:read bogus' });
    const cookie = await signedIn(deps);
    const query = a0({ client_id: 'mcp_dynamic_client_b', redirect_uri: 'https://attacker.example/cb', scope: 'bogus' });
    const response = await authorize(deps, query, cookie);
    expectNoRedirect(response, deps);
    expect(response.body).toContain('invalid_scope');
  });

  it('refuses a client not registered for the code flow', async () => {
    const deps = browserTestDeps();
    dynamicClient(deps, { grantTypes: ['refresh_token'] });
    const cookie = await signedIn(deps);
    const query = a0({ client_id: 'mcp_dynamic_client_b', redirect_uri: 'https://attacker.example/cb' });
    const response = await authorize(deps, query, cookie);
    expectNoRedirect(response, deps);
    expect(response.body).toContain('unauthorized_client');
  });

  it('appends to a registered redirect URI that has a query of its own', async () => {
    const deps = browserTestDeps((raw) => raw.clients.push({ clientId: 'Q', clientName: 'Q', redirectUris: ['https://q.example/cb?tenant=7'] }));
    const response = await authorize(deps, a0({ client_id: 'Q', redirect_uri: undefined, response_type: 'token' }));
    expect(response.headers.Location).toMatch(/^https:\/\/q\.example\/cb\?tenant=7&error=unsupported_response_type&/);
  });
});

describe('cases 12 and 60: no error redirect for an unvetted client, signed in or not (phishing, open redirect)', () => {
  const attackerQuery = a0({ client_id: 'mcp_dynamic_client_b', redirect_uri: 'https://attacker.example/cb', scope: 'bogus' });

  it('a DCR client with an attacker redirect URI and scope=bogus gets the AS page, not a 302', async () => {
    const deps = browserTestDeps();
    dynamicClient(deps);
    const response = await authorize(deps, attackerQuery);
    expectNoRedirect(response, deps);
    expect(response.body).toContain('invalid_scope');
    expect(deps.audit.events).toContainEqual({ type: 'request_rejected', endpoint: 'authorize', error: 'invalid_scope' });
  });

  it('the same holds for a client ID metadata document client', async () => {
    const deps = browserTestDeps();
    const url = 'https://app.example.com/client.json';
    deps.metadataFetcher.documents.set(url, { client_id: url, redirect_uris: ['https://attacker.example/cb'], token_endpoint_auth_method: 'none' });
    expectNoRedirect(await authorize(deps, { ...attackerQuery, client_id: url }), deps);
  });

  it('case 60: a live login session changes nothing: still the AS page, no Location', async () => {
    const deps = browserTestDeps();
    dynamicClient(deps);
    const cookie = await signedIn(deps);
    const response = await authorize(deps, attackerQuery, cookie);
    expectNoRedirect(response, deps);
    expect(response.body).toContain('invalid_scope');
  });

  it('case 60: a signed-in user whose groups grant none of the scopes asked by an unvetted client sees the page too', async () => {
    const deps = browserTestDeps();
    dynamicClient(deps);
    const cookie = await signedIn(deps, { groups: [] });
    const response = await authorize(deps, a0({ client_id: 'mcp_dynamic_client_b', redirect_uri: 'https://attacker.example/cb', scope: 'tool:read' }), cookie);
    expectNoRedirect(response, deps);
    expect(response.body).toContain('invalid_scope');
  });

  it('an expired session does not count', async () => {
    const deps = browserTestDeps();
    dynamicClient(deps);
    const cookie = await signedIn(deps, { expiresAt: now(deps) });
    expectNoRedirect(await authorize(deps, attackerQuery, cookie), deps);
  });

  it('a static (operator-vetted) client gets the error redirect without a session', async () => {
    const deps = browserTestDeps();
    expectErrorRedirect(await authorize(deps, a0({ scope: 'bogus' })), deps, 'invalid_scope');
  });
});

describe('GET /authorize: a signed-in browser', () => {
  it('issues a code at once when a stored consent covers the granted scope (302, code, state, one iss)', async () => {
    const deps = browserTestDeps();
    const cookie = await signedIn(deps, { authTime: now(deps) - 100 });
    await consentFor(deps, 'C1', ['tool:read', 'tool:execute']);
    const response = await authorize(deps, a0(), cookie);
    expect(response.status).toBe(302);
    const { base, params } = redirectTarget(response);
    expect(base).toBe('https://c1.example/cb');
    expect(params.get('state')).toBe('S');
    expect(params.getAll('iss')).toEqual([ISSUER]);
    const code = params.get('code')!;
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(deps.codes.items.get(sha256(code))).toEqual({
      codeHash: sha256(code),
      clientId: 'C1',
      redirectUri: 'https://c1.example/cb',
      redirectUriWasSent: true,
      codeChallenge: CHALLENGE,
      resources: [R1],
      scope: ['tool:read'],
      subject: 'alice-sub',
      authTime: now(deps) - 100,
      issuedAt: now(deps),
      expiresAt: now(deps) + deps.config.tokens.authorizationCodeSeconds,
    });
    expect(JSON.stringify([...deps.codes.items.values()])).not.toContain(code);
    expect(response.headers['Access-Control-Allow-Origin']).toBeUndefined();
  });

  it('case 3: a loopback client gets its code on the port it asked for', async () => {
    const deps = browserTestDeps();
    const cookie = await signedIn(deps);
    await consentFor(deps, 'LOOP', ['tool:read']);
    const response = await authorize(deps, a0({ client_id: 'LOOP', redirect_uri: 'http://127.0.0.1:51004/cb' }), cookie);
    expect(response.status).toBe(302);
    expect(redirectTarget(response).base).toBe('http://127.0.0.1:51004/cb');
    const [record] = [...deps.codes.items.values()];
    expect(record.redirectUri).toBe('http://127.0.0.1:51004/cb');
  });

  it('case 3: a loopback client without a session sees the consent page, with the local-app warning', async () => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0({ client_id: 'LOOP', redirect_uri: 'http://127.0.0.1:51004/cb' }));
    expect(response.status).toBe(200);
    expect(response.body).toContain('runs on your own computer');
    expect(response.body).toContain('127.0.0.1:51004');
  });

  it('asks again when the stored consent does not cover every scope', async () => {
    const deps = browserTestDeps();
    const cookie = await signedIn(deps);
    await consentFor(deps, 'C1', ['tool:read']);
    const response = await authorize(deps, a0({ scope: 'tool:read tool:execute' }), cookie);
    expect(response.status).toBe(200);
    expect(deps.codes.items.size).toBe(0);
    expect(csrfTokenOf(response)).toEqual(expect.any(String));
  });

  it('asks again when the stored consent has expired (TTL deletion lags)', async () => {
    const deps = browserTestDeps();
    const cookie = await signedIn(deps);
    await consentFor(deps, 'C1', ['tool:read'], R1, 0);
    expect((await authorize(deps, a0(), cookie)).status).toBe(200);
    expect(deps.codes.items.size).toBe(0);
  });

  it('asks again when one of two resources has no consent', async () => {
    const deps = browserTestDeps();
    const cookie = await signedIn(deps);
    await consentFor(deps, 'C1', ['tool:read']);
    expect((await authorize(deps, a0({ resource: [R1, R2], scope: 'tool:read files:read' }), cookie)).status).toBe(200);
    expect(deps.codes.items.size).toBe(0);
  });

  it('case 10: grants only the subset the user\'s groups allow, and shows only that subset', async () => {
    const deps = browserTestDeps();
    const cookie = await signedIn(deps, { subject: 'bob-sub', groups: ['mcp-readers'] });
    const response = await authorize(deps, a0({ scope: 'tool:read tool:execute' }), cookie);
    expect(response.status).toBe(200);
    expect(response.body).toContain('See which tools exist');
    expect(response.body).not.toContain('Run tools on your behalf');
  });

  it('case 10: a request entirely outside the user\'s groups -> ER invalid_scope', async () => {
    const deps = browserTestDeps();
    const cookie = await signedIn(deps, { subject: 'bob-sub', groups: ['mcp-readers'] });
    expectErrorRedirect(await authorize(deps, a0({ scope: 'admin' }), cookie), deps, 'invalid_scope');
  });

  it('ignores a session cookie that is not ours or unknown', async () => {
    const deps = browserTestDeps();
    await consentFor(deps, 'C1', ['tool:read']);
    for (const cookie of ['__Host-mcp_session=unknown-session-value-000000000000', '__Host-mcp_session=<bad>', 'mcp_session=session-cookie-value-for-tests-0123456789abcdef']) {
      await signedIn(deps);
      const response = await authorize(deps, a0(), cookie);
      expect(response.status).toBe(200);
    }
    expect(deps.codes.items.size).toBe(0);
  });
});

describe('case 13: consent for client A never lets client B through (confused deputy)', () => {
  it('B gets its own consent page: no code, no upstream redirect, a __Host- cookie bound to a pending request for B', async () => {
    const deps = browserTestDeps();
    const cookie = await signedIn(deps);
    await consentFor(deps, 'C1', ['tool:read', 'tool:execute', 'admin']);
    dynamicClient(deps);
    const response = await authorize(deps, a0({ client_id: 'mcp_dynamic_client_b', redirect_uri: 'https://attacker.example/cb' }), cookie);
    expect(response.status).toBe(200);
    expect(response.headers.Location).toBeUndefined();
    expect(deps.codes.items.size).toBe(0);
    expect(deps.upstream.lastAuthorization).toBeUndefined();
    expect(response.body).toContain('Client B');
    expect(response.body).toContain('<span class="host">attacker.example</span>');

    const [setCookie] = setCookies(response);
    expect(setCookie.split('; ').slice(1).sort()).toEqual(['HttpOnly', 'Max-Age=600', 'Path=/', 'SameSite=Lax', 'Secure']);
    expect((await pendingIn(deps, response))?.clientId).toBe('mcp_dynamic_client_b');
  });
});

describe('case 15: headers of the authorization endpoint', () => {
  it('the consent page cannot be framed, is not cached and sends no CORS headers', async () => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0());
    expect(response.headers['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['X-Frame-Options']).toBe('DENY');
    expect(response.headers['Cache-Control']).toBe('no-store');
    expect(Object.keys(response.headers).filter((h) => h.toLowerCase().startsWith('access-control'))).toEqual([]);
  });

  it('error pages cannot be framed either', async () => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0({ client_id: 'nobody' }));
    expect(response.headers['X-Frame-Options']).toBe('DENY');
  });
});

describe('GET /authorize: failures of dependencies', () => {
  it('a store outage is a 503 page with no detail, logged, and nothing redirected', async () => {
    const deps = browserTestDeps();
    const cookie = await signedIn(deps);
    deps.sessions.getConsent = async () => {
      throw new DependencyUnavailableError('sessions table');
    };
    const response = await authorize(deps, a0(), cookie);
    expect(response.status).toBe(503);
    expect(response.headers.Location).toBeUndefined();
    expect(response.body).not.toContain('sessions table');
    expect(deps.errors).toHaveLength(1);
  });

  it('an unexpected error is a 500 page without a stack trace', async () => {
    const deps = browserTestDeps();
    deps.clients.get = async () => {
      throw new Error('secret internal detail');
    };
    dynamicClient(deps);
    const response = await authorize(deps, a0({ client_id: 'mcp_dynamic_client_b', redirect_uri: 'https://attacker.example/cb' }));
    expect(response.status).toBe(500);
    expect(response.body).not.toContain('secret internal detail');
    expect(response.body).not.toMatch(/at .*\.ts/);
  });
});
