/**
 * A refresh family as a state machine (fast-check `fc.commands`), docs/security.md cases 29, 30,
 * 56 and 57 and decision f: the model, written from the rules, and the real grant on the real
 * store (the DynamoDB family and revocation stores on DynamoDB Local) agree after every command.
 *
 * The grant runs in this process so that the clock can be injected: retries inside and outside
 * tokens.refreshRetryWindowSeconds, and idle and absolute ends, are steps of a FixedClock, not
 * waits. Commands present the current token, the previous one, a token rotated away, a secret
 * never issued, and one of them several times at once (real parallel requests racing on
 * DynamoDB Local's conditional writes).
 *
 * Parallel requests are the one place the rules allow more than one outcome: of k requests with
 * the same token at least one rotates, and every later one that reads the family after a
 * rotation is a retry that voids the unused successor. The model does not guess which request
 * won: it checks that the store's current token is one of the tokens handed out and that the
 * voided ones head the retired list in some order, then takes that order as observed.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { cryptoRandom } from '../../lambda/adapters/system/crypto-random';
import { sha256Base64url } from '../../lambda/core/crypto';
import type { AuthorizationServerDeps } from '../../lambda/core/authorization-server/deps';
import { RETIRED_TOKENS_KEPT } from '../../lambda/core/authorization-server/refresh-family/token-standing';
import type { RefreshFamilyRecord } from '../../lambda/core/ports';
import { useDynamoDbTables } from '../support/dynamodb';
import { serve } from '../support/serve';
import { PUBLIC, R1, R1_INTROSPECTOR, R1_INTROSPECTOR_SECRET, basicAuth, codeParams, formRequest, json, seedCode, tokenDeps } from '../unit/token-fixtures';

const tables = useDynamoDbTables('refresh-model');

/** Short lifetimes, so that clock steps reach the retry window, the idle end and the absolute end within a run. */
const WINDOW = 30;
const IDLE = 600;
const ABSOLUTE = 3_600;
const ACCESS_TOKEN_SECONDS = 900;

type Harness = ReturnType<typeof tokenDeps>;

function harness(): { base: Harness; deps: AuthorizationServerDeps } {
  const base = tokenDeps();
  Object.assign(base.config.tokens, { refreshRetryWindowSeconds: WINDOW, refreshTokenIdleSeconds: IDLE, refreshTokenAbsoluteSeconds: ABSOLUTE, accessTokenSeconds: ACCESS_TOKEN_SECONDS });
  // Real randomness: every run makes a new family in the same tables.
  const { codes, families, grantWriter, revocations, tokenRequestReads: storedReads } = tables().stores;
  // /token's one read of the code, the family and the revocations is DynamoDB Local's; the clients stay the fixtures'.
  const tokenRequestReads: AuthorizationServerDeps['tokenRequestReads'] = {
    read: async (names) => {
      const [stored, client] = await Promise.all([storedReads.read({ ...names, clientId: undefined }), names.clientId === undefined ? undefined : base.clients.get(names.clientId)]);
      return { ...stored, client };
    },
  };
  return { base, deps: { ...base, random: cryptoRandom, codes, families, grantWriter, revocations, tokenRequestReads } };
}

interface FamilyModel {
  readonly familyId: string;
  now: number;
  current: string;
  previous: string | undefined;
  previousReplacedAt: number | undefined;
  /** Every token issued and then rotated away or voided, newest first (the store keeps the first RETIRED_TOKENS_KEPT). */
  retired: string[];
  generation: number;
  lastUsedAt: number;
  readonly expiresAt: number;
  revoked: boolean;
  forgedEvents: number;
  readonly accessTokens: { readonly token: string; readonly issuedAt: number }[];
  /** Every refresh token ever handed out, in order, for readable labels. */
  readonly handedOut: string[];
  /** What happened, for the reach counters below. */
  readonly outcomes: Outcome[];
}

type Outcome = 'rotate' | 'retry' | 'reuse' | 'refuse' | 'forged';

interface Real {
  readonly base: Harness;
  readonly deps: AuthorizationServerDeps;
}

/** The rules of docs/security.md, decision f, for one presentation at the model's `now`. */
function expectedOutcome(model: FamilyModel, token: string): Outcome {
  const retiredRank = model.retired.indexOf(token);
  const issued = token === model.current || token === model.previous || (retiredRank >= 0 && retiredRank < RETIRED_TOKENS_KEPT);
  if (!issued) return 'forged';
  const alive = !model.revoked && model.now <= model.expiresAt && model.now <= model.lastUsedAt + IDLE;
  if (!alive) return 'refuse';
  if (token === model.current) return 'rotate';
  if (token === model.previous && model.previousReplacedAt !== undefined && model.now <= model.previousReplacedAt + WINDOW) return 'retry';
  return 'reuse';
}

const refresh = (real: Real, token: string) =>
  serve(real.deps, formRequest('/token', { grant_type: 'refresh_token', refresh_token: token, client_id: PUBLIC }));

/** Presents `token` `times` times at once and moves the model by what the rules say, checking every answer. */
async function present(model: FamilyModel, real: Real, token: string, times: number): Promise<void> {
  const outcome = expectedOutcome(model, token);
  model.outcomes.push(outcome);
  const answers = await Promise.all(Array.from({ length: times }, () => refresh(real, token)));
  const winners = answers.filter((a) => a.status === 200).map((a) => json(a));
  for (const loser of answers.filter((a) => a.status !== 200)) expect({ status: loser.status, error: json(loser).error }).toEqual({ status: 400, error: 'invalid_grant' });

  if (outcome === 'forged') model.forgedEvents += times;
  if (outcome === 'reuse') model.revoked = true;
  if (outcome !== 'rotate' && outcome !== 'retry') {
    expect(winners).toEqual([]);
    return;
  }
  expect(winners.length).toBeGreaterThanOrEqual(1);
  const issued = winners.map((w) => w.refresh_token as string);
  for (const w of winners) model.accessTokens.push({ token: w.access_token, issuedAt: model.now });
  model.handedOut.push(...issued);

  // One of the issued tokens is current; the others were voided by the retries that followed.
  const stored = await storedFamily(model);
  const final = issued.find((t) => sha256Base64url(t) === stored.currentTokenHash);
  expect(final).toBeDefined();
  const voided = issued.filter((t) => t !== final);
  const observedOrder = stored.retiredTokenHashes.slice(0, voided.length).map((hash) => voided.find((t) => sha256Base64url(t) === hash));
  expect(new Set(observedOrder)).toEqual(new Set(voided));

  const replaced = outcome === 'rotate' ? model.previous : model.current;
  model.retired = [...(observedOrder as string[]), ...(replaced === undefined ? [] : [replaced]), ...model.retired];
  if (outcome === 'rotate') {
    model.previous = token;
    model.previousReplacedAt = model.now;
    model.lastUsedAt = model.now;
  }
  model.current = final!;
  model.generation += winners.length;
}

async function storedFamily(model: FamilyModel): Promise<RefreshFamilyRecord> {
  const stored = await tables().stores.families.get(model.familyId);
  if (!stored) throw new Error('the family is gone from the store');
  return stored;
}

/** "T3" for the fourth refresh token handed out, "never issued" for anything else. */
function labelOf(model: FamilyModel, hash: string | undefined): string | undefined {
  if (hash === undefined) return undefined;
  const index = model.handedOut.findIndex((t) => sha256Base64url(t) === hash);
  return index < 0 ? 'never issued' : `T${index}`;
}

/** Model and store agree: the family item, the revocation row, the audit events and what introspection says of every access token. */
async function checkAgreement(model: FamilyModel, real: Real): Promise<void> {
  const stored = await storedFamily(model);
  const label = (token: string | undefined) => (token === undefined ? undefined : labelOf(model, sha256Base64url(token)));
  expect({
    generation: stored.generation,
    current: labelOf(model, stored.currentTokenHash),
    previous: labelOf(model, stored.previousTokenHash),
    previousReplacedAt: stored.previousReplacedAt,
    retired: stored.retiredTokenHashes.map((hash) => labelOf(model, hash)),
    lastUsedAt: stored.lastUsedAt,
    expiresAt: stored.expiresAt,
    revoked: stored.revokedAt !== undefined,
  }).toEqual({
    generation: model.generation,
    current: label(model.current),
    previous: label(model.previous),
    previousReplacedAt: model.previousReplacedAt,
    retired: model.retired.slice(0, RETIRED_TOKENS_KEPT).map(label),
    lastUsedAt: model.lastUsedAt,
    expiresAt: model.expiresAt,
    revoked: model.revoked,
  });

  const rows = await tables().stores.revocations.find([{ kind: 'family', value: model.familyId }]);
  expect(rows.map((r) => r.reason)).toEqual(model.revoked ? ['refresh_reuse'] : []);
  const events = real.base.audit.events.filter((e) => 'familyId' in e && e.familyId === model.familyId);
  expect(events.filter((e) => e.type === 'refresh_forged')).toHaveLength(model.forgedEvents);
  expect(events.some((e) => e.type === 'refresh_reuse_detected')).toBe(model.revoked);

  // Access tokens well inside their lifetime are active exactly while the family is not revoked.
  const fresh = model.accessTokens.filter((a) => model.now < a.issuedAt + ACCESS_TOKEN_SECONDS - 60);
  const views = await Promise.all(fresh.map(async (a) => json(await serve(real.deps, formRequest('/introspect', { token: a.token }, { authorization: basicAuth(R1_INTROSPECTOR, R1_INTROSPECTOR_SECRET) }))).active));
  expect(views).toEqual(fresh.map(() => !model.revoked));
}

type FamilyCommand = fc.AsyncCommand<FamilyModel, Real>;

class PresentCurrent implements FamilyCommand {
  constructor(private readonly times: number) {}
  check = () => true;
  async run(model: FamilyModel, real: Real) {
    await present(model, real, model.current, this.times);
    await checkAgreement(model, real);
  }
  toString = () => `PresentCurrent(x${this.times})`;
}

class PresentPrevious implements FamilyCommand {
  constructor(private readonly times: number) {}
  check = (model: Readonly<FamilyModel>) => model.previous !== undefined;
  async run(model: FamilyModel, real: Real) {
    await present(model, real, model.previous!, this.times);
    await checkAgreement(model, real);
  }
  toString = () => `PresentPrevious(x${this.times})`;
}

class PresentRetired implements FamilyCommand {
  constructor(private readonly pick: number) {}
  check = (model: Readonly<FamilyModel>) => model.retired.length > 0;
  async run(model: FamilyModel, real: Real) {
    await present(model, real, model.retired[this.pick % model.retired.length], 1);
    await checkAgreement(model, real);
  }
  toString = () => `PresentRetired(${this.pick})`;
}

class PresentForged implements FamilyCommand {
  constructor(private readonly times: number) {}
  check = () => true;
  async run(model: FamilyModel, real: Real) {
    await present(model, real, `${model.familyId}.${randomBytes(32).toString('base64url')}`, this.times);
    await checkAgreement(model, real);
  }
  toString = () => `PresentForged(x${this.times})`;
}

class AdvanceClock implements FamilyCommand {
  constructor(private readonly seconds: number) {}
  check = () => true;
  async run(model: FamilyModel, real: Real) {
    real.base.clock.advanceSeconds(this.seconds);
    model.now += this.seconds;
    await checkAgreement(model, real);
  }
  toString = () => `AdvanceClock(${this.seconds})`;
}

describe('property: a refresh family on DynamoDB Local follows the model of decision f, with an injected clock and parallel requests', () => {
  it('property: random sequences of presentations (current, previous, rotated away, forged; one or several at once) and clock steps keep model and store in agreement', async () => {
    const times = fc.constantFrom(1, 1, 1, 2, 3);
    const commands = fc.commands(
      [
        times.map((t) => new PresentCurrent(t)),
        times.map((t) => new PresentCurrent(t)),
        times.map((t) => new PresentPrevious(t)),
        fc.nat(40).map((pick) => new PresentRetired(pick)),
        fc.constantFrom(1, 2).map((t) => new PresentForged(t)),
        // Around the window's end (29, 30, 31 after a rotation), and past the idle end.
        fc.constantFrom(1, WINDOW - 1, WINDOW, WINDOW + 1, 120, IDLE + 1).map((s) => new AdvanceClock(s)),
      ],
      { maxCommands: 14 },
    );
    const reached = { retry: 0, retryRefusedAfterWindow: 0, reuse: 0, forged: 0, parallel: 0, forgottenToken: 0, dead: 0 };
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: RETIRED_TOKENS_KEPT + 2 }), commands, async (rotationsFirst, cmds) => {
        const real = harness();
        const { code } = await seedCode(real.deps, { clientId: PUBLIC, resources: [R1] });
        const first = await serve(real.deps, formRequest('/token', codeParams(code)));
        expect(first.status).toBe(200);
        const body = json(first);
        const now = Math.floor(real.base.clock.nowMs() / 1000);
        const model: FamilyModel = {
          familyId: body.refresh_token.split('.')[0],
          now,
          current: body.refresh_token,
          previous: undefined,
          previousReplacedAt: undefined,
          retired: [],
          generation: 0,
          lastUsedAt: now,
          expiresAt: now + ABSOLUTE,
          revoked: false,
          forgedEvents: 0,
          accessTokens: [{ token: body.access_token, issuedAt: now }],
          handedOut: [body.refresh_token],
          outcomes: [],
        };
        // Sometimes start deep enough that the oldest tokens have left the bounded list.
        for (let i = 0; i < rotationsFirst; i++) await present(model, real, model.current, 1);
        await checkAgreement(model, real);
        model.outcomes.length = 0;
        await fc.asyncModelRun(() => ({ model, real }), cmds);

        const ran = [...cmds].map(String);
        if (model.outcomes.includes('retry')) reached.retry++;
        if (model.outcomes.includes('reuse')) reached.reuse++;
        if (model.outcomes.includes('forged')) reached.forged++;
        if (model.outcomes.includes('refuse')) reached.dead++;
        if (ran.some((c) => /x[23]\)/.test(c))) reached.parallel++;
        if (model.retired.length > RETIRED_TOKENS_KEPT) reached.forgottenToken++;
        if (ran.some((c) => c === `AdvanceClock(${WINDOW + 1})`) && model.outcomes.includes('reuse')) reached.retryRefusedAfterWindow++;
      }),
      { seed: 57, numRuns: 60 },
    );
    // The property cannot pass by never getting there.
    for (const [state, count] of Object.entries(reached)) expect({ state, reached: count >= 3 }).toEqual({ state, reached: true });
  }, 300_000);
});
