/**
 * docs/security.md, case 29-33 and 56-57: refresh tokens over real HTTP on the local stack.
 * Case 33's idle token lives in expiry.test.ts (it needs a stack with a tiny idle lifetime),
 * and case 57's window end in refresh-clocks.test.ts (a stack with a one-second window).
 *
 * The retry rule (docs/security.md, decision f) shapes case 29: right after RT0 -> RT1, RT0 is
 * still redeemable (the client may never have received RT1), for tokens.refreshRetryWindowSeconds
 * (30 s here). It becomes reuse once RT1 has been used or the window has passed; then the whole
 * family and every access token it minted die. Reuse needs a token the server issued (case 56).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { localDynamoDbCalls } from '../../local/dynamodb-local';
import { TEST_AWS_CALLS } from '../support/dynamodb';
import { DynamoDbRevocationStore } from '../../lambda/adapters/dynamodb/dynamodb-revocation-store';
import { tableNamesForPrefix } from '../../lambda/adapters/dynamodb/tables';
import { Browser } from '../support/browser';
import {
  C1, C2, C3, basic, claimsOf, postForm, expectOAuthError, introspect, obtainCode, redeemCode, refresh, startSecurityStack, statusAtMcpServer, type SecurityStack,
} from './support/security-stack';

let ctx: SecurityStack;
const browser = new Browser();

beforeAll(async () => {
  ctx = await startSecurityStack({ secondResource: true });
}, 90_000);

afterAll(async () => {
  await ctx?.stop();
});

interface Grant {
  readonly accessToken: string;
  readonly refreshToken: string;
}

async function newGrant(scope = 'tool:read tool:execute'): Promise<Grant> {
  const issued = await obtainCode(ctx, browser, { scope });
  const answer = await redeemCode(ctx, issued);
  expect(answer.status).toBe(200);
  return { accessToken: answer.json.access_token, refreshToken: answer.json.refresh_token };
}

async function rotate(refreshToken: string, changes: Record<string, string | undefined> = {}): Promise<Grant> {
  const answer = await refresh(ctx, refreshToken, changes);
  expect(answer.status).toBe(200);
  return { accessToken: answer.json.access_token, refreshToken: answer.json.refresh_token };
}

describe('case 29: reuse detection', () => {
  it('case 29: RT0 after its successor was used is reuse: invalid_grant, and the family and its access tokens die', async () => {
    const g0 = await newGrant();
    const g1 = await rotate(g0.refreshToken);
    const g2 = await rotate(g1.refreshToken); // RT1 used: RT0 is now two generations old

    expectOAuthError(await refresh(ctx, g0.refreshToken), 400, 'invalid_grant');
    expectOAuthError(await refresh(ctx, g2.refreshToken), 400, 'invalid_grant');
    for (const at of [g0.accessToken, g1.accessToken, g2.accessToken]) {
      expect(await statusAtMcpServer(ctx.stack.mcpUrl, at)).toBe(401);
      expect(await introspect(ctx, at)).toEqual({ active: false });
    }
  });

  it('case 29: RT1 presented again after RT1 -> RT2 was used is reuse too', async () => {
    const g0 = await newGrant();
    const g1 = await rotate(g0.refreshToken);
    const g2 = await rotate(g1.refreshToken);
    await rotate(g2.refreshToken); // RT2 used: RT1 is retired
    expectOAuthError(await refresh(ctx, g1.refreshToken), 400, 'invalid_grant');
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, g2.accessToken)).toBe(401);
  });

  it('case 29 (retry rule): RT0 right after RT0 -> RT1, before RT1 is used, still works and voids the unused RT1', async () => {
    const g0 = await newGrant();
    const lost = await rotate(g0.refreshToken); // the client never received this answer
    const retried = await rotate(g0.refreshToken);
    expect(retried.refreshToken).not.toBe(lost.refreshToken);
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, retried.accessToken)).toBe(200);
    // The voided successor is not a second live branch of the family.
    expectOAuthError(await refresh(ctx, lost.refreshToken), 400, 'invalid_grant');
  });
});

describe('case 30: parallel refresh', () => {
  /*
   * The confidential C3 races here, because only a refresh token's own confidential client
   * may introspect it, and introspection is how we look at the family without touching it.
   *
   * Why this asserts "no fork" rather than "exactly one 200": under the retry rule a request
   * that reads the family after the winner's conditional write sees RT0 as the previous
   * token, which is exactly what a client retrying a lost response looks like, so it rotates
   * again and voids the winner's unused successor. Losers that read before the write get
   * invalid_grant. The family still never forks: one live refresh token at the end.
   */
  it('case 30: 20 parallel refreshes of one token: losers get invalid_grant, exactly one issued refresh token stays alive and works', async () => {
    const issued = await obtainCode(ctx, browser, { clientId: C3.clientId, redirectUri: C3.redirectUri, scope: 'tool:read' });
    const auth = basic(C3.clientId, C3.secret);
    const first = await redeemCode(ctx, issued, { client_id: undefined }, auth);
    expect(first.status).toBe(200);

    const answers = await Promise.all(Array.from({ length: 20 }, () => refresh(ctx, first.json.refresh_token, { client_id: undefined }, auth)));
    const winners = answers.filter((a) => a.status === 200);
    for (const loser of answers.filter((a) => a.status !== 200)) expectOAuthError(loser, 400, 'invalid_grant');
    expect(winners.length).toBeGreaterThanOrEqual(1);

    const introspectAsOwner = async (token: string) => (await postForm(`${ctx.issuer}/introspect`, { token }, auth)).json;
    const alive: string[] = [];
    for (const winner of winners) if ((await introspectAsOwner(winner.json.refresh_token)).active === true) alive.push(winner.json.refresh_token);
    expect(alive).toHaveLength(1);

    const next = await refresh(ctx, alive[0]!, { client_id: undefined }, auth);
    expect(next.status).toBe(200);
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, next.json.access_token)).toBe(200);
  });
});

describe('case 31: scope', () => {
  it('case 31: asking for more scope than granted is invalid_scope, and the token is not consumed', async () => {
    const g0 = await newGrant('tool:read');
    expectOAuthError(await refresh(ctx, g0.refreshToken, { scope: 'tool:read admin' }), 400, 'invalid_scope');
    await rotate(g0.refreshToken);
  });

  it('case 31: narrowing gives a narrower access token, and the new refresh token keeps the original scope', async () => {
    const g0 = await newGrant('tool:read tool:execute');
    const narrowed = await rotate(g0.refreshToken, { scope: 'tool:read' });
    expect(claimsOf(narrowed.accessToken).scope).toBe('tool:read');
    const full = await refresh(ctx, narrowed.refreshToken);
    expect(full.status).toBe(200);
    expect(String(full.json.scope).split(' ').sort()).toEqual(['tool:execute', 'tool:read']);
  });
});

describe('case 32: resource', () => {
  it('case 32: resource=R2 on a grant for R1 is invalid_target, and the token is not consumed', async () => {
    const g0 = await newGrant('tool:read');
    expectOAuthError(await refresh(ctx, g0.refreshToken, { resource: ctx.r2! }), 400, 'invalid_target');
    const g1 = await rotate(g0.refreshToken, { resource: ctx.r1 });
    expect(claimsOf(g1.accessToken).aud).toBe(ctx.r1);
  });
});

describe('case 33: another client', () => {
  it("case 33: C1's refresh token presented by C2 is invalid_grant and revokes nothing", async () => {
    const g0 = await newGrant('tool:read');
    expectOAuthError(await refresh(ctx, g0.refreshToken, { client_id: C2.clientId }), 400, 'invalid_grant');
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, g0.accessToken)).toBe(200);
    const g1 = await rotate(g0.refreshToken, { client_id: C1.clientId });
    expect(claimsOf(g1.accessToken).client_id).toBe(C1.clientId);
  });
});

/** The revocation rows the stack wrote for a family, read straight from its table in DynamoDB Local. */
async function familyRevocations(familyId: string) {
  const client = localDynamoDbCalls(process.env.DYNAMODB_ENDPOINT!, TEST_AWS_CALLS);
  try {
    const store = new DynamoDbRevocationStore(client, tableNamesForPrefix(ctx.stack.tablePrefix.replace(/-+$/, '')).revocations);
    return await store.find([{ kind: 'family', value: familyId }]);
  } finally {
    client.destroy();
  }
}

/** The stack's audit lines (its console sink) about one family, once `expected` has been printed; bounded wait, no timing asserted. */
async function auditLinesAbout(familyId: string, expected: string): Promise<string[]> {
  const lines = () => ctx.stack.output().split('\n').filter((line) => line.includes('audit ') && line.includes(familyId));
  for (let i = 0; i < 100 && !lines().some((line) => line.includes(expected)); i++) await sleep(50);
  return lines();
}

describe('case 56: forged refresh secret', () => {
  it('case 56: <a real family id>.<random secret> with the public client is invalid_grant; the current token still redeems; no revocation row, no reuse audit', async () => {
    const g0 = await newGrant();
    const familyId = String(claimsOf(g0.accessToken).fid);
    expect(g0.refreshToken.startsWith(`${familyId}.`)).toBe(true);

    for (let i = 0; i < 3; i++) expectOAuthError(await refresh(ctx, `${familyId}.${randomBytes(32).toString('base64url')}`, { client_id: C1.clientId }), 400, 'invalid_grant');

    const lines = await auditLinesAbout(familyId, 'forged refresh token refused');
    expect(lines.filter((line) => line.includes('forged refresh token refused'))).toHaveLength(3);
    expect(lines.filter((line) => line.includes('REUSE'))).toEqual([]);
    expect(await familyRevocations(familyId)).toEqual([]);
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, g0.accessToken)).toBe(200);
    expect(await introspect(ctx, g0.accessToken)).toMatchObject({ active: true });
    const g1 = await rotate(g0.refreshToken);
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, g1.accessToken)).toBe(200);
  });

  it('case 56: a forged secret after rotations is still no reuse, and a real rotated-away token still is (with a revocation row and a reuse audit)', async () => {
    const g0 = await newGrant();
    const g1 = await rotate(g0.refreshToken);
    await rotate(g1.refreshToken);
    const familyId = String(claimsOf(g0.accessToken).fid);
    expectOAuthError(await refresh(ctx, `${familyId}.${randomBytes(32).toString('base64url')}`), 400, 'invalid_grant');
    expect(await familyRevocations(familyId)).toEqual([]);

    expectOAuthError(await refresh(ctx, g0.refreshToken), 400, 'invalid_grant');
    expect(await auditLinesAbout(familyId, 'REFRESH TOKEN REUSE')).toContainEqual(expect.stringContaining('REFRESH TOKEN REUSE'));
    expect(await familyRevocations(familyId)).toEqual([expect.objectContaining({ key: { kind: 'family', value: familyId }, reason: 'refresh_reuse' })]);
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, g1.accessToken)).toBe(401);
  });
});

describe('case 57: retry window (inside it; the end of it is in refresh-clocks.test.ts)', () => {
  it('case 57: RT0 again within the window is a new pair, and RT1 is void', async () => {
    const g0 = await newGrant();
    const g1 = await rotate(g0.refreshToken);
    const retried = await rotate(g0.refreshToken);
    expect(retried.refreshToken).not.toBe(g1.refreshToken);
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, retried.accessToken)).toBe(200);
    expectOAuthError(await refresh(ctx, g1.refreshToken), 400, 'invalid_grant');
  });

  it('case 57: a retry never moves the family\'s idle or absolute expiry later (introspected by the owning client)', async () => {
    const issued = await obtainCode(ctx, browser, { clientId: C3.clientId, redirectUri: C3.redirectUri, scope: 'tool:read' });
    const auth = basic(C3.clientId, C3.secret);
    const first = await redeemCode(ctx, issued, { client_id: undefined }, auth);
    expect(first.status).toBe(200);
    const rt1 = await refresh(ctx, first.json.refresh_token, { client_id: undefined }, auth);
    expect(rt1.status).toBe(200);
    const expiryOf = async (token: string) => (await postForm(`${ctx.issuer}/introspect`, { token }, auth)).json.exp as number;
    const before = await expiryOf(rt1.json.refresh_token);
    expect(before).toEqual(expect.any(Number));
    // Step past a whole second, so that a retry which moved lastUsedAt would move the expiry.
    await sleep(1_200);
    const retried = await refresh(ctx, first.json.refresh_token, { client_id: undefined }, auth);
    expect(retried.status).toBe(200);
    expect(await expiryOf(retried.json.refresh_token)).toBe(before);
  });
});
