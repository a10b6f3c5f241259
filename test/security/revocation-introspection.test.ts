/**
 * docs/security.md, case 50 (/revoke, RFC 7009) and 51 (/introspect, RFC 7662) over real HTTP on
 * the local stack. The expired-token part of case 51 lives in expiry.test.ts.
 *
 * RS may introspect tokens for R1 only here (R2 names no introspector), so an R2 token is
 * "meant for another resource server" from RS's point of view.
 */
import { randomBytes } from 'node:crypto';
import { Browser } from '../support/browser';
import {
  C1, C2, C3, RS, basic, expectNoLeak, expectOAuthError, introspect, obtainCode, postForm, redeemCode, refresh, startSecurityStack, statusAtMcpServer,
  type SecurityStack,
} from './support/security-stack';

let ctx: SecurityStack;
const browser = new Browser();

beforeAll(async () => {
  ctx = await startSecurityStack({
    secondResource: true,
    configOverrides: (config) => {
      config.resources[1].introspectionClients = [];
    },
  });
}, 90_000);

afterAll(async () => {
  await ctx?.stop();
});

async function newGrant(resources: readonly string[] = [ctx.r1], scope = 'tool:read') {
  const issued = await obtainCode(ctx, browser, { resources, scope });
  const answer = await redeemCode(ctx, issued, { resource: resources[0] });
  expect(answer.status).toBe(200);
  return { accessToken: answer.json.access_token as string, refreshToken: answer.json.refresh_token as string };
}

const revoke = (fields: Record<string, string | undefined>, headers: Record<string, string> = {}) => postForm(`${ctx.issuer}/revoke`, fields, headers);

describe('case 50: /revoke', () => {
  it('case 50: a garbage token is 200', async () => {
    const answer = await revoke({ token: randomBytes(40).toString('base64url'), client_id: C1.clientId });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
  });

  it("case 50: another client's access and refresh tokens: 200 or 400, and both stay active", async () => {
    const grant = await newGrant();
    for (const token of [grant.accessToken, grant.refreshToken]) {
      const answer = await revoke({ token, client_id: C2.clientId });
      expect([200, 400]).toContain(answer.status);
      expectNoLeak(answer.text);
    }
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, grant.accessToken)).toBe(200);
    expect(await introspect(ctx, grant.accessToken)).toMatchObject({ active: true });
    expect((await refresh(ctx, grant.refreshToken)).status).toBe(200);
  });

  it('case 50: bad client authentication is 401 invalid_client, and nothing is revoked', async () => {
    const grant = await newGrant();
    expectOAuthError(await revoke({ token: grant.accessToken }, basic(C3.clientId, 'not-the-secret')), 401, 'invalid_client');
    expectOAuthError(await revoke({ token: grant.accessToken, client_id: C1.clientId, client_secret: 'a-secret-a-public-client-does-not-have' }), 401, 'invalid_client');
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, grant.accessToken)).toBe(200);
  });

  it("case 50: revoking a refresh token kills the grant's access tokens", async () => {
    const grant = await newGrant();
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, grant.accessToken)).toBe(200);
    expect((await revoke({ token: grant.refreshToken, client_id: C1.clientId })).status).toBe(200);
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, grant.accessToken)).toBe(401);
    expect(await introspect(ctx, grant.accessToken)).toEqual({ active: false });
    expectOAuthError(await refresh(ctx, grant.refreshToken), 400, 'invalid_grant');
  });

  it('case 50: token_type_hint=bogus is 200, and the token is still revoked (the hint is only a hint)', async () => {
    const grant = await newGrant();
    expect((await revoke({ token: grant.accessToken, token_type_hint: 'bogus', client_id: C1.clientId })).status).toBe(200);
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, grant.accessToken)).toBe(401);
  });
});

describe('case 51: /introspect', () => {
  it('case 51: no authentication is 401, and so is a public client that only names itself', async () => {
    const grant = await newGrant();
    expectOAuthError(await postForm(`${ctx.issuer}/introspect`, { token: grant.accessToken }), 401, 'invalid_client');
    expectOAuthError(await postForm(`${ctx.issuer}/introspect`, { token: grant.accessToken, client_id: C1.clientId }), 401, 'invalid_client');
    expectOAuthError(await postForm(`${ctx.issuer}/introspect`, { token: grant.accessToken }, basic(RS.clientId, 'not-the-secret')), 401, 'invalid_client');
  });

  it('case 51: an unknown token is exactly {"active":false}', async () => {
    expect(await introspect(ctx, randomBytes(40).toString('base64url'))).toEqual({ active: false });
    expect(await introspect(ctx, 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')).toEqual({ active: false });
  });

  it('case 51: a revoked token is exactly {"active":false}', async () => {
    const grant = await newGrant();
    expect(await introspect(ctx, grant.accessToken)).toMatchObject({ active: true, aud: ctx.r1, client_id: C1.clientId });
    await revoke({ token: grant.accessToken, client_id: C1.clientId });
    expect(await introspect(ctx, grant.accessToken)).toEqual({ active: false });
  });

  it('case 51: a token meant for another resource server is exactly {"active":false} to this one', async () => {
    const grant = await newGrant([ctx.r2!], 'files:read');
    expect(await introspect(ctx, grant.accessToken)).toEqual({ active: false });
    // Still live for what it is meant for: nothing about it was changed by asking.
    expect(await statusAtMcpServer(ctx.r2!, grant.accessToken)).toBe(200);
  });
});
