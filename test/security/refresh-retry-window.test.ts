/**
 * docs/security.md, case 57, the end of the retry window: on a stack whose
 * tokens.refreshRetryWindowSeconds is one second, the token a rotation replaced is reuse once
 * the window has passed, even though its successor was never used. The wait is bounded and only
 * steps past the window (whole seconds: two seconds and a bit is always past a one-second
 * window); nothing asserts on timing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Browser } from '../support/browser';
import { expectOAuthError, introspect, obtainCode, redeemCode, refresh, startSecurityStack, statusAtMcpServer, type SecurityStack } from './support/security-stack';

const PAST_ONE_SECOND_WINDOW_MS = 2_200;

let ctx: SecurityStack;
const browser = new Browser();

beforeAll(async () => {
  ctx = await startSecurityStack({
    configOverrides: (config) => {
      config.tokens.refreshRetryWindowSeconds = 1;
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
  await sleep(PAST_ONE_SECOND_WINDOW_MS);

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
  await sleep(PAST_ONE_SECOND_WINDOW_MS);
  const rt2 = await refresh(ctx, rt1.json.refresh_token);
  expect(rt2.status).toBe(200);
  expect(await statusAtMcpServer(ctx.stack.mcpUrl, rt2.json.access_token)).toBe(200);
});
