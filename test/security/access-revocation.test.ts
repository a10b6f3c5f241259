/**
 * docs/security.md, cases 58 and 59: an operator revokes a user, or a client, at T, on the
 * running local stack (the real CLI, DynamoDB Local, the dev IdP), through the operator's
 * module (lambda/adapters/wiring/operator-stores.ts, what `mcp-oauth revoke` calls).
 * The stack runs with both guard caches and the client cache off, so "within the documented
 * bound" is "at once" here; the bound itself (authorizer cache TTL + revocation cache TTL) is
 * measured by the drill benchmark, the client cache's by its unit test.
 *
 * T is in whole seconds and a revocation covers what was issued at T itself, so before a
 * sign-in that must count as after T the test waits for the clock's next second (ordering,
 * not a timed assertion).
 */
import { localDynamoDbCalls } from '../../local/dynamodb-local';
import { TEST_AWS_CALLS } from '../support/dynamodb';
import { revokeAccess, type RevocationTarget } from '../../lambda/core/authorization-server/access-revocation';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import { tableNamesForPrefix } from '../../lambda/adapters/dynamodb/tables';
import { operatorStores, type OperatorStores } from '../../lambda/adapters/wiring/operator-stores';
import { Browser, authorizeInBrowser, parseForms, type BrowserResponse } from '../support/browser';
import { C1, C2, a0Url, expectOAuthError, introspect, newPkce, obtainCode, postJson, redeemCode, refresh, startSecurityStack, statusAtMcpServer, type SecurityStack } from './support/security-stack';

let ctx: SecurityStack;
let stores: OperatorStores;
let dynamodb: ReturnType<typeof localDynamoDbCalls>;

beforeAll(async () => {
  ctx = await startSecurityStack();
  dynamodb = localDynamoDbCalls(process.env.DYNAMODB_ENDPOINT!, TEST_AWS_CALLS);
  stores = operatorStores({
    dynamodb,
    tables: tableNamesForPrefix(ctx.stack.tablePrefix.replace(/-+$/, '')),
    config: parseConfig(ctx.stack.config),
    audit: { emit: () => undefined },
  });
}, 90_000);

afterAll(async () => {
  dynamodb?.destroy();
  await ctx?.stop();
});

const nowSeconds = () => Math.floor(Date.now() / 1000);

let lastRevokedAt = 0;

async function revokeNow(target: RevocationTarget) {
  const outcome = await revokeAccess(stores, target, { reason: 'security suite', now: nowSeconds() });
  lastRevokedAt = outcome.revokedAt;
  return outcome;
}

// Every test signs alice in afresh: after the revocations of the tests before it.
beforeEach(() => afterSecond(lastRevokedAt));

/** Waits (bounded) until the clock has left second `t`, so that what happens next is after T. */
async function afterSecond(t: number): Promise<void> {
  for (let i = 0; i < 40 && nowSeconds() <= t; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  if (nowSeconds() <= t) throw new Error('the clock did not move on');
}

async function signedInWithTokens(browser: Browser, options: { clientId?: string; redirectUri?: string } = {}) {
  const issued = await obtainCode(ctx, browser, options);
  const tokens = await redeemCode(ctx, issued, { client_id: options.clientId ?? C1.clientId });
  expect(tokens.status).toBe(200);
  expect(await statusAtMcpServer(ctx.stack.mcpUrl, tokens.json.access_token)).toBe(200);
  return { accessToken: tokens.json.access_token as string, refreshToken: tokens.json.refresh_token as string };
}

function upstreamRedirects(pages: readonly BrowserResponse[]): URL[] {
  return pages.flatMap((page) => {
    const targets = [page.location, ...parseForms(page.body, page.url).map((f) => f.action)].filter((u): u is string => u !== undefined);
    return targets.map((u) => new URL(u)).filter((u) => u.origin === new URL(ctx.stack.devIdp).origin && u.pathname.endsWith('/auth'));
  });
}

const isDevIdpLoginForm = (page: BrowserResponse) => parseForms(page.body, page.url).some((f) => f.controls.some((c) => c.name === 'password'));

describe('case 58: revoke a user at T', () => {
  it('case 58: every access token and refresh token of the user from before T is refused; the session and consents end; the next authorization is a fresh login', async () => {
    const browser = new Browser();
    const first = await signedInWithTokens(browser);
    const second = await signedInWithTokens(browser); // remembered consent: straight back with a code
    const outcome = await revokeNow({ kind: 'subject', value: 'dev|alice' });
    expect(outcome.sessionsEnded).toBeGreaterThanOrEqual(1);
    expect(outcome.consentsForgotten).toBeGreaterThanOrEqual(1);
    expect(outcome.familiesRevoked).toBeGreaterThanOrEqual(2);

    for (const tokens of [first, second]) {
      expect(await statusAtMcpServer(ctx.stack.mcpUrl, tokens.accessToken)).toBe(401);
      expect(await introspect(ctx, tokens.accessToken)).toEqual({ active: false });
      expectOAuthError(await refresh(ctx, tokens.refreshToken), 400, 'invalid_grant');
    }
    expect(await stores.sessions.listLoginSessions('dev|alice')).toEqual([]);
    expect(await stores.sessions.listConsents({ subject: 'dev|alice' })).toEqual([]);

    // The same browser: no code at once; the consent page, then the IdP with prompt=login and max_age=0, then its login form.
    await afterSecond(outcome.revokedAt);
    const flow = await authorizeInBrowser(a0Url(ctx, newPkce(), { state: 'after' }), { username: 'alice', password: 'alice', browser });
    expect(flow.pages[0]!.status).toBe(200);
    const upstream = upstreamRedirects(flow.pages);
    expect(upstream.length).toBeGreaterThanOrEqual(1);
    expect(upstream[0]!.searchParams.get('prompt')).toBe('login');
    expect(upstream[0]!.searchParams.get('max_age')).toBe('0');
    expect(flow.pages.some(isDevIdpLoginForm)).toBe(true);
    expect(flow.params.get('code')).toBeTruthy();
  }, 60_000);

  it('case 58: an upstream ID token with auth_time < T is refused at the callback: no session, and the user is sent to sign in again', async () => {
    const browser = new Browser();
    await signedInWithTokens(browser);
    const { revokedAt } = await revokeNow({ kind: 'subject', value: 'dev|alice' });
    // The browser keeps only the IdP's own single sign-on (its AS cookie is gone, as on another device).
    browser.cookies.store(ctx.issuer, ['mcp_session=; Max-Age=0; Path=/']);
    await afterSecond(revokedAt);

    const flow = await authorizeInBrowser(a0Url(ctx, newPkce(), { state: 'sso' }), { username: 'alice', password: 'alice', browser });
    const callbacks = flow.pages.filter((page) => new URL(page.url).pathname === '/callback');
    // First callback: the IdP's single sign-on answered with the old authentication.
    const refused = callbacks[0]!;
    expect(refused.status).toBe(303);
    const again = new URL(refused.location!);
    expect(again.origin).toBe(new URL(ctx.stack.devIdp).origin);
    expect(again.searchParams.get('prompt')).toBe('login');
    expect(again.searchParams.get('max_age')).toBe('0');
    expect(refused.headers.getSetCookie().filter((c) => c.startsWith('mcp_session='))).toEqual([]);
    // Then the IdP asked for the password, and the fresh sign-in got the code.
    const refusedAt = flow.pages.indexOf(refused);
    expect(flow.pages.slice(refusedAt).some(isDevIdpLoginForm)).toBe(true);
    expect(flow.params.get('code')).toBeTruthy();
  }, 60_000);

  it('case 58: bob, who was not revoked, keeps working', async () => {
    const bob = new Browser();
    const issued = await obtainCode(ctx, bob, { user: 'bob' });
    const tokens = await redeemCode(ctx, issued);
    await revokeNow({ kind: 'subject', value: 'dev|alice' });
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, tokens.json.access_token)).toBe(200);
    expect((await refresh(ctx, tokens.json.refresh_token)).status).toBe(200);
  }, 60_000);
});

describe('case 59: revoke a client at T', () => {
  it('case 59: every family of that client is refused, its consents are forgotten; another client of the same user keeps working', async () => {
    const browser = new Browser();
    const c1 = await signedInWithTokens(browser);
    const c2 = await signedInWithTokens(browser, { clientId: C2.clientId, redirectUri: C2.redirectUris[0] });
    const outcome = await revokeNow({ kind: 'client', value: C1.clientId });
    expect(outcome.familiesRevoked).toBeGreaterThanOrEqual(1);
    expect(outcome.sessionsEnded).toBe(0);

    expect(await statusAtMcpServer(ctx.stack.mcpUrl, c1.accessToken)).toBe(401);
    expect(await introspect(ctx, c1.accessToken)).toEqual({ active: false });
    expectOAuthError(await refresh(ctx, c1.refreshToken), 400, 'invalid_grant');
    expect(await stores.sessions.listConsents({ clientId: C1.clientId })).toEqual([]);

    expect(await statusAtMcpServer(ctx.stack.mcpUrl, c2.accessToken)).toBe(200);
    expect((await refresh(ctx, c2.refreshToken, { client_id: C2.clientId })).status).toBe(200);

    // The user is still signed in, but C1 must ask again: the consent page, not a code.
    await afterSecond(outcome.revokedAt);
    const page = await browser.send({ url: a0Url(ctx, newPkce()) });
    expect(page.status).toBe(200);
    expect(page.location).toBeUndefined();
    expect(parseForms(page.body, page.url).some((f) => f.submitButtons.some((b) => b.name === 'decision'))).toBe(true);
  }, 60_000);

  it('case 59: a deleted dynamic client’s /authorize gets the unknown-client page', async () => {
    const registered = await postJson(`${ctx.issuer}/register`, { redirect_uris: ['https://dyn.example/cb'], token_endpoint_auth_method: 'none', client_name: 'Soon gone' });
    expect(registered.status).toBe(201);
    const clientId = registered.json.client_id as string;
    const url = a0Url(ctx, newPkce(), { client_id: clientId, redirect_uri: 'https://dyn.example/cb' });
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(200);

    await revokeNow({ kind: 'client', value: clientId });
    expect(await stores.clients.delete(clientId)).toBe(true);

    const gone = await fetch(url, { redirect: 'manual' });
    expect(gone.status).toBe(400);
    expect(gone.headers.get('location')).toBeNull();
    expect(await gone.text()).toContain('not registered');
  }, 60_000);
});
