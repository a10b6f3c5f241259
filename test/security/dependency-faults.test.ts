/**
 * docs/security.md, case 68: a DynamoDB that stops answering. The local stack (through the
 * real CLI) runs on a DynamoDB Local of this file's own, which the tests pause (SIGSTOP: the
 * engine holds every connection and answers nothing, as a hung dependency does) and kill
 * (SIGKILL, then a restart on the same port and data folder) while a request is made.
 *
 * Each endpoint must answer 503 temporarily_unavailable with Retry-After within the case's
 * 3 s (the defaults of config.awsCalls give up after 2 x 1000 ms + 100 ms), never hang until
 * API Gateway's 29 s timeout; the MCP server's authorizer fails closed (API Gateway's 500
 * for an authorizer failure, not a 401 that would send the client back to login). And the
 * failed request consumed nothing: once DynamoDB is back, the same code and the same refresh
 * token redeem, the same client registers, the same authorization goes through.
 *
 * The fault starts before the request, so the request's first read is what hangs: a write
 * whose answer is lost (the engine applied it, the answer never came) is the ambiguity every
 * client of a remote store has, and is not what this case proves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/dynamodb-local';
import { Browser } from '../support/browser';
import {
  a0Url, expectNoLeak, expectOAuthError, newPkce, obtainCode, postJson, redeemCode, refresh, startSecurityStack, statusAtMcpServer, type JsonReply, type SecurityStack,
} from './support/security-stack';

/** The case's bound: the answer comes within 3 s of the request. */
const CASE_68_BOUND_MS = 3000;

let dataDir: string;
let dynamo: DynamoDbLocal;
let ctx: SecurityStack;
const browser = new Browser();

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'mcp-oauth-case-68-'));
  // A data folder (not in memory), so that a killed engine restarts with what was written.
  dynamo = await startDynamoDbLocal({ port: 0, dataDir });
  ctx = await startSecurityStack({ dynamoDbEndpoint: dynamo.endpoint });
}, 120_000);

afterAll(async () => {
  await ctx?.stop();
  await dynamo?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Runs `request` while DynamoDB is paused, resumes it whatever happens, and says how long the answer took. */
async function whilePaused<T>(request: () => Promise<T>): Promise<{ answer: T; elapsedMs: number }> {
  dynamo.pause();
  try {
    const start = performance.now();
    const answer = await request();
    return { answer, elapsedMs: performance.now() - start };
  } finally {
    dynamo.resume();
  }
}

/** Runs `request` while DynamoDB is down (killed), then starts it again on the same data. */
async function whileKilled<T>(request: () => Promise<T>): Promise<{ answer: T; elapsedMs: number }> {
  await dynamo.kill();
  try {
    const start = performance.now();
    const answer = await request();
    return { answer, elapsedMs: performance.now() - start };
  } finally {
    await dynamo.restart();
  }
}

function expectFastUnavailable({ answer, elapsedMs }: { answer: JsonReply; elapsedMs: number }): void {
  expectOAuthError(answer, 503, 'temporarily_unavailable');
  expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(elapsedMs).toBeLessThan(CASE_68_BOUND_MS);
}

/** The status, with the stack's last log lines when it is not the one expected (a 500 here needs its cause to be read). */
function expectStatus(answer: { readonly status: number }, expected: number): void {
  const log = answer.status === expected ? '' : ctx.stack.output().split('\n').slice(-15).join('\n');
  expect({ status: answer.status, log }).toEqual({ status: expected, log: '' });
}

async function newGrant(): Promise<{ accessToken: string; refreshToken: string }> {
  const answer = await redeemCode(ctx, await obtainCode(ctx, browser, { scope: 'tool:read tool:execute' }));
  expectStatus(answer, 200);
  return { accessToken: answer.json.access_token, refreshToken: answer.json.refresh_token };
}

const registration = { redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none', client_name: 'Case 68 app' };

describe('case 68: DynamoDB paused (SIGSTOP) and resumed', () => {
  it('case 68: /token with a code is a fast 503 with Retry-After, and the same code redeems once DynamoDB answers again', async () => {
    const issued = await obtainCode(ctx, browser);
    expectFastUnavailable(await whilePaused(() => redeemCode(ctx, issued)));

    const redeemed = await redeemCode(ctx, issued);
    expectStatus(redeemed, 200);
    expect(typeof redeemed.json.access_token).toBe('string');
  });

  it('case 68: /token with a refresh token is a fast 503, and the same refresh token rotates afterwards (no rotation happened)', async () => {
    const grant = await newGrant();
    expectFastUnavailable(await whilePaused(() => refresh(ctx, grant.refreshToken)));

    const rotated = await refresh(ctx, grant.refreshToken);
    expectStatus(rotated, 200);
    // It was the family's current token: its successor is live and the one before it is not reuse-revoked.
    expectStatus(await refresh(ctx, rotated.json.refresh_token), 200);
  });

  it('case 68: /register is a fast 503 that issues no client, and the same metadata registers afterwards', async () => {
    const failed = await whilePaused(() => postJson(`${ctx.issuer}/register`, registration));
    expectFastUnavailable(failed);
    expect(failed.answer.json.client_id).toBeUndefined();

    const registered = await postJson(`${ctx.issuer}/register`, registration);
    expectStatus(registered, 201);
    expect(typeof registered.json.client_id).toBe('string');
  });

  it('case 68: /authorize of a signed-in browser is a fast 503 page with Retry-After (no stack trace), and the authorization goes through afterwards', async () => {
    // Signed in, /authorize reads the session's revocations and the consent; a browser without
    // a session needs no table before the consent page (its pending request is a sealed cookie).
    const fresh = new Browser();
    expectStatus(await redeemCode(ctx, await obtainCode(ctx, fresh)), 200);
    const { answer, elapsedMs } = await whilePaused(() => fresh.send({ url: a0Url(ctx, newPkce()) }));
    expect(answer.status).toBe(503);
    expect(answer.headers.get('content-type')).toContain('text/html');
    expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(answer.location).toBeUndefined();
    expectNoLeak(answer.body);
    expect(elapsedMs).toBeLessThan(CASE_68_BOUND_MS);

    const issued = await obtainCode(ctx, fresh);
    expectStatus(await redeemCode(ctx, issued), 200);
  });

  it('case 68: an MCP call fails closed within the bound (the authorizer\'s revocation check cannot be made), and the same token works afterwards', async () => {
    const { accessToken } = await newGrant();
    const { answer: status, elapsedMs } = await whilePaused(() => statusAtMcpServer(ctx.stack.mcpUrl, accessToken));
    // API Gateway's answer to an authorizer that failed: 500 (AUTHORIZER_FAILURE), which it does not cache; never 200, never a 401 that sends the client back to login.
    expect(status).toBe(500);
    expect(elapsedMs).toBeLessThan(CASE_68_BOUND_MS);

    expect(await statusAtMcpServer(ctx.stack.mcpUrl, accessToken)).toBe(200);
  });
});

describe('case 68: DynamoDB killed (SIGKILL) and restarted', () => {
  it('case 68: /token with a code is a fast 503, and the same code redeems after the restart', async () => {
    const issued = await obtainCode(ctx, browser);
    expectFastUnavailable(await whileKilled(() => redeemCode(ctx, issued)));

    expectStatus(await redeemCode(ctx, issued), 200);
  });

  it('case 68: /token with a refresh token is a fast 503, and the same refresh token rotates after the restart', async () => {
    const grant = await newGrant();
    expectFastUnavailable(await whileKilled(() => refresh(ctx, grant.refreshToken)));

    expectStatus(await refresh(ctx, grant.refreshToken), 200);
  });

  it('case 68: /register is a fast 503, and registers after the restart', async () => {
    expectFastUnavailable(await whileKilled(() => postJson(`${ctx.issuer}/register`, registration)));

    expectStatus(await postJson(`${ctx.issuer}/register`, registration), 201);
  });

  it('case 68: an MCP call fails closed, and the same token works after the restart', async () => {
    const { accessToken } = await newGrant();
    const { answer: status, elapsedMs } = await whileKilled(() => statusAtMcpServer(ctx.stack.mcpUrl, accessToken));
    expect(status).toBe(500);
    expect(elapsedMs).toBeLessThan(CASE_68_BOUND_MS);

    expect(await statusAtMcpServer(ctx.stack.mcpUrl, accessToken)).toBe(200);
  });
});
