/**
 * Refresh rules that need the clock to move, on a stack whose tokens.refreshRetryWindowSeconds
 * and tokens.groupsRecheckSeconds are one second: docs/security.md, case 57 (the end of the retry
 * window: the token a rotation replaced is reuse once the window has passed, even though its
 * successor was never used) and groups at refresh (docs/operations.md: a user removed from
 * mcp-admins at the dev IdP loses `admin` at the next refresh past the bound). The waits are
 * bounded and only step past a one-second bound (whole seconds: two seconds and a bit is always
 * past it); nothing asserts on timing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Browser } from '../support/browser';
import {
  basic, claimsOf, expectOAuthError, introspect, obtainCode, redeemCode, refresh, startSecurityStack, statusAtMcpServer, type SecurityStack,
} from './support/security-stack';

const PAST_ONE_SECOND_MS = 2_200;

let ctx: SecurityStack;
const browser = new Browser();

beforeAll(async () => {
  ctx = await startSecurityStack({
    configOverrides: (config) => {
      config.tokens.refreshRetryWindowSeconds = 1;
      config.tokens.groupsRecheckSeconds = 1;
    },
  });
}, 90_000);

afterAll(async () => {
  await ctx?.stop();
});

it('case 57: RT0 after the window with RT1 unused is 400 invalid_grant, and the family and every access token it minted are revoked', async () => {
  const first = await redeemCode(ctx, await obtainCode(ctx, browser));
  expect(first.status).toBe(200);
  const rt1 = await refresh(ctx, first.json.refresh_token);
  expect(rt1.status).toBe(200);
  await sleep(PAST_ONE_SECOND_MS);

  expectOAuthError(await refresh(ctx, first.json.refresh_token), 400, 'invalid_grant');
  // RT1 was never used, yet the family is gone: the old token came back too late to be a retry.
  expectOAuthError(await refresh(ctx, rt1.json.refresh_token), 400, 'invalid_grant');
  for (const accessToken of [first.json.access_token, rt1.json.access_token]) {
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, accessToken)).toBe(401);
    expect(await introspect(ctx, accessToken)).toEqual({ active: false });
  }
});

it('case 57: the current token is not bound by the window: RT1 still rotates after it', async () => {
  const first = await redeemCode(ctx, await obtainCode(ctx, browser));
  const rt1 = await refresh(ctx, first.json.refresh_token);
  expect(rt1.status).toBe(200);
  await sleep(PAST_ONE_SECOND_MS);
  const rt2 = await refresh(ctx, rt1.json.refresh_token);
  expect(rt2.status).toBe(200);
  expect(await statusAtMcpServer(ctx.stack.mcpUrl, rt2.json.access_token)).toBe(200);
});

describe('groups at refresh', () => {
  /** The dev IdP's admin endpoint, as its one client (the authorization server's upstream credentials). */
  async function setAliceGroups(groups: readonly string[], credentials = basic(ctx.stack.config.upstream.clientId, ctx.stack.config.upstream.clientSecret)): Promise<number> {
    const response = await fetch(`${ctx.stack.devIdp}/admin/users/${encodeURIComponent('dev|alice')}/groups`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...credentials },
      body: JSON.stringify({ groups }),
    });
    await response.arrayBuffer();
    return response.status;
  }

  afterEach(async () => {
    expect(await setAliceGroups(['mcp-users', 'mcp-admins'])).toBe(204);
  });

  it('a user removed from mcp-admins at the IdP loses admin at the first refresh past tokens.groupsRecheckSeconds', async () => {
    const first = await redeemCode(ctx, await obtainCode(ctx, browser, { scope: 'tool:read tool:execute admin' }));
    expect(first.status).toBe(200);
    expect(String(claimsOf(first.json.access_token).scope).split(' ').sort()).toEqual(['admin', 'tool:execute', 'tool:read']);

    expect(await setAliceGroups(['mcp-users'])).toBe(204);
    await sleep(PAST_ONE_SECOND_MS);
    const next = await refresh(ctx, first.json.refresh_token);
    expect(next.status).toBe(200);
    expect(String(next.json.scope).split(' ').sort()).toEqual(['tool:execute', 'tool:read']);
    expect(String(claimsOf(next.json.access_token).scope).split(' ').sort()).toEqual(['tool:execute', 'tool:read']);
    // The family itself lost admin: asking for it back is invalid_scope.
    expectOAuthError(await refresh(ctx, next.json.refresh_token, { scope: 'admin' }), 400, 'invalid_scope');
  });

  it('a user left with no group that grants anything gets invalid_grant at refresh (a new login decides)', async () => {
    const first = await redeemCode(ctx, await obtainCode(ctx, browser, { scope: 'tool:read' }));
    expect(first.status).toBe(200);
    expect(await setAliceGroups([])).toBe(204);
    await sleep(PAST_ONE_SECOND_MS);
    expectOAuthError(await refresh(ctx, first.json.refresh_token), 400, 'invalid_grant');
  });

  it('the dev IdP answers group reads and changes only to its own client', async () => {
    expect(await setAliceGroups(['mcp-admins'], basic(ctx.stack.config.upstream.clientId, 'not-the-secret'))).toBe(401);
    expect(await setAliceGroups(['mcp-admins'], {})).toBe(401);
  });
});
