import { ConditionFailedError, GrantRefusedError } from '../../lambda/core/errors';
import type { AuthorizationCodeRecord, FamilyRotation, RefreshFamilyRecord, RevocationClearance } from '../../lambda/core/ports';
import { useDynamoDbTables } from '../support/dynamodb';

const tables = useDynamoDbTables('grant-writer');

const ISSUED_AT = 1_767_268_800;
let counter = 0;

function code(overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord {
  counter++;
  return {
    codeHash: `code-hash-${counter}`,
    clientId: 'client-1',
    redirectUri: 'https://c1.example/cb',
    redirectUriWasSent: true,
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    resources: ['http://localhost:8788/mcp'],
    scope: ['tool:read'],
    subject: `user-${counter}`,
    authTime: ISSUED_AT - 100,
    issuedAt: ISSUED_AT,
    expiresAt: ISSUED_AT + 60,
    ...overrides,
  };
}

function family(overrides: Partial<RefreshFamilyRecord> = {}): RefreshFamilyRecord {
  counter++;
  return {
    familyId: `family-${counter}`,
    clientId: 'client-1',
    subject: `user-${counter}`,
    scope: ['tool:read', 'tool:execute'],
    resources: ['http://localhost:8788/mcp'],
    authTime: ISSUED_AT - 100,
    currentTokenHash: `hash-${counter}-0`,
    retiredTokenHashes: [],
    generation: 0,
    createdAt: ISSUED_AT,
    lastUsedAt: ISSUED_AT,
    expiresAt: ISSUED_AT + 86_400,
    ...overrides,
  };
}

function next(tag: string, scope: readonly string[] = ['tool:read']): FamilyRotation {
  return { currentTokenHash: `current-${tag}`, previousTokenHash: `previous-${tag}`, previousReplacedAt: ISSUED_AT + 200, retiredTokenHashes: [`retired-${tag}`], lastUsedAt: ISSUED_AT + 200, scope, groupsReadAt: ISSUED_AT + 200 };
}

const clearOf = (subject: string, issuedAt = ISSUED_AT): RevocationClearance => ({ keys: [{ kind: 'subject', value: subject }], issuedAt });

async function revokeUser(subject: string, revokedAt: number): Promise<void> {
  await tables().stores.revocations.revoke({ key: { kind: 'subject', value: subject }, revokedAt, expiresAt: revokedAt + 86_400, reason: 'test' });
}

const refusal = (promise: Promise<unknown>) => promise.then(() => 'written', (error: unknown) => (error instanceof GrantRefusedError ? error.refusal : error));

describe('DynamoDbGrantWriter.redeemCode', () => {
  it('marks the code redeemed, links the family and creates it, in one write', async () => {
    const stored = code();
    const started = family({ subject: stored.subject });
    await tables().stores.codes.put(stored);
    await tables().stores.grantWriter.redeemCode(stored.codeHash, ISSUED_AT + 10, started, clearOf(stored.subject));
    expect(await tables().stores.codes.get(stored.codeHash)).toStrictEqual({ ...stored, redeemedAt: ISSUED_AT + 10, familyId: started.familyId });
    expect(await tables().stores.families.get(started.familyId)).toStrictEqual(started);
  });

  it('refuses a second redemption as moved_on, keeps the first one’s family and creates no second family', async () => {
    const stored = code();
    const first = family();
    const second = family();
    await tables().stores.codes.put(stored);
    await tables().stores.grantWriter.redeemCode(stored.codeHash, ISSUED_AT + 10, first, clearOf(stored.subject));
    expect(await refusal(tables().stores.grantWriter.redeemCode(stored.codeHash, ISSUED_AT + 11, second, clearOf(stored.subject)))).toBe('moved_on');
    expect(await tables().stores.codes.get(stored.codeHash)).toMatchObject({ redeemedAt: ISSUED_AT + 10, familyId: first.familyId });
    expect(await tables().stores.families.get(second.familyId)).toBeUndefined();
  });

  it('refuses to redeem a code that does not exist, and creates neither it nor the family', async () => {
    const orphan = family();
    expect(await refusal(tables().stores.grantWriter.redeemCode('never-issued', 1, orphan, clearOf('nobody')))).toBe('moved_on');
    expect(await tables().stores.codes.get('never-issued')).toBeUndefined();
    expect(await tables().stores.families.get(orphan.familyId)).toBeUndefined();
  });

  it('refuses as revoked when the user was revoked at or after the code was issued, and writes nothing', async () => {
    for (const revokedAt of [ISSUED_AT, ISSUED_AT + 5]) {
      const stored = code();
      const started = family();
      await tables().stores.codes.put(stored);
      await revokeUser(stored.subject, revokedAt);
      expect(await refusal(tables().stores.grantWriter.redeemCode(stored.codeHash, ISSUED_AT + 10, started, clearOf(stored.subject)))).toBe('revoked');
      expect((await tables().stores.codes.get(stored.codeHash))?.redeemedAt).toBeUndefined();
      expect(await tables().stores.families.get(started.familyId)).toBeUndefined();
    }
  });

  it('redeems when the user’s revocation is older than the code', async () => {
    const stored = code();
    await tables().stores.codes.put(stored);
    await revokeUser(stored.subject, ISSUED_AT - 1);
    expect(await refusal(tables().stores.grantWriter.redeemCode(stored.codeHash, ISSUED_AT + 10, family(), clearOf(stored.subject)))).toBe('written');
  });

  it('refuses a family id that exists already (a collision is a bug, not a race) and redeems nothing', async () => {
    const stored = code();
    const existing = family();
    await tables().stores.codes.put(stored);
    await tables().stores.families.create(existing);
    const error = await tables().stores.grantWriter.redeemCode(stored.codeHash, ISSUED_AT + 10, { ...existing, subject: 'mallory' }, clearOf(stored.subject)).catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(GrantRefusedError);
    expect(error).not.toBeInstanceOf(ConditionFailedError);
    expect((error as Error).name).toBe('TransactionCanceledException');
    expect((await tables().stores.codes.get(stored.codeHash))?.redeemedAt).toBeUndefined();
    expect((await tables().stores.families.get(existing.familyId))?.subject).toBe(existing.subject);
  });

  it('lets exactly one of 20 concurrent redemptions win; the others are moved_on and leave no family', async () => {
    const stored = code();
    await tables().stores.codes.put(stored);
    const families = Array.from({ length: 20 }, () => family({ subject: stored.subject }));
    const outcomes = await Promise.all(families.map((f, i) => refusal(tables().stores.grantWriter.redeemCode(stored.codeHash, ISSUED_AT + i, f, clearOf(stored.subject)))));
    const winners = outcomes.flatMap((outcome, i) => (outcome === 'written' ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'written')).toEqual(Array(19).fill('moved_on'));
    expect(await tables().stores.codes.get(stored.codeHash)).toMatchObject({ redeemedAt: ISSUED_AT + winners[0]!, familyId: families[winners[0]!]!.familyId });
    const created = await Promise.all(families.map((f) => tables().stores.families.get(f.familyId)));
    expect(created.filter((f) => f !== undefined).map((f) => f!.familyId)).toEqual([families[winners[0]!]!.familyId]);
  });
});

describe('DynamoDbGrantWriter.rotateFamily', () => {
  it('rotates at the expected generation: new hashes, retry window start, retired hashes, new scope, generation + 1', async () => {
    const stored = family();
    await tables().stores.families.create(stored);
    await tables().stores.grantWriter.rotateFamily(stored.familyId, 0, next('a'), clearOf(stored.subject));
    expect(await tables().stores.families.get(stored.familyId)).toStrictEqual({
      ...stored,
      currentTokenHash: 'current-a',
      previousTokenHash: 'previous-a',
      previousReplacedAt: ISSUED_AT + 200,
      retiredTokenHashes: ['retired-a'],
      groupsReadAt: ISSUED_AT + 200,
      lastUsedAt: ISSUED_AT + 200,
      scope: ['tool:read'],
      generation: 1,
    });
  });

  it('refuses a rotation at a stale generation as moved_on and changes nothing', async () => {
    const stored = family();
    await tables().stores.families.create(stored);
    await tables().stores.grantWriter.rotateFamily(stored.familyId, 0, next('a'), clearOf(stored.subject));
    expect(await refusal(tables().stores.grantWriter.rotateFamily(stored.familyId, 0, next('b'), clearOf(stored.subject)))).toBe('moved_on');
    expect(await tables().stores.families.get(stored.familyId)).toMatchObject({ generation: 1, currentTokenHash: 'current-a' });
  });

  it('refuses to rotate a revoked family', async () => {
    const stored = family();
    await tables().stores.families.create(stored);
    await tables().stores.families.markRevoked(stored.familyId, ISSUED_AT + 100);
    expect(await refusal(tables().stores.grantWriter.rotateFamily(stored.familyId, 0, next('a'), clearOf(stored.subject)))).toBe('moved_on');
    expect(await tables().stores.families.get(stored.familyId)).toMatchObject({ generation: 0, currentTokenHash: stored.currentTokenHash });
  });

  it('refuses to rotate a family that does not exist, and does not create it', async () => {
    expect(await refusal(tables().stores.grantWriter.rotateFamily('ghost', 0, next('a'), clearOf('nobody')))).toBe('moved_on');
    expect(await tables().stores.families.get('ghost')).toBeUndefined();
  });

  it('refuses as revoked when the user was revoked since the family began, and changes nothing', async () => {
    const stored = family();
    await tables().stores.families.create(stored);
    await revokeUser(stored.subject, ISSUED_AT + 50);
    expect(await refusal(tables().stores.grantWriter.rotateFamily(stored.familyId, 0, next('a'), clearOf(stored.subject)))).toBe('revoked');
    expect(await tables().stores.families.get(stored.familyId)).toStrictEqual(stored);
  });

  it('lets exactly one of 20 concurrent rotations from the same generation win, with no fork', async () => {
    const stored = family();
    await tables().stores.families.create(stored);
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => refusal(tables().stores.grantWriter.rotateFamily(stored.familyId, 0, next(`racer-${i}`), clearOf(stored.subject)))));
    const winners = outcomes.flatMap((outcome, i) => (outcome === 'written' ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(outcomes.filter((o) => o !== 'written')).toEqual(Array(19).fill('moved_on'));
    expect(await tables().stores.families.get(stored.familyId)).toMatchObject({
      generation: 1,
      currentTokenHash: `current-racer-${winners[0]}`,
      previousTokenHash: `previous-racer-${winners[0]}`,
    });
  });
});
