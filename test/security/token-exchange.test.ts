/**
 * docs/security.md, case 67: RFC 8693 token exchange at /token for MCP servers calling
 * downstream APIs, over real HTTP on the local stack. R1's server authenticates as MCP1 and
 * may exchange for one downstream API; R2's server is MCP2. Every refusal is a 400 (or the
 * 401 of a failed client authentication) and issues nothing.
 */
import { sha256Base64url } from '../../lambda/core/crypto';
import { Browser } from '../support/browser';
import { basic, claimsOf, expectOAuthError, obtainCode, postForm, redeemCode, startSecurityStack, type SecurityStack } from './support/security-stack';

const MCP1 = { clientId: 'MCP1', secret: 'mcp1-secret-for-the-attack-suite-0123456789' };
const MCP2 = { clientId: 'MCP2', secret: 'mcp2-secret-for-the-attack-suite-0123456789' };
const DOWNSTREAM = 'https://orders.downstream.example/api';
const OTHER_DOWNSTREAM = 'https://billing.downstream.example/api';

let ctx: SecurityStack;
const browser = new Browser();

beforeAll(async () => {
  ctx = await startSecurityStack({
    secondResource: true,
    configOverrides: (config) => {
      const server = (c: typeof MCP1) => ({ clientId: c.clientId, clientName: c.clientId, tokenEndpointAuthMethod: 'client_secret_basic', clientSecretHash: sha256Base64url(c.secret), grantTypes: ['urn:ietf:params:oauth:grant-type:token-exchange'] });
      config.clients.push(server(MCP1), server(MCP2));
      config.resources[0].serverClient = { clientId: MCP1.clientId, clientSecret: MCP1.secret };
      config.resources[0].downstream = [{ resource: DOWNSTREAM, scopes: { 'tool:read': ['orders:read'], 'tool:execute': ['orders:write'] } }];
      config.resources[1].serverClient = { clientId: MCP2.clientId, clientSecret: MCP2.secret };
      config.resources[1].downstream = [{ resource: OTHER_DOWNSTREAM, scopes: { 'files:read': ['invoices:read'] } }];
    },
  });
}, 90_000);

afterAll(async () => {
  await ctx?.stop();
});

/** An access token alice's client C1 got for `resource` (a code, redeemed). */
async function userToken(resource: string, scope: string): Promise<{ access_token: string; refresh_token: string }> {
  const issued = await obtainCode(ctx, browser, { scope, resources: [resource] });
  const answer = await redeemCode(ctx, issued, { resource });
  expect(answer.status).toBe(200);
  return answer.json;
}

function exchange(subjectToken: string, fields: Record<string, string> = {}, client = MCP1) {
  return postForm(`${ctx.issuer}/token`, {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    subject_token: subjectToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    resource: DOWNSTREAM,
    ...fields,
  }, basic(client.clientId, client.secret));
}

describe('case 67: token exchange', () => {
  it('control: MCP1 exchanges alice\'s R1 token for the downstream: her sub, aud the downstream, act MCP1, mapped scopes, no longer than the subject', async () => {
    const subject = await userToken(ctx.r1, 'tool:read tool:execute');
    const answer = await exchange(subject.access_token);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ token_type: 'Bearer', issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', scope: 'orders:read orders:write' });
    expect(answer.json.refresh_token).toBeUndefined();
    const claims = claimsOf(answer.json.access_token);
    const subjectClaims = claimsOf(subject.access_token);
    expect(claims).toMatchObject({ sub: subjectClaims.sub, aud: DOWNSTREAM, client_id: MCP1.clientId, act: { sub: MCP1.clientId }, fid: subjectClaims.fid });
    expect(claims.exp as number).toBeLessThanOrEqual(subjectClaims.exp as number);
  });

  it('narrows on request, within the mapping', async () => {
    const subject = await userToken(ctx.r1, 'tool:read tool:execute');
    expect((await exchange(subject.access_token, { scope: 'orders:read' })).json.scope).toBe('orders:read');
  });

  it('case 67: a subject token issued for another resource (R2) is invalid_grant', async () => {
    const r2Token = await userToken(ctx.r2!, 'files:read');
    expectOAuthError(await exchange(r2Token.access_token), 400, 'invalid_grant');
    // Not even for R2's own downstream through MCP1's credentials.
    expectOAuthError(await exchange(r2Token.access_token, { resource: OTHER_DOWNSTREAM }), 400, 'invalid_grant');
  });

  it('case 67: a revoked subject token (its refresh family revoked at /revoke) is invalid_grant', async () => {
    const subject = await userToken(ctx.r1, 'tool:read');
    expect((await exchange(subject.access_token)).status).toBe(200);
    const revoked = await postForm(`${ctx.issuer}/revoke`, { token: subject.refresh_token, client_id: 'C1' });
    expect(revoked.status).toBe(200);
    expectOAuthError(await exchange(subject.access_token), 400, 'invalid_grant');
  });

  it('case 67: a subject token with exp moved (later or past: the signature no longer holds) is invalid_grant', async () => {
    const subject = await userToken(ctx.r1, 'tool:read');
    const [h, p, s] = subject.access_token.split('.');
    const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, exp: payload.exp + 3600 })).toString('base64url')}.${s}`;
    expectOAuthError(await exchange(tampered), 400, 'invalid_grant');
    const expired = `${h}.${Buffer.from(JSON.stringify({ ...payload, exp: payload.iat - 60 })).toString('base64url')}.${s}`;
    expectOAuthError(await exchange(expired), 400, 'invalid_grant');
  });

  it('case 67: a downstream resource not in R1\'s downstream[] is invalid_target', async () => {
    const subject = await userToken(ctx.r1, 'tool:read');
    expectOAuthError(await exchange(subject.access_token, { resource: OTHER_DOWNSTREAM }), 400, 'invalid_target');
    expectOAuthError(await exchange(subject.access_token, { resource: ctx.r2! }), 400, 'invalid_target');
  });

  it('case 67: a scope beyond the mapping is invalid_scope (tool:read maps to orders:read only)', async () => {
    const subject = await userToken(ctx.r1, 'tool:read');
    expectOAuthError(await exchange(subject.access_token, { scope: 'orders:read orders:write' }), 400, 'invalid_scope');
  });

  it('case 67: an MCP server authenticating as a different client than the resource\'s is refused', async () => {
    const subject = await userToken(ctx.r1, 'tool:read');
    expectOAuthError(await exchange(subject.access_token, {}, MCP2), 400, 'invalid_grant');
    // The user's own client cannot exchange either: it has no token-exchange grant.
    const asUserClient = await postForm(`${ctx.issuer}/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: subject.access_token, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', resource: DOWNSTREAM, client_id: 'C1' });
    expectOAuthError(asUserClient, 400, 'unauthorized_client');
  });

  it('an exchanged token cannot be exchanged again (its aud is no MCP server)', async () => {
    const subject = await userToken(ctx.r1, 'tool:read');
    const exchanged = await exchange(subject.access_token);
    expectOAuthError(await exchange(exchanged.json.access_token), 400, 'invalid_grant');
  });
});
