/**
 * The operator commands end to end: the real CLI process (`tsx bin/mcp-oauth.ts`) against a
 * running local stack, with the official MCP SDK client as the user's MCP host. revoke
 * --user / --client / --family end access at the guard (401) and at /token (invalid_grant),
 * and what the next authorization needs; the listings; bad input. The guard's caches are
 * shortened to 1 s each so the revocation delay is 2 s; every wait is a bounded poll.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { freePort } from '../../local/dynamodb-local';
import { runCli as runCliProcess, type CliRun } from '../scanner/support/cli-process';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';
import { HostOAuthProvider } from '../support/host-oauth-provider';
import { ALICE, BOB, connectWithOAuth, whoami, type McpSession } from '../support/mcp-sdk-session';

const AUTHORIZER_CACHE_SECONDS = 1;
const REVOCATION_CACHE_SECONDS = 1;
const REVOCATION_DELAY_MS = (AUTHORIZER_CACHE_SECONDS + REVOCATION_CACHE_SECONDS) * 1000;
/** A running container keeps serving a deleted client's record for up to this long (registration.clientCacheSeconds). */
const CLIENT_CACHE_SECONDS = 1;

let stack: LocalStack;
let workDir: string;
let target: string[];
let redirectUrl: string;

beforeAll(async () => {
  redirectUrl = `http://127.0.0.1:${await freePort()}/callback`;
  stack = await startLocalStack({
    configOverrides: (config) => {
      config.guard = { authorizerCacheTtlSeconds: AUTHORIZER_CACHE_SECONDS, revocationCacheTtlSeconds: REVOCATION_CACHE_SECONDS, clockSkewSeconds: 0 };
      config.registration = { ...config.registration, clientCacheSeconds: CLIENT_CACHE_SECONDS };
    },
  });
  workDir = mkdtempSync(join(tmpdir(), 'cli-operator-'));
  const configFile = join(workDir, 'config.json');
  writeFileSync(configFile, JSON.stringify(stack.config));
  target = ['--config', configFile, '--dynamodb-endpoint', process.env.DYNAMODB_ENDPOINT!, '--table-prefix', stack.tablePrefix];
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cli(...args: string[]): Promise<CliRun> {
  return runCliProcess([...args, ...target]);
}

interface SignedIn {
  readonly provider: HostOAuthProvider;
  readonly session: McpSession;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly clientId: string;
  readonly sub: string;
}

async function signIn(user = ALICE, clientName?: string): Promise<SignedIn> {
  const provider = new HostOAuthProvider({ user, redirectUrl, clientName });
  const session = await connectWithOAuth(stack.mcpUrl, provider);
  // tools/list needs tool:read only, which bob (mcp-readers) has too.
  expect((await session.client.listTools()).tools.length).toBeGreaterThan(0);
  const tokens = provider.tokens()!;
  return { provider, session, accessToken: tokens.access_token, refreshToken: tokens.refresh_token!, clientId: provider.clientInformation()!.client_id, sub: String(decodeJwt(tokens.access_token).sub) };
}

function mcpStatus(accessToken: string): Promise<number> {
  return fetch(stack.mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }),
  }).then((r) => r.status);
}

/**
 * Polls until the guard answers 401 to the token; only 200 (a cached Allow) is acceptable
 * meanwhile, and only within the documented delay counted from when the revoke command
 * returned (T, the instant it wrote, is before that).
 */
async function expectRefusedWithinDelay(accessToken: string, revokeReturnedAtMs: number): Promise<void> {
  let status = 0;
  for (let i = 0; i < 60 && (i === 0 || Date.now() - revokeReturnedAtMs <= REVOCATION_DELAY_MS + 1000); i++) {
    status = await mcpStatus(accessToken);
    if (status === 401) return;
    expect(status).toBe(200);
    await sleep(100);
  }
  expect(status).toBe(401);
}

async function refresh(signedIn: SignedIn): Promise<{ status: number; error?: string }> {
  const response = await fetch(`${stack.issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: signedIn.refreshToken, client_id: signedIn.clientId }),
  });
  const body = (await response.json()) as { error?: string };
  return { status: response.status, error: body.error };
}

/** The pages of one authorization that asked for the dev IdP's username and password. */
const loginPages = (pages: readonly { url: string; body: string }[]) => pages.filter((p) => p.url.startsWith(stack.devIdp) && /name="password"/.test(p.body));
const consentPages = (pages: readonly { body: string }[]) => pages.filter((p) => p.body.includes('name="decision"'));

/** Tokens issued in the second of a revocation are revoked with it (revokedAt >= iat): a new authorization starts in a later second. */
async function nextSecond(): Promise<void> {
  const now = Date.now();
  await sleep(1000 - (now % 1000) + 50);
}

describe('mcp-oauth revoke --user', () => {
  it('ends alice\'s access: guard 401 within the delay, refresh invalid_grant, sessions ended, and her next authorization needs a fresh login and consent; bob keeps his', async () => {
    const alice = await signIn(ALICE, 'alice laptop');
    const bob = await signIn(BOB, 'bob laptop');
    try {
      const before = await cli('sessions', 'list', '--user', alice.sub);
      expect(before.code).toBe(0);
      expect(before.stdout).toMatch(new RegExp(`^1 live login session\\(s\\) of user ${alice.sub} in local mode`, 'm'));

      const run = await cli('revoke', '--user', alice.sub, '--reason', 'laptop stolen (e2e)');
      const returnedAtMs = Date.now();
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(new RegExp(`^revoked user ${alice.sub} in local mode .* at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ \\(T\\); reason: laptop stolen \\(e2e\\)$`, 'm'));
      expect(run.stdout).toMatch(/^ {2}refresh families revoked: +1$/m);
      expect(run.stdout).toMatch(/^ {2}login sessions ended: +1$/m);
      expect(run.stdout).toMatch(/^ {2}remembered consents forgotten: +1$/m);
      expect(run.stdout).toMatch(/every guard refuses them within 2 s/);
      expect(run.stdout).toMatch(/^audit ACCESS REVOKED: subject /m);

      await expectRefusedWithinDelay(alice.accessToken, returnedAtMs);
      expect(await refresh(alice)).toEqual({ status: 400, error: 'invalid_grant' });
      expect(await mcpStatus(bob.accessToken)).toBe(200);

      const after = await cli('sessions', 'list', '--user', alice.sub);
      expect(after.stdout).toMatch(new RegExp(`^0 live login session\\(s\\) of user ${alice.sub}`, 'm'));
      const families = await cli('families', 'list', '--user', alice.sub);
      expect(families.stdout).toMatch(new RegExp(`^0 live refresh token families of user ${alice.sub} .*\\(and 1 revoked or expired\\)$`, 'm'));
      expect(families.stdout).toMatch(new RegExp(`^${decodeJwt(alice.accessToken).fid} +${alice.clientId} +.* revoked \\d{4}-`, 'm'));

      // Her MCP host carries on as it would: the SDK's refresh fails, so it sends her to authorize again, in the same browser.
      await nextSecond();
      const pagesBefore = alice.provider.authorizationPages.length;
      const again = await connectWithOAuth(stack.mcpUrl, alice.provider);
      try {
        expect((await whoami(again)).sub).toBe(alice.sub);
      } finally {
        await again.close();
      }
      const reauthorization = alice.provider.authorizationPages.slice(pagesBefore).flat();
      expect(loginPages(reauthorization).length).toBeGreaterThanOrEqual(1); // a fresh login at the upstream IdP, not its session
      expect(consentPages(reauthorization)).toHaveLength(1); // her remembered consent was forgotten
    } finally {
      await Promise.all([alice.session.close(), bob.session.close()]);
    }
  });

  it('a user with nothing is not an error: 0 counts and a note (the record is written anyway)', async () => {
    const run = await cli('revoke', '--user', 'nobody-here');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}refresh families revoked: +0$/m);
    expect(run.stdout).toContain('note: nothing live of user nobody-here was found (no family, session or consent). The revocation is written anyway');
  });
});

describe('mcp-oauth revoke --client and --family', () => {
  it('--client ends every token of that client and forgets its consents; alice\'s other client keeps working, and she stays signed in', async () => {
    const compromised = await signIn(ALICE, 'compromised app');
    const other = await signIn(ALICE, 'other app');
    try {
      const listed = await cli('families', 'list', '--client', compromised.clientId);
      expect(listed.stdout).toMatch(new RegExp(`^1 live refresh token family of client ${compromised.clientId.replace(/[.]/g, '\\.')} in local mode`, 'm'));

      const run = await cli('revoke', '--client', compromised.clientId);
      const returnedAtMs = Date.now();
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^ {2}refresh families revoked: +1$/m);
      expect(run.stdout).toMatch(/^ {2}login sessions ended: +0 \(only revoke --user ends sessions\)$/m);
      expect(run.stdout).toMatch(/^ {2}remembered consents forgotten: +1$/m);
      expect(run.stdout).toMatch(/reason: mcp-oauth revoke by \S+/);

      await expectRefusedWithinDelay(compromised.accessToken, returnedAtMs);
      expect(await refresh(compromised)).toEqual({ status: 400, error: 'invalid_grant' });
      expect(await mcpStatus(other.accessToken)).toBe(200);
      expect((await refresh(other)).status).toBe(200);

      await nextSecond();
      const pagesBefore = compromised.provider.authorizationPages.length;
      const again = await connectWithOAuth(stack.mcpUrl, compromised.provider);
      await again.close();
      const reauthorization = compromised.provider.authorizationPages.slice(pagesBefore).flat();
      expect(consentPages(reauthorization)).toHaveLength(1);
    } finally {
      await Promise.all([compromised.session.close(), other.session.close()]);
    }
  });

  it('--family ends one family (the fid of its access tokens) and no other', async () => {
    const first = await signIn(ALICE, 'family one');
    const second = await signIn(ALICE, 'family two');
    try {
      const fid = String(decodeJwt(first.accessToken).fid);
      const run = await cli('revoke', '--family', fid);
      const returnedAtMs = Date.now();
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^ {2}refresh families revoked: +1$/m);
      expect(run.stdout).toMatch(/^ {2}remembered consents forgotten: +0$/m);
      await expectRefusedWithinDelay(first.accessToken, returnedAtMs);
      expect(await refresh(first)).toEqual({ status: 400, error: 'invalid_grant' });
      expect(await mcpStatus(second.accessToken)).toBe(200);
    } finally {
      await Promise.all([first.session.close(), second.session.close()]);
    }
  });
});

describe('mcp-oauth clients', () => {
  it('list shows registered clients, show prints one without its secret, delete removes it (then show is exit 1)', async () => {
    const signedIn = await signIn(BOB, 'client to delete');
    await signedIn.session.close();
    const listed = await cli('clients', 'list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^\d+ client\(s\) of local mode/m);
    expect(listed.stdout).toMatch(new RegExp(`^${signedIn.clientId} +dynamic +client to delete +none `, 'm'));

    const shown = await cli('clients', 'show', signedIn.clientId);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^name: +client to delete$/m);
    expect(shown.stdout).toMatch(new RegExp(`^redirect_uris: +${redirectUrl.replace(/[.?]/g, '\\$&')}$`, 'm'));
    expect(shown.stdout).toMatch(/^secret: +none \(public client\)$/m);

    const deleted = await cli('clients', 'delete', signedIn.clientId);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`deleted client ${signedIn.clientId} ("client to delete") from local mode`);
    expect(deleted.stdout).toContain(`mcp-oauth revoke --client ${signedIn.clientId}`);
    expect(deleted.stdout).toContain(`may still accept it for up to ${CLIENT_CACHE_SECONDS} s (registration.clientCacheSeconds)`);

    const gone = await cli('clients', 'show', signedIn.clientId);
    expect({ code: gone.code, stdout: gone.stdout }).toEqual({ code: 1, stdout: '' });
    expect(gone.stderr).toMatch(new RegExp(`^mcp-oauth clients: no client ${signedIn.clientId} in local mode`));
    // The deleted client can no longer refresh, once the stack's client cache has let it go.
    await new Promise((resolve) => setTimeout(resolve, CLIENT_CACHE_SECONDS * 1000 + 100));
    expect((await refresh(signedIn)).error).toBe('invalid_client');
  });

  it('show and delete of an unknown client are exit 1 with one line', async () => {
    const runs = await Promise.all([cli('clients', 'show', 'no-such-client'), cli('clients', 'delete', 'no-such-client')]);
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mcp-oauth clients: no client no-such-client in local mode/)]);
    }
  });
});

describe('bad input', () => {
  it('usage errors are exit 2 with the usage: no target, two targets, a missing --user, an unknown option', async () => {
    const runs = await Promise.all([cli('revoke'), cli('revoke', '--user', 'a', '--client', 'b'), cli('sessions', 'list'), cli('families', 'list', '--user', 'a', '--frob')]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(runs.map((r) => r.stderr.split('\n')[0])).toEqual([
      'mcp-oauth revoke: give exactly one of --user, --client, --family',
      'mcp-oauth revoke: give exactly one of --user, --client, --family (got --user and --client)',
      'mcp-oauth sessions: give exactly one of --user',
      expect.stringMatching(/^mcp-oauth families: Unknown option '--frob'/),
    ]);
    expect(runs[0]!.stderr).toContain('usage: mcp-oauth revoke --user <sub>');
    expect(runs[2]!.stderr).toContain('usage: mcp-oauth sessions list --user <sub>');
  });

  it('DynamoDB unreachable: one clear line within seconds, exit 1, no stack trace, nothing on stdout', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const runs = await Promise.all([
      runCliProcess(['revoke', '--user', 'alice', '--config', target[1]!, '--dynamodb-endpoint', endpoint], 30_000),
      runCliProcess(['clients', 'list', '--config', target[1]!, '--dynamodb-endpoint', endpoint], 30_000),
    ]);
    for (const run of runs) {
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^mcp-oauth (revoke|clients): cannot reach DynamoDB for local mode \\(DynamoDB at ${endpoint.replace(/[.]/g, '\\.')}, .*ECONNREFUSED.*Is local mode running \\(npm start\\)\\?`))]);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    }
  });
});
