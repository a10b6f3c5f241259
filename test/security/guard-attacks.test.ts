/**
 * docs/security.md, case 34-43 against the running local stack: every request goes to the MCP URL
 * through the emulated API Gateway and the real authorizer, which fetches the JWKS from the
 * real authorization server. Forged tokens are signed by a key the stack does not trust,
 * except where a case needs a trusted signature over bad claims: those use the stack's own
 * key file (local mode's stand-in for KMS). Whatever the attack, never a 5xx.
 */
import { createHmac, createPrivateKey, createPublicKey, randomBytes, randomUUID } from 'node:crypto';
import { exportJWK } from 'jose';
import { readFileSync } from 'node:fs';
import { freePort } from '../../local/dynamodb-local';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';
import { b64url, createTestSigningKey, mintAccessToken, signRaw, startLoopbackServer, type LoopbackServer, type MintOptions, type TestSigningKey } from '../support/guard-token-forge';
import { ALICE, BrowserOAuthProvider, connectWithOAuth } from '../support/mcp-sdk-session';
import { rawRequest } from '../support/raw-http';

const REVOCATION_CACHE_SECONDS = 1;

let stack: LocalStack;
let config: any;
let trusted: TestSigningKey;
let attacker: TestSigningKey;
let canary: LoopbackServer;
let resourceMetadataUrl: string;

beforeAll(async () => {
  stack = await startLocalStack({
    configOverrides: (c) => {
      // The authorizer decides every request itself (no API Gateway cache), revocation looks are cached 1 s.
      c.guard = { authorizerCacheTtlSeconds: 0, revocationCacheTtlSeconds: REVOCATION_CACHE_SECONDS, clockSkewSeconds: 30 };
    },
  });
  config = stack.config;
  resourceMetadataUrl = `${new URL(stack.mcpUrl).origin}/.well-known/oauth-protected-resource/mcp`;
  trusted = await stackSigningKey(stack);
  attacker = await createTestSigningKey(trusted.kid); // same kid as the live key, other key material
  canary = await startLoopbackServer(() => ({ status: 200, body: JSON.stringify({ keys: [attacker.publicJwk] }) }));
}, 90_000);

afterAll(async () => {
  await canary?.close();
  await stack?.stop();
});

/** The key the CLI created in its data folder; its path and kid are on the start-up log line. */
async function stackSigningKey(running: LocalStack): Promise<TestSigningKey> {
  const line = /(?:created|loaded) signing key (\S+) \(kid ([^)]+)\)/.exec(running.output());
  if (!line) throw new Error(`the local stack did not log its signing key:\n${running.output()}`);
  const privateKey = createPrivateKey(readFileSync(line[1]!, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  return { kid: line[2]!, privateKey, publicKey, publicJwk: { ...(await exportJWK(publicKey)), kid: line[2]!, alg: 'RS256', use: 'sig' } };
}

const mint = (opts: MintOptions = {}) => mintAccessToken(config, trusted, { ...opts, claims: { sub: 'dev|alice', scope: 'tool:read tool:execute', ...opts.claims } });

async function callMcp(token: string | undefined, init: { headers?: Record<string, string>; url?: string; body?: string } = {}) {
  const response = await fetch(init.url ?? stack.mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...init.headers },
    body: init.body ?? JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

async function expectRefused(token: string): Promise<void> {
  const response = await callMcp(token);
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${resourceMetadataUrl}", scope="tool:read tool:execute"`);
}

describe('control', () => {
  it('a token signed with the stack key and correct claims is accepted (so every 401 below is the attack, not the forge)', async () => {
    expect((await callMcp(await mint())).status).toBe(200);
  });
});

describe('34. alg none', () => {
  it('{"alg":"none","typ":"at+jwt","kid":<live>} with an empty signature -> 401', async () => {
    const valid = await mint();
    const payload = valid.split('.')[1];
    await expectRefused(`${b64url(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: trusted.kid }))}.${payload}.`);
  });
});

describe('35. HS256 key confusion', () => {
  it.each(['PEM', 'DER', 'JWK JSON'])('HMAC keyed by the AS public key as %s -> 401', async (form) => {
    const secret =
      form === 'PEM' ? Buffer.from(trusted.publicKey.export({ type: 'spki', format: 'pem' }) as string) : form === 'DER' ? (trusted.publicKey.export({ type: 'spki', format: 'der' }) as Buffer) : Buffer.from(JSON.stringify(trusted.publicJwk));
    const payload = (await mint()).split('.')[1];
    const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: trusted.kid }))}.${payload}`;
    await expectRefused(`${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`);
  });
});

describe('36. kid', () => {
  it.each([['x', 'x'], ['../../x', '../../x'], ["' OR '1'='1", "' OR '1'='1"], ['10 KB', 'k'.repeat(10 * 1024)]])('kid %s -> 401 (or 431 for a header that large), never a 5xx', async (_label, kid) => {
    const token = await mintAccessToken(config, attacker, { header: { kid } });
    const response = await callMcp(token);
    if (kid.length > 1000) expect([401, 431]).toContain(response.status);
    else expect(response.status).toBe(401);
  });

  it('a burst of 100 made-up kids signed by an unknown key: all 401, none 5xx', async () => {
    const statuses = await Promise.all(Array.from({ length: 100 }, async () => (await callMcp(await mintAccessToken(config, attacker, { header: { kid: `made-up-${randomUUID()}` } }))).status));
    expect(new Set(statuses)).toEqual(new Set([401]));
  });
});

describe('37. embedded keys', () => {
  it.each([
    ['jwk', () => ({ jwk: attacker.publicJwk })],
    ['jku', () => ({ jku: `${canary.url}/jwks.json` })],
    ['x5u', () => ({ x5u: `${canary.url}/cert.pem` })],
  ])('an attacker-signed token with an embedded %s -> 401, and the canary gets no hits', async (_name, header) => {
    canary.hits = 0;
    await expectRefused(await mintAccessToken(config, attacker, { header: header() }));
    expect(canary.hits).toBe(0);
  });
});

describe('38. claims (trusted signature, bad claims)', () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, () => MintOptions]>([
    ['iss with a trailing slash', () => ({ claims: { iss: `${config.issuer}/` } })],
    ['aud naming another MCP server', () => ({ claims: { aud: 'http://localhost:1/mcp' } })],
    ['aud absent', () => ({ omit: ['aud'] })],
    ['typ JWT', () => ({ header: { typ: 'JWT' } })],
    ['typ absent', () => ({ header: { typ: undefined } })],
    ['typ dpop+jwt', () => ({ header: { typ: 'dpop+jwt' } })],
    ['exp = now - 120', () => ({ claims: { exp: now() - 120, iat: now() - 900 } })],
    ['nbf = now + 300', () => ({ claims: { nbf: now() + 300 } })],
    ['iat = now + 3600', () => ({ claims: { iat: now() + 3600, exp: now() + 4500 } })],
    ['missing jti', () => ({ omit: ['jti'] })],
    ['missing client_id', () => ({ omit: ['client_id'] })],
    ['missing sub', () => ({ omit: ['sub'] })],
  ])('%s -> 401', async (_name, options) => {
    await expectRefused(await mint(options()));
  });
});

describe('39. crit', () => {
  it('{"alg":"RS256","crit":["urn:x"],"urn:x":1} with a trusted signature -> 401', async () => {
    const payload = Buffer.from((await mint()).split('.')[1]!, 'base64url').toString();
    await expectRefused(signRaw(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: trusted.kid, crit: ['urn:x'], 'urn:x': 1 }), payload, trusted.privateKey));
  });
});

describe('40. malformed or oversized', () => {
  it('2 or 4 segments, or non-base64url characters -> 401', async () => {
    const [h, p, s] = (await mint()).split('.');
    for (const token of [`${h}.${p}`, `${h}.${p}.${s}.${s}`, `${h}.${p}.${s!.slice(0, -4)}+/==`, `${h}.${p}!.${s}`]) await expectRefused(token);
  });

  it.each([['16 KB', 16 * 1024], ['1 MB', 1024 * 1024]])('a %s header -> 401, 413 or 431, never a 5xx', async (_name, size) => {
    const payload = (await mint()).split('.')[1];
    const token = `${b64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: trusted.kid, pad: 'a'.repeat(size) }))}.${payload}.c2ln`;
    const response = await rawRequest(stack.mcpUrl, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' }).catch((error: Error) => ({ status: 0, error }));
    // A server may also drop a connection whose headers exceed its limit; it must not crash or answer 5xx.
    expect([0, 401, 413, 431]).toContain(response.status);
    expect((await callMcp(await mint())).status).toBe(200);
  });

  it('a duplicate aud whose first value is ours and last is foreign (trusted signature) -> 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = `{"iss":${JSON.stringify(config.issuer)},"sub":"dev|alice","aud":${JSON.stringify(stack.mcpUrl)},"client_id":"c1","scope":"tool:read","iat":${now},"exp":${now + 600},"jti":"${randomUUID()}","aud":"http://localhost:1/mcp"}`;
    await expectRefused(signRaw(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: trusted.kid }), claims, trusted.privateKey));
  });
});

describe('41. how the token is sent', () => {
  it('?access_token= in the query -> 401', async () => {
    const response = await callMcp(undefined, { url: `${stack.mcpUrl}?access_token=${await mint()}` });
    expect(response.status).toBe(401);
  });

  it('no token -> 401 with Bearer resource_metadata="…" and no error code', async () => {
    const response = await callMcp(undefined);
    expect(response.status).toBe(401);
    const challenge = response.headers.get('www-authenticate')!;
    expect(challenge).toMatch(/^Bearer resource_metadata="[^"]+"/);
    expect(challenge).not.toMatch(/error=/);
  });

  it('token in both the header and a form body -> refused by the MCP server with a 4xx, never run', async () => {
    const token = await mint();
    const response = await callMcp(token, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ access_token: token }).toString() });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.body).not.toContain(token);
  });

  it('scope too small for the route -> 403 with error="insufficient_scope"', async () => {
    const response = await callMcp(await mint({ claims: { scope: 'admin' } }));
    expect(response.status).toBe(403);
    expect(response.headers.get('www-authenticate')).toBe(`Bearer error="insufficient_scope", scope="tool:read tool:execute admin", resource_metadata="${resourceMetadataUrl}"`);
  });
});

describe('42. revoked access token', () => {
  it('after /revoke, the MCP server answers 401 within revocationCacheTtlSeconds (API Gateway cache off)', async () => {
    const provider = new BrowserOAuthProvider({ user: ALICE, redirectUrl: `http://127.0.0.1:${await freePort()}/callback` });
    await (await connectWithOAuth(stack.mcpUrl, provider)).close();
    const { access_token: accessToken, refresh_token: refreshToken } = provider.tokens()!;
    expect((await callMcp(accessToken)).status).toBe(200);
    const revoke = await fetch(`${stack.issuer}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: refreshToken!, client_id: provider.clientInformation()!.client_id }),
    });
    expect(revoke.status).toBe(200);
    const revokedAt = Date.now();
    let status = 0;
    for (let i = 0; i < 40 && Date.now() - revokedAt <= REVOCATION_CACHE_SECONDS * 1000 + 1500; i++) {
      status = (await callMcp(accessToken)).status;
      if (status === 401) break;
      expect(status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe(401);
  });
});

describe('43. session hijack (the demo server is stateless)', () => {
  const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'a', version: '1' } } });
  const whoamiCall = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } });

  it('issues no Mcp-Session-Id: there is no session state to take over', async () => {
    const opened = await callMcp(await mint(), { body: initialize });
    expect(opened.status).toBe(200);
    expect(opened.headers.get('mcp-session-id')).toBeNull();
  });

  it('a session id with no token -> 401 (the token is checked first, so the answer says nothing about sessions)', async () => {
    const anonymous = await callMcp(undefined, { headers: { 'mcp-session-id': randomBytes(16).toString('hex') }, body: whoamiCall });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe(`Bearer resource_metadata="${resourceMetadataUrl}", scope="tool:read tool:execute"`);
  });

  it.each([
    ['tools/call whoami', whoamiCall],
    ['initialize', initialize],
    ['tools/list', JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list', params: {} })],
  ])("%s with user B's valid token and a session id B was never given -> 404 (no such session), never 200", async (_name, body) => {
    const asBob = await callMcp(await mint({ claims: { sub: 'dev|bob', client_id: 'bob-client' } }), { headers: { 'mcp-session-id': randomBytes(16).toString('hex') }, body });
    expect(asBob.status).toBe(404);
    expect(asBob.headers.get('mcp-session-id')).toBeNull();
    expect(asBob.body).not.toContain('dev|');
  });

  it('the same token without the session id is answered (so the 404 is the session, not the token)', async () => {
    const asBob = await callMcp(await mint({ claims: { sub: 'dev|bob', client_id: 'bob-client' } }), { body: whoamiCall });
    expect(asBob.status).toBe(200);
  });
});
