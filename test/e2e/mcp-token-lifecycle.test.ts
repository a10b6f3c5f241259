/**
 * Token lifetimes through a real MCP client: the SDK refreshes on its own when the access
 * token expires; revoking the grant locks the client out within the documented delay
 * (authorizerCacheTtlSeconds + revocationCacheTtlSeconds, docs/guard.md); a token minted
 * for another MCP server is refused. Lifetimes and caches are shortened so that this runs
 * in seconds; every wait is a bounded poll.
 */
import { decodeJwt } from 'jose';
import { freePort } from '../../local/dynamodb-local';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';
import { ALICE, BrowserOAuthProvider, connectWithOAuth, type RecordedExchange } from '../support/mcp-sdk-session';

const ACCESS_TOKEN_SECONDS = 6;
const AUTHORIZER_CACHE_SECONDS = 1;
const REVOCATION_CACHE_SECONDS = 1;
const REVOCATION_DELAY_MS = (AUTHORIZER_CACHE_SECONDS + REVOCATION_CACHE_SECONDS) * 1000;

let stack: LocalStack;
let redirectUrl: string;
let secondMcpUrl: string;

beforeAll(async () => {
  redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
  const secondPort = await freePort();
  stack = await startLocalStack({
    configOverrides: (config) => {
      config.tokens.accessTokenSeconds = ACCESS_TOKEN_SECONDS;
      config.guard = { authorizerCacheTtlSeconds: AUTHORIZER_CACHE_SECONDS, revocationCacheTtlSeconds: REVOCATION_CACHE_SECONDS, clockSkewSeconds: 0 };
      secondMcpUrl = `http://localhost:${secondPort}/mcp`;
      config.resources.push({ ...config.resources[0], uri: secondMcpUrl, name: 'Second MCP server' });
    },
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function mcpPost(url: string, accessToken: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  });
}

it('the SDK refreshes by itself when the access token expires (401 -> refresh_token grant -> retry)', async () => {
  const exchanges: RecordedExchange[] = [];
  const provider = new BrowserOAuthProvider({ user: ALICE, redirectUrl });
  const session = await connectWithOAuth(stack.mcpUrl, provider, exchanges);
  try {
    const first = provider.tokens()!;
    expect(first.refresh_token).toEqual(expect.any(String));
    const { exp } = decodeJwt(first.access_token);
    // Past exp and past the authorizer cache, which may replay an Allow for its TTL.
    for (let i = 0; i < 40 && Date.now() / 1000 <= exp! + AUTHORIZER_CACHE_SECONDS + 0.5; i++) await sleep(250);
    expect(Date.now() / 1000).toBeGreaterThan(exp! + AUTHORIZER_CACHE_SECONDS);
    const seen = exchanges.length;

    expect((await session.client.listTools()).tools).toHaveLength(3);

    const after = exchanges.slice(seen).map((e) => `${e.method} ${new URL(e.url).pathname} ${e.status}${e.requestBody?.includes('grant_type=refresh_token') ? ' refresh' : ''}`);
    expect(after).toEqual(expect.arrayContaining(['POST /mcp 401', 'POST /token 200 refresh', 'POST /mcp 200']));
    expect(after.indexOf('POST /mcp 401')).toBeLessThan(after.indexOf('POST /token 200 refresh'));
    const second = provider.tokens()!;
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token); // rotated
  } finally {
    await session.close();
  }
});

it('revoking the refresh token (RFC 7009) makes the MCP server answer 401 to its access token within the documented delay', async () => {
  const provider = new BrowserOAuthProvider({ user: ALICE, redirectUrl });
  const session = await connectWithOAuth(stack.mcpUrl, provider);
  await session.close();
  const { access_token: accessToken, refresh_token: refreshToken } = provider.tokens()!;
  const { exp } = decodeJwt(accessToken);
  expect((await mcpPost(stack.mcpUrl, accessToken)).status).toBe(200);

  const revoked = await fetch(`${stack.issuer}/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: refreshToken!, token_type_hint: 'refresh_token', client_id: provider.clientInformation()!.client_id }),
  });
  expect(revoked.status).toBe(200);
  const revokedAt = Date.now();

  let status = 0;
  for (let i = 0; i < 40 && Date.now() - revokedAt <= REVOCATION_DELAY_MS + 1500; i++) {
    status = (await mcpPost(stack.mcpUrl, accessToken)).status;
    if (status === 401) break;
    expect(status).toBe(200); // still inside the documented delay: the cached answer, never an error
    await sleep(100);
  }
  expect(status).toBe(401);
  // The token was refused because it was revoked, not because it had expired.
  expect(Date.now() / 1000).toBeLessThan(exp!);
});

it('a token minted for another MCP server (aud = that resource) gets 401 here, and works there', async () => {
  const provider = new BrowserOAuthProvider({ user: ALICE, redirectUrl });
  const session = await connectWithOAuth(secondMcpUrl, provider);
  await session.close();
  const { access_token: otherToken } = provider.tokens()!;
  expect(decodeJwt(otherToken).aud).toBe(secondMcpUrl);
  expect((await mcpPost(secondMcpUrl, otherToken)).status).toBe(200);
  const refused = await mcpPost(stack.mcpUrl, otherToken);
  expect(refused.status).toBe(401);
  expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer resource_metadata="/);
});
