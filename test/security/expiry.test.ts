/**
 * docs/security.md, case 26 (stale code), 33 (idle refresh token) and 51 (an expired access token
 * introspects as inactive), on a stack whose code, idle and access token lifetimes are one
 * second and whose clock skew allowance is zero. The waits are bounded and only step past a lifetime;
 * nothing asserts on timing. The stores compare whole seconds (`expiresAt < now`), so
 * two seconds and a bit is always past a one-second lifetime.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Browser } from '../support/browser';
import { expectOAuthError, introspect, obtainCode, redeemCode, refresh, startSecurityStack, type SecurityStack } from './support/security-stack';

const PAST_ONE_SECOND_LIFETIME_MS = 2_200;

let ctx: SecurityStack;
const browser = new Browser();

beforeAll(async () => {
  ctx = await startSecurityStack({
    configOverrides: (config) => {
      config.tokens.authorizationCodeSeconds = 1;
      config.tokens.refreshTokenIdleSeconds = 1;
      config.tokens.accessTokenSeconds = 1;
      config.guard.clockSkewSeconds = 0;
    },
  });
}, 90_000);

afterAll(async () => {
  await ctx?.stop();
});

it('case 26: a code past its lifetime is invalid_grant', async () => {
  const issued = await obtainCode(ctx, browser);
  await sleep(PAST_ONE_SECOND_LIFETIME_MS);
  expectOAuthError(await redeemCode(ctx, issued), 400, 'invalid_grant');
});

it('case 33: a refresh token idle past its lifetime is invalid_grant', async () => {
  const issued = await obtainCode(ctx, browser);
  const tokens = await redeemCode(ctx, issued);
  expect(tokens.status).toBe(200);
  await sleep(PAST_ONE_SECOND_LIFETIME_MS);
  expectOAuthError(await refresh(ctx, tokens.json.refresh_token), 400, 'invalid_grant');
});

it('case 51: an expired access token introspects as exactly {"active":false}', async () => {
  const issued = await obtainCode(ctx, browser);
  const tokens = await redeemCode(ctx, issued);
  expect(tokens.status).toBe(200);
  await sleep(PAST_ONE_SECOND_LIFETIME_MS);
  expect(await introspect(ctx, tokens.json.access_token)).toEqual({ active: false });
});
