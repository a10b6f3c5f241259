/**
 * Property tests (fast-check) against the authorization server on the real local stack:
 * real HTTP, DynamoDB Local, the dev IdP. They generalise docs/security.md, case 1-4 (exact
 * redirect URI matching), 29-30 (refresh families under the retry rule of docs/security.md,
 * decisions f and g) and the token endpoint's "bad input changes nothing" rule.
 *
 * Every property runs with a fixed seed and a bounded number of runs, so a failure prints a
 * counterexample that reproduces with the same seed. Requests are sequential where order
 * is the point (the refresh state machine); only side-effect-free reads run in parallel.
 * The run counts keep this file well below the local stack's per-address WAF limits
 * (1,000 requests a minute each on /authorize and /token).
 */
import fc from 'fast-check';
import { Browser } from '../support/browser';
import {
  C1, C2, C3, LOOP, a0Url, basic, expectNoLeak, expectOAuthError, introspect, newPkce, obtainCode, postForm, redeemCode, refresh,
  reply, startSecurityStack, statusAtMcpServer, type IssuedCode, type JsonReply, type SecurityStack,
} from './support/security-stack';

let ctx: SecurityStack;

/**
 * Shrinking a counterexample sends more requests, and past the stack's per-address WAF
 * limit every one of them would be a 429, which the shrinker would take for the failure
 * and "shrink" into a meaningless example. So each property gets a budget of checks: past
 * it, the remaining candidates are not tried (they count as passing) and the report keeps
 * the smallest real counterexample found so far. A passing run uses only numRuns checks,
 * which the test asserts stayed within the budget.
 */
function withCheckBudget<Args extends unknown[]>(budget: number, check: (...args: Args) => Promise<void>) {
  let used = 0;
  return {
    check: async (...args: Args): Promise<void> => {
      if (used >= budget) return;
      used++;
      await check(...args);
    },
    expectWithinBudget: () => expect(used).toBeLessThan(budget),
  };
}

/** Every local WAF limit far above what this file sends (local.rateLimits; the rules themselves stay the deployed ones). */
const NO_PRACTICAL_RATE_LIMIT = Object.fromEntries(
  ['authorize', 'token', 'register', 'revoke', 'introspect', 'authorizationServerAllPaths', 'mcp', 'mcpAllPaths'].map((rule) => [rule, 1_000_000]),
);

beforeAll(async () => {
  ctx = await startSecurityStack({
    secondResource: true,
    // The end of the retry window needs a clock to move: refresh-family-model.test.ts models it
    // with an injected one. Here, against wall time, it is kept out of reach of a slow run.
    configOverrides: (config) => {
      config.tokens.refreshRetryWindowSeconds = 300;
      // Hundreds of generated requests per property from one address: far more than the deployed WAF limits allow per window, so they are raised for this file.
      config.local.rateLimits = NO_PRACTICAL_RATE_LIMIT;
    },
  });
}, 90_000);

afterAll(async () => {
  await ctx?.stop();
});

// ---------------------------------------------------------------------------------------
// Property 1: redirect URIs

interface RedirectTarget {
  readonly clientId: string;
  readonly registered: string;
}

const REDIRECT_TARGETS: readonly RedirectTarget[] = [
  { clientId: C1.clientId, registered: C1.redirectUri },
  { clientId: C2.clientId, registered: C2.redirectUris[0] },
  { clientId: C2.clientId, registered: C2.redirectUris[1] },
  { clientId: C3.clientId, registered: C3.redirectUri },
  { clientId: LOOP.clientId, registered: LOOP.redirectUri },
];

const REGISTERED_BY_CLIENT: Readonly<Record<string, readonly string[]>> = {
  [C1.clientId]: [C1.redirectUri],
  [C2.clientId]: [...C2.redirectUris],
  [C3.clientId]: [C3.redirectUri],
  [LOOP.clientId]: [LOOP.redirectUri],
};

/**
 * The oracle, written from the rules rather than from the product: a redirect_uri is
 * acceptable only if it is, character for character, one the client registered; the one
 * exception is RFC 8252 section 7.3, where a loopback URI may name any port.
 */
function isAcceptableRedirect(clientId: string, uri: string): boolean {
  if (REGISTERED_BY_CLIENT[clientId].includes(uri)) return true;
  if (clientId !== LOOP.clientId) return false;
  const loopback = /^http:\/\/127\.0\.0\.1(?::([1-9][0-9]{0,4}))?\/cb$/.exec(uri);
  return loopback !== null && (loopback[1] === undefined || Number(loopback[1]) <= 65535);
}

/** One change to a URI. Plain data, so a counterexample says exactly what was done. */
type UriMutation =
  | { readonly kind: 'flip-case'; readonly part: 'scheme' | 'authority' | 'path'; readonly positions: readonly number[] }
  | { readonly kind: 'trailing-slash' }
  | { readonly kind: 'extra-query'; readonly text: string }
  | { readonly kind: 'fragment'; readonly text: string }
  | { readonly kind: 'userinfo'; readonly text: string }
  | { readonly kind: 'port'; readonly port: number }
  | { readonly kind: 'host-suffix'; readonly suffix: string }
  | { readonly kind: 'percent-encode'; readonly position: number; readonly lowerHex: boolean }
  | { readonly kind: 'traversal'; readonly segment: string }
  | { readonly kind: 'scheme'; readonly scheme: string }
  | { readonly kind: 'unicode'; readonly position: number; readonly text: string }
  | { readonly kind: 'homoglyph'; readonly position: number }
  | { readonly kind: 'whitespace'; readonly position: number; readonly text: string };

const HOMOGLYPHS: Readonly<Record<string, string>> = {
  a: '\u0430', c: '\u0441', e: '\u0435', o: '\u043e', p: '\u0440', x: '\u0445', '.': '\u3002', '/': '\uff0f', ':': '\uff1a', '1': '\uff11', b: '\u0184',
};

const uriMutation: fc.Arbitrary<UriMutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip-case' as const), part: fc.constantFrom('scheme' as const, 'authority' as const, 'path' as const), positions: fc.array(fc.nat(40), { minLength: 1, maxLength: 4 }) }),
  fc.constant({ kind: 'trailing-slash' as const }),
  fc.record({ kind: fc.constant('extra-query' as const), text: fc.constantFrom('x=1', 'code=a', 'redirect_uri=https://evil.example/cb', '', 'a') }),
  fc.record({ kind: fc.constant('fragment' as const), text: fc.constantFrom('', 'f', '/evil', '%23') }),
  fc.record({ kind: fc.constant('userinfo' as const), text: fc.constantFrom('evil.example', 'user', 'user:pass', 'c1.example', '') }),
  fc.record({ kind: fc.constant('port' as const), port: fc.oneof(fc.constantFrom(0, 80, 443, 444, 8080, 65535, 65536), fc.integer({ min: 1, max: 70000 })) }),
  fc.record({ kind: fc.constant('host-suffix' as const), suffix: fc.constantFrom('.evil.example', '.', '%2eevil.example', '\\@evil.example') }),
  fc.record({ kind: fc.constant('percent-encode' as const), position: fc.nat(40), lowerHex: fc.boolean() }),
  fc.record({ kind: fc.constant('traversal' as const), segment: fc.constantFrom('/..', '/../evil', '/.', '/./', '/%2e%2e/evil', '/%2E%2E', '%2F..%2Fevil', '/..%2Fevil', '\\..\\evil', '/cb/../cb') }),
  fc.record({ kind: fc.constant('scheme' as const), scheme: fc.constantFrom('http', 'https', 'HTTPS', 'Http', 'ftp', 'ws', 'wss', 'javascript', 'data', 'com.example.app') }),
  fc.record({ kind: fc.constant('unicode' as const), position: fc.nat(40), text: fc.string({ unit: 'binary', minLength: 1, maxLength: 2 }) }),
  fc.record({ kind: fc.constant('homoglyph' as const), position: fc.nat(40) }),
  fc.record({ kind: fc.constant('whitespace' as const), position: fc.nat(40), text: fc.constantFrom(' ', '\t', '\n', '\r\n', '\u00a0', '\u200b', '\ufeff', '%20', '%09', '%0a', '+') }),
);

/** scheme ":" , "//" authority, and the rest (path, query, fragment); undefined when the text has no scheme any more. */
function splitUri(uri: string): { scheme: string; authority: string; rest: string } | undefined {
  const match = /^([^:/?#]+):(?:\/\/([^/?#]*))?(.*)$/s.exec(uri);
  return match ? { scheme: match[1], authority: match[2] ?? '', rest: match[3] } : undefined;
}

function joinUri(parts: { scheme: string; authority: string; rest: string }): string {
  return `${parts.scheme}://${parts.authority}${parts.rest}`;
}

function flipCase(text: string, positions: readonly number[]): string {
  const chars = [...text];
  for (const p of positions) {
    if (chars.length === 0) break;
    const i = p % chars.length;
    chars[i] = chars[i] === chars[i].toLowerCase() ? chars[i].toUpperCase() : chars[i].toLowerCase();
  }
  return chars.join('');
}

function insertAt(text: string, position: number, insertion: string): string {
  const i = position % (text.length + 1);
  return text.slice(0, i) + insertion + text.slice(i);
}

function applyMutation(uri: string, mutation: UriMutation): string {
  const parts = splitUri(uri);
  switch (mutation.kind) {
    case 'flip-case':
      if (!parts) return flipCase(uri, mutation.positions);
      return joinUri({ ...parts, [mutation.part === 'path' ? 'rest' : mutation.part]: flipCase(mutation.part === 'path' ? parts.rest : parts[mutation.part], mutation.positions) });
    case 'trailing-slash':
      return `${uri}/`;
    case 'extra-query':
      return `${uri}${uri.includes('?') ? '&' : '?'}${mutation.text}`;
    case 'fragment':
      return `${uri}#${mutation.text}`;
    case 'userinfo':
      return parts ? joinUri({ ...parts, authority: `${mutation.text}@${parts.authority}` }) : `${mutation.text}@${uri}`;
    case 'port':
      return parts ? joinUri({ ...parts, authority: `${parts.authority.replace(/:[0-9]*$/, '')}:${mutation.port}` }) : `${uri}:${mutation.port}`;
    case 'host-suffix':
      return parts ? joinUri({ ...parts, authority: `${parts.authority.replace(/:[0-9]*$/, '')}${mutation.suffix}` }) : `${uri}${mutation.suffix}`;
    case 'percent-encode': {
      // Encode one character of the path, the way a proxy or a sloppy client might.
      const target = parts ? parts.rest : uri;
      const chars = [...target];
      if (chars.length === 0) return `${uri}%2F`;
      const i = mutation.position % chars.length;
      const hex = Buffer.from(chars[i], 'utf8').toString('hex').replace(/(..)/g, '%$1');
      chars[i] = mutation.lowerHex ? hex.toLowerCase() : hex.toUpperCase();
      return parts ? joinUri({ ...parts, rest: chars.join('') }) : chars.join('');
    }
    case 'traversal':
      return `${uri}${mutation.segment}`;
    case 'scheme':
      return parts ? joinUri({ ...parts, scheme: mutation.scheme }) : `${mutation.scheme}:${uri}`;
    case 'unicode':
      return insertAt(uri, mutation.position, mutation.text);
    case 'homoglyph': {
      const chars = [...uri];
      const candidates = chars.map((c, i) => (HOMOGLYPHS[c] ? i : -1)).filter((i) => i >= 0);
      if (candidates.length === 0) return `${uri}\u3002`;
      const i = candidates[mutation.position % candidates.length];
      chars[i] = HOMOGLYPHS[chars[i]];
      return chars.join('');
    }
    case 'whitespace':
      return insertAt(uri, mutation.position, mutation.text);
  }
}

interface RedirectCase {
  readonly clientId: string;
  readonly redirectUri: string;
  /** How the case was made, for the counterexample. */
  readonly from: string;
}

const mutatedRedirect: fc.Arbitrary<RedirectCase> = fc
  .tuple(fc.constantFrom(...REDIRECT_TARGETS), fc.array(uriMutation, { minLength: 1, maxLength: 3 }))
  .map(([target, mutations]) => ({
    clientId: target.clientId,
    redirectUri: mutations.reduce(applyMutation, target.registered),
    from: `${target.registered} with ${JSON.stringify(mutations)}`,
  }));

const foreignRedirect: fc.Arbitrary<RedirectCase> = fc
  .tuple(fc.constantFrom(...REDIRECT_TARGETS), fc.webUrl({ validSchemes: ['https', 'http'], withQueryParameters: true, withFragments: true }))
  .map(([target, url]) => ({ clientId: target.clientId, redirectUri: url, from: 'fc.webUrl' }));

const exactRedirect: fc.Arbitrary<RedirectCase> = fc
  .constantFrom(...REDIRECT_TARGETS)
  .map((target) => ({ clientId: target.clientId, redirectUri: target.registered, from: 'exactly as registered' }));

/** What the AS answers to a plain GET, without following a redirect. */
interface AuthorizeAnswer {
  readonly status: number;
  /** The raw Location header, exactly as sent (not resolved or normalised). */
  readonly location: string | null;
  readonly setCookies: readonly string[];
  readonly body: string;
}

async function authorizeWithoutSession(url: string): Promise<AuthorizeAnswer> {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), setCookies: response.headers.getSetCookie(), body: await response.text() };
}

async function authorizeSignedIn(browser: Browser, url: string): Promise<AuthorizeAnswer> {
  const response = await browser.send({ url });
  return { status: response.status, location: response.headers.get('location'), setCookies: response.headers.getSetCookie(), body: response.body };
}

/** The AS's own error page: NR of docs/security.md (400, no Location, nothing started). */
function expectRefusedWithoutRedirect(answer: AuthorizeAnswer): void {
  expect({ status: answer.status, location: answer.location }).toEqual({ status: 400, location: null });
  expect(answer.setCookies).toEqual([]);
  expect(answer.body).not.toMatch(/code=|\bat \w+ \(|node_modules/);
}

describe('property: /authorize redirects a browser only to an exactly registered redirect_uri', () => {
  /** Signed in as alice, with consent on file for every client, so an accepted URI gets a code at once. */
  const signedIn = new Browser();

  beforeAll(async () => {
    for (const target of REDIRECT_TARGETS) {
      await obtainCode(ctx, signedIn, { clientId: target.clientId, redirectUri: target.registered });
    }
  }, 60_000);

  /**
   * Without a session, a valid request shows our consent page (200, or at most a redirect
   * to our own origin), never a redirect to the client; with a session and consent on
   * file, it is a 302 to the client's URI with a code. Any other redirect_uri, in either
   * state, gets our 400 page with no Location at all.
   */
  async function checkRedirectCase(testCase: RedirectCase): Promise<void> {
    const pkce = newPkce();
    const url = a0Url(ctx, pkce, { client_id: testCase.clientId, redirect_uri: testCase.redirectUri });
    const anonymous = await authorizeWithoutSession(url);
    const withSession = await authorizeSignedIn(signedIn, url);

    if (!isAcceptableRedirect(testCase.clientId, testCase.redirectUri)) {
      expectRefusedWithoutRedirect(anonymous);
      expectRefusedWithoutRedirect(withSession);
      return;
    }

    if (anonymous.location === null) {
      expect(anonymous.status).toBe(200);
      expect(anonymous.body).toContain('<form');
    } else {
      expect(anonymous.status).toBeGreaterThanOrEqual(300);
      expect(anonymous.status).toBeLessThan(400);
      expect(new URL(anonymous.location, ctx.issuer).origin).toBe(new URL(ctx.issuer).origin);
    }

    expect(withSession.status).toBe(302);
    const location = withSession.location ?? '';
    // The client gets its URI back byte for byte, with only the response parameters appended.
    expect(location.startsWith(`${testCase.redirectUri}?`)).toBe(true);
    const params = new URLSearchParams(location.slice(testCase.redirectUri.length + 1));
    expect(params.get('code')).toEqual(expect.any(String));
    expect(params.getAll('iss')).toEqual([ctx.issuer]);
  }

  it('property: near-miss variants of registered URIs (case, slash, query, fragment, userinfo, port, encoding, traversal, scheme, unicode, whitespace) get no Location', async () => {
    const budget = withCheckBudget(250, checkRedirectCase);
    await fc.assert(fc.asyncProperty(mutatedRedirect, budget.check), { seed: 20251125, numRuns: 120 });
    budget.expectWithinBudget();
  }, 60_000);

  it('property: arbitrary other URLs (fc.webUrl) get no Location', async () => {
    const budget = withCheckBudget(80, checkRedirectCase);
    await fc.assert(fc.asyncProperty(foreignRedirect, budget.check), { seed: 7591, numRuns: 40 });
    budget.expectWithinBudget();
  }, 60_000);

  it('property: the exact registered URI redirects to our consent page without a session, and to the client with one', async () => {
    const budget = withCheckBudget(20, checkRedirectCase);
    await fc.assert(fc.asyncProperty(exactRedirect, budget.check), { seed: 8252, numRuns: 10 });
    budget.expectWithinBudget();
  }, 60_000);
});

// ---------------------------------------------------------------------------------------
// Property 2: a refresh family as a state machine

/**
 * The model of one family, from the rules of docs/security.md (decisions f, g):
 * `current` is redeemable; `previous` (the token just rotated away) stays redeemable while
 * its successor is unused, and redeeming it rotates again, voiding that successor; every
 * other token the family ever had is reuse, which revokes the family and all it minted.
 */
interface FamilyModel {
  current: string;
  previous: string | undefined;
  /** Rotated away or voided: presenting any of these is reuse. */
  readonly retired: string[];
  readonly accessTokens: string[];
  reused: boolean;
  /** The commands that ran (a command whose precondition failed is skipped). */
  readonly ran: string[];
}

/** The confidential C3 owns the families: its own client may introspect a refresh token, which is a read with no side effects. */
const C3_AUTH = basic(C3.clientId, C3.secret);
const refreshAsC3 = (token: string) => refresh(ctx, token, { client_id: undefined }, C3_AUTH);
const introspectAsOwner = async (token: string): Promise<any> => (await postForm(`${ctx.issuer}/introspect`, { token }, C3_AUTH)).json;

function everyRefreshToken(model: FamilyModel): string[] {
  return [model.current, ...(model.previous === undefined ? [] : [model.previous]), ...model.retired];
}

function acceptRotation(model: FamilyModel, answer: JsonReply): void {
  expect({ status: answer.status, error: answer.json?.error }).toEqual({ status: 200, error: undefined });
  expect(answer.headers.get('cache-control')).toContain('no-store');
  model.current = answer.json.refresh_token;
  model.accessTokens.push(answer.json.access_token);
}

/**
 * The invariants, checked after every command. Refresh tokens are looked at through
 * introspection only: presenting one at /token would itself be a transition. The reads are
 * independent of each other, so they run in parallel.
 */
async function checkFamilyInvariants(model: FamilyModel): Promise<void> {
  const refreshTokens = everyRefreshToken(model);
  const [refreshViews, introspections, statuses] = await Promise.all([
    Promise.all(refreshTokens.map(introspectAsOwner)),
    Promise.all(model.accessTokens.map((at) => introspect(ctx, at))),
    Promise.all(model.accessTokens.map((at) => statusAtMcpServer(ctx.stack.mcpUrl, at))),
  ]);
  const redeemable = model.reused ? [] : [model.current, ...(model.previous === undefined ? [] : [model.previous])];
  expect(refreshTokens.map((t, i) => ({ token: tokenLabel(model, t), active: refreshViews[i].active }))).toEqual(
    refreshTokens.map((t) => ({ token: tokenLabel(model, t), active: redeemable.includes(t) })),
  );
  expect(introspections.map((v) => v.active)).toEqual(model.accessTokens.map(() => !model.reused));
  expect(statuses).toEqual(model.accessTokens.map(() => (model.reused ? 401 : 200)));
}

/** "current", "previous" or "retired #n", so a failing comparison reads without the secrets. */
function tokenLabel(model: FamilyModel, token: string): string {
  if (token === model.current) return 'current';
  if (token === model.previous) return 'previous';
  return `retired #${model.retired.indexOf(token)}`;
}

/** Once reuse is detected, every refresh token the family ever had is invalid_grant at /token (presenting them is harmless now). */
async function expectWholeFamilyRefused(model: FamilyModel): Promise<void> {
  for (const token of everyRefreshToken(model)) expectOAuthError(await refreshAsC3(token), 400, 'invalid_grant');
}

type FamilyCommand = fc.AsyncCommand<FamilyModel, FamilyModel>;

class RotateCurrent implements FamilyCommand {
  check = () => true;
  async run(_model: FamilyModel, real: FamilyModel): Promise<void> {
    real.ran.push(this.toString());
    const answer = await refreshAsC3(real.current);
    if (real.reused) {
      expectOAuthError(answer, 400, 'invalid_grant');
    } else {
      if (real.previous !== undefined) real.retired.push(real.previous);
      real.previous = real.current;
      acceptRotation(real, answer);
    }
    await checkFamilyInvariants(real);
  }
  toString = () => 'RotateCurrent';
}

class RetryPrevious implements FamilyCommand {
  check = (model: Readonly<FamilyModel>) => model.previous !== undefined;
  async run(_model: FamilyModel, real: FamilyModel): Promise<void> {
    real.ran.push(this.toString());
    const answer = await refreshAsC3(real.previous!);
    if (real.reused) {
      expectOAuthError(answer, 400, 'invalid_grant');
    } else {
      // The client never saw `current`: it is voided, and `previous` stays the retry point.
      real.retired.push(real.current);
      acceptRotation(real, answer);
    }
    await checkFamilyInvariants(real);
  }
  toString = () => 'RetryPrevious';
}

class PresentOld implements FamilyCommand {
  constructor(private readonly pick: number) {}
  check = (model: Readonly<FamilyModel>) => model.retired.length > 0;
  async run(_model: FamilyModel, real: FamilyModel): Promise<void> {
    real.ran.push(this.toString());
    const token = real.retired[this.pick % real.retired.length];
    expectOAuthError(await refreshAsC3(token), 400, 'invalid_grant');
    const firstReuse = !real.reused;
    real.reused = true;
    if (firstReuse) await expectWholeFamilyRefused(real);
    await checkFamilyInvariants(real);
  }
  toString = () => `PresentOld(${this.pick})`;
}

class UseAccessToken implements FamilyCommand {
  constructor(private readonly pick: number) {}
  check = (model: Readonly<FamilyModel>) => model.accessTokens.length > 0;
  async run(_model: FamilyModel, real: FamilyModel): Promise<void> {
    real.ran.push(this.toString());
    const token = real.accessTokens[this.pick % real.accessTokens.length];
    expect(await statusAtMcpServer(ctx.stack.mcpUrl, token)).toBe(real.reused ? 401 : 200);
    await checkFamilyInvariants(real);
  }
  toString = () => `UseAccessToken(${this.pick})`;
}

describe('property: a refresh family follows the rotation model, and any reuse kills all of it', () => {
  const browser = new Browser();

  it('property: random sequences of RotateCurrent, RetryPrevious, PresentOld and UseAccessToken keep the model invariants after every step', async () => {
    // Rotation is listed twice, and each run starts with 0-2 rotations already done: a reuse
    // needs a retired token, which takes two rotations (or a rotation and a retry) first.
    const commands = fc.commands(
      [
        fc.constant(new RotateCurrent()),
        fc.constant(new RotateCurrent()),
        fc.constant(new RetryPrevious()),
        fc.nat(10).map((pick) => new PresentOld(pick)),
        fc.nat(10).map((pick) => new UseAccessToken(pick)),
      ],
      { maxCommands: 6, size: 'max' },
    );
    // How many runs reached each kind of state, so that the property cannot pass by never getting there.
    const reached = { retry: 0, reuse: 0, afterReuse: 0 };
    // Each run sends up to ~25 requests to /token: 10 checks of shrinking at most.
    const budget = withCheckBudget(25, async (rotationsFirst: number, cmds: Iterable<FamilyCommand>) => {
      const issued = await obtainCode(ctx, browser, { clientId: C3.clientId, redirectUri: C3.redirectUri, scope: 'tool:read' });
      const first = await redeemCode(ctx, issued, { client_id: undefined }, C3_AUTH);
      expect(first.status).toBe(200);
      const family: FamilyModel = { current: first.json.refresh_token, previous: undefined, retired: [], accessTokens: [first.json.access_token], reused: false, ran: [] };
      // One object serves as model and real: the model's tokens are whatever the server issued.
      for (let i = 0; i < rotationsFirst; i++) await new RotateCurrent().run(family, family);
      await fc.asyncModelRun(() => ({ model: family, real: family }), cmds);
      const ran = family.ran;
      const firstReuse = ran.findIndex((c) => c.startsWith('PresentOld'));
      if (ran.includes('RetryPrevious')) reached.retry++;
      if (firstReuse >= 0) reached.reuse++;
      if (firstReuse >= 0 && firstReuse < ran.length - 1) reached.afterReuse++;
    });
    await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: 2 }), commands, budget.check), { seed: 29, numRuns: 15 });
    budget.expectWithinBudget();
    expect(reached.retry).toBeGreaterThanOrEqual(3);
    expect(reached.reuse).toBeGreaterThanOrEqual(3);
    expect(reached.afterReuse).toBeGreaterThanOrEqual(2);
  }, 120_000);
});

// ---------------------------------------------------------------------------------------
// Property 3: /token under arbitrary input

/**
 * The error codes a token endpoint may answer these requests with: RFC 6749 section 5.2, plus
 * RFC 8707's invalid_target, which section 2.2 there adds to the token endpoint for a
 * resource the grant does not cover.
 */
const TOKEN_ERRORS = ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client', 'unsupported_grant_type', 'invalid_scope', 'invalid_target'];

const TOKEN_PARAMETER_NAMES = [
  'grant_type', 'code', 'code_verifier', 'client_id', 'client_secret', 'redirect_uri', 'resource', 'refresh_token', 'scope',
  'client_assertion', 'client_assertion_type', 'audience', 'state', 'username', 'password', 'token', 'nonce',
];

/** Names that are special to JavaScript objects: a form parser that indexes a plain object with them breaks. */
const OBJECT_PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

interface FuzzRequest {
  readonly fields: Readonly<Record<string, string | readonly string[]>>;
  readonly authorization?: string;
  readonly contentType: string;
  readonly query: string;
}

describe('property: /token answers every malformed request with an OAuth error and consumes nothing', () => {
  const browser = new Browser();
  let pending: IssuedCode;

  beforeAll(async () => {
    // Obtained before the fuzzing: afterwards it must still be redeemable, exactly once.
    pending = await obtainCode(ctx, browser);
  }, 60_000);

  /** Near-valid values mixed with arbitrary text, so requests reach past the first checks. */
  function valueArb(): fc.Arbitrary<string> {
    return fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(
        'authorization_code', 'refresh_token', 'client_credentials', 'password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code',
        pending.code, pending.pkce.verifier, newPkce().verifier, pending.pkce.challenge,
        C1.clientId, C2.clientId, C3.clientId, 'RS', C3.secret, C1.redirectUri, C3.redirectUri,
        ctx.r1, ctx.r2!, `${ctx.r1}#x`, 'tool:read', 'tool:read admin', 'admin',
        `${'A'.repeat(22)}.${'B'.repeat(43)}`, '', ' ', '%00', '\u0000', 'null', 'undefined', '[object Object]',
      ) },
      { weight: 2, arbitrary: fc.string({ maxLength: 80 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
      // Long values are fixed ones: a long random string takes hundreds of requests to shrink.
      { weight: 1, arbitrary: fc.constantFrom('A'.repeat(5_000), '%'.repeat(20_000), 'A'.repeat(70_000)) },
    );
  }

  function fuzzRequestArb(): fc.Arbitrary<FuzzRequest> {
    const name = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...TOKEN_PARAMETER_NAMES) },
      { weight: 1, arbitrary: fc.constantFrom(...OBJECT_PROTOTYPE_NAMES) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    );
    const value = valueArb();
    const fieldValue = fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fc.array(value, { minLength: 2, maxLength: 3 }) });
    // Arbitrary bodies, and the pending code's own valid redemption with one to three edits,
    // which reach the checks behind the first ones (client, redirect, verifier, resource).
    const arbitraryFields = fc.dictionary(name, fieldValue, { maxKeys: 9 });
    const validFields = (): Record<string, string | readonly string[]> => ({
      grant_type: 'authorization_code', code: pending.code, code_verifier: pending.pkce.verifier, client_id: C1.clientId, redirect_uri: pending.redirectUri, resource: ctx.r1,
    });
    const edit = fc.oneof(
      fc.record({ op: fc.constant('drop' as const), name: fc.constantFrom(...Object.keys(validFields())), value: fc.constant('') }),
      fc.record({ op: fc.constant('set' as const), name, value }),
      fc.record({ op: fc.constant('repeat' as const), name: fc.constantFrom(...Object.keys(validFields())), value }),
    );
    const editedFields = fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
      const fields = validFields();
      for (const e of edits) {
        if (e.op === 'drop') delete fields[e.name];
        else if (e.op === 'set') Object.defineProperty(fields, e.name, { value: e.value, enumerable: true, writable: true, configurable: true });
        else fields[e.name] = [...(typeof fields[e.name] === 'string' ? [fields[e.name] as string] : []), e.value];
      }
      return fields;
    });
    return fc.record({
      fields: fc.oneof(arbitraryFields, editedFields),
      authorization: fc.option(fc.oneof(
        fc.constant(C3_AUTH.authorization),
        fc.tuple(fc.constantFrom(C1.clientId, C3.clientId, 'RS', 'nobody'), fc.string({ maxLength: 20 })).map(([id, secret]) => basic(id, secret).authorization),
        fc.string({ maxLength: 40 }).map((s) => `Basic ${s}`),
        fc.constantFrom('Bearer x', 'Basic', 'Basic ::::', `Basic ${Buffer.from(':').toString('base64')}`),
      ), { nil: undefined, freq: 4 }),
      contentType: fc.oneof(
        { weight: 8, arbitrary: fc.constant('application/x-www-form-urlencoded') },
        { weight: 1, arbitrary: fc.constantFrom('application/x-www-form-urlencoded; charset=utf-8', 'application/json', 'text/plain', 'multipart/form-data', 'APPLICATION/X-WWW-FORM-URLENCODED') },
      ),
      query: fc.oneof({ weight: 8, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('?grant_type=authorization_code', '?code=x', '?', '?__proto__=x') }),
    });
  }

  /**
   * Whether a request lacks something any successful redemption of the pending code needs
   * (RFC 6749 sections 3.1, 4.1.3; RFC 7636 section 4.6; RFC 8707 section 2.2). Where the
   * rules leave room (an Authorization header, unknown parameters, a query string), the
   * request counts as possibly valid and is not sent: it might rightly succeed.
   */
  function cannotRedeemPendingCode(request: FuzzRequest): boolean {
    const values = (name: string): string[] => {
      const sent = Object.prototype.hasOwnProperty.call(request.fields, name) ? request.fields[name] : undefined;
      return (sent === undefined ? [] : typeof sent === 'string' ? [sent] : [...sent]).filter((v) => v !== '');
    };
    const exactly = (name: string, value: string) => values(name).length === 1 && values(name)[0] === value;
    if (!/^application\/x-www-form-urlencoded\s*(;.*)?$/i.test(request.contentType)) return true;
    if (!exactly('grant_type', 'authorization_code') || !exactly('code', pending.code) || !exactly('code_verifier', pending.pkce.verifier)) return true;
    if (!exactly('redirect_uri', pending.redirectUri)) return true;
    if (request.authorization === undefined && !exactly('client_id', C1.clientId)) return true;
    if (Object.keys(request.fields).some((n) => n !== 'resource' && values(n).length > 1)) return true;
    if (!values('resource').every((r) => r === ctx.r1)) return true;
    return values('scope').some((scope) => scope.split(/\s+/).some((token) => token !== '' && token !== 'tool:read'));
  }

  async function send(request: FuzzRequest): Promise<JsonReply> {
    const body = new URLSearchParams();
    for (const [name, value] of Object.entries(request.fields)) {
      for (const v of typeof value === 'string' ? [value] : value) body.append(name, v);
    }
    const headers: Record<string, string> = { 'content-type': request.contentType };
    if (request.authorization !== undefined) headers.authorization = request.authorization;
    return reply(await fetch(`${ctx.issuer}/token${request.query}`, { method: 'POST', headers, body: body.toString() }));
  }

  it('property: arbitrary form bodies, repeated parameters, grant types and client credentials never get a 5xx, a stack trace or a token', async () => {
    const budget = withCheckBudget(600, async (request: FuzzRequest) => {
      const answer = await send(request);
      // Status and body together, so a failure shows what came back.
      expect(`${answer.status} ${answer.text}`).toMatch(/^40[01] \{/);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(TOKEN_ERRORS).toContain(answer.json?.error);
      expect(Object.keys(answer.json).sort()).toEqual(Object.keys(answer.json).length === 1 ? ['error'] : ['error', 'error_description']);
      expect(answer.headers.get('cache-control')).toContain('no-store');
      expectNoLeak(answer.text);
    });
    await fc.assert(fc.asyncProperty(fuzzRequestArb().filter(cannotRedeemPendingCode), budget.check), { seed: 6749, numRuns: 300 });
    budget.expectWithinBudget();

    // Nothing above consumed the pending code: it is redeemable now, and only once.
    const redeemed = await redeemCode(ctx, pending);
    expect(redeemed.status).toBe(200);
    expect(redeemed.json.access_token).toEqual(expect.any(String));
    expectOAuthError(await redeemCode(ctx, pending), 400, 'invalid_grant');
  }, 120_000);
});
