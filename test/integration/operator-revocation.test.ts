import { listFamilies, listLoginSessions, revokeAccess, worstCaseRevocationDelaySeconds } from '../../lambda/core/authorization-server/access-revocation';
import type { AuditEvent, ConsentRecord, LoginSessionRecord, RefreshFamilyRecord } from '../../lambda/core/ports';
import { accessTokenRevocationKeys, familyRevocationKeys, isRevoked } from '../../lambda/core/tokens/revocation-check';
import { operatorStores, type OperatorStores } from '../../lambda/adapters/wiring/operator-stores';
import { localTestConfig } from '../support/in-memory-ports';
import { useDynamoDbTables } from '../support/dynamodb';

const tables = useDynamoDbTables('operator-revocation');
const config = localTestConfig();
const T = 1_767_270_000;

let events: AuditEvent[];
let stores: OperatorStores;
beforeEach(() => {
  events = [];
  stores = operatorStores({ dynamodb: tables().calls, tables: tables().names, config, audit: { emit: (event) => events.push(event) } });
});

let counter = 0;
function family(overrides: Partial<RefreshFamilyRecord>): RefreshFamilyRecord {
  counter++;
  return {
    familyId: `op-family-${counter}`,
    clientId: 'op-client',
    subject: 'op-sub',
    scope: ['tool:read'],
    resources: ['http://localhost:8788/mcp'],
    authTime: T - 600,
    currentTokenHash: `hash-${counter}`,
    retiredTokenHashes: [],
    generation: 0,
    createdAt: T - 500,
    lastUsedAt: T - 500,
    expiresAt: T + 86_400,
    ...overrides,
  };
}
const login = (sessionHash: string, subject: string, overrides: Partial<LoginSessionRecord> = {}): LoginSessionRecord => ({
  sessionHash,
  subject,
  groups: ['mcp-users'],
  authTime: T - 600,
  expiresAt: T + 3_600,
  ...overrides,
});
const consent = (subject: string, clientId: string, overrides: Partial<ConsentRecord> = {}): ConsentRecord => ({
  subject,
  clientId,
  resource: 'http://localhost:8788/mcp',
  scope: ['tool:read'],
  grantedAt: T - 600,
  expiresAt: T + 86_400,
  ...overrides,
});

async function seed(families: readonly RefreshFamilyRecord[], sessions: readonly LoginSessionRecord[], consents: readonly ConsentRecord[]) {
  const raw = tables().stores;
  for (const f of families) await raw.families.create(f);
  for (const s of sessions) await raw.commits.commit({ loginSession: s });
  for (const c of consents) await raw.commits.commit({ consents: [{ record: c, revokedAt: 0 }] });
}

describe('revokeAccess (access-revocation.ts) against DynamoDB Local', () => {
  it('revokes a user: record at T, every live family marked, sessions ended, consents forgotten, others untouched', async () => {
    const live = [family({ subject: 'u-alice', clientId: 'u-c1' }), family({ subject: 'u-alice', clientId: 'u-c2' })];
    const alreadyRevoked = family({ subject: 'u-alice', revokedAt: T - 100 });
    const expired = family({ subject: 'u-alice', expiresAt: T - 1 });
    const bobs = family({ subject: 'u-bob', clientId: 'u-c1' });
    await seed(
      [...live, alreadyRevoked, expired, bobs],
      [login('u-alice-1', 'u-alice'), login('u-alice-2', 'u-alice'), login('u-alice-old', 'u-alice', { expiresAt: T - 10 }), login('u-bob-1', 'u-bob')],
      [consent('u-alice', 'u-c1'), consent('u-alice', 'u-c2'), consent('u-bob', 'u-c1')],
    );

    const outcome = await revokeAccess(stores, { kind: 'subject', value: 'u-alice' }, { reason: 'operator carol: laptop stolen', now: T });

    expect(outcome).toEqual({ revokedAt: T, sessionsEnded: 2, consentsForgotten: 2, familiesRevoked: 2 });
    const [record] = await stores.revocations.find([{ kind: 'subject', value: 'u-alice' }]);
    expect(record).toMatchObject({ revokedAt: T, reason: 'operator carol: laptop stolen' });
    // It outlives the longest thing it can match: a family created at T lives refreshTokenAbsoluteSeconds.
    expect(record!.expiresAt).toBeGreaterThanOrEqual(T + config.tokens.refreshTokenAbsoluteSeconds + config.tokens.accessTokenSeconds);
    for (const f of live) expect((await stores.families.get(f.familyId))?.revokedAt).toBe(T);
    expect((await stores.families.get(alreadyRevoked.familyId))?.revokedAt).toBe(T - 100);
    expect((await stores.families.get(bobs.familyId))?.revokedAt).toBeUndefined();
    expect(await listLoginSessions(stores, 'u-alice')).toEqual([]);
    expect((await listLoginSessions(stores, 'u-bob')).map((s) => s.sessionHash)).toEqual(['u-bob-1']);
    expect(await stores.sessions.listConsents({ subject: 'u-alice' })).toEqual([]);
    expect(await stores.sessions.listConsents({ subject: 'u-bob' })).toHaveLength(1);
    expect(events).toEqual([
      { type: 'access_revoked', kind: 'subject', value: 'u-alice', reason: 'operator carol: laptop stolen', revokedAt: T, sessionsEnded: 2, consentsForgotten: 2, familiesRevoked: 2 },
    ]);
  });

  it('makes what was issued at or before T revoked by the one rule, and what is issued after it not', async () => {
    await revokeAccess(stores, { kind: 'subject', value: 'rule-sub' }, { reason: 'test', now: T });
    const token = { jti: 'j1', familyId: 'rule-family', subject: 'rule-sub', clientId: 'rule-client' };
    const records = await stores.revocations.find(accessTokenRevocationKeys(token));
    expect(isRevoked(records, T - 1)).toBe(true);
    expect(isRevoked(records, T)).toBe(true);
    expect(isRevoked(records, T + 1)).toBe(false);
    const familyRecords = await stores.revocations.find(familyRevocationKeys({ familyId: 'rule-family', subject: 'rule-sub', clientId: 'rule-client' }));
    expect(isRevoked(familyRecords, T - 500)).toBe(true);
  });

  it('revokes a client: its families and consents, every user’s; no login session ends', async () => {
    const theirs = [family({ subject: 'c-alice', clientId: 'c-bad' }), family({ subject: 'c-bob', clientId: 'c-bad' })];
    const other = family({ subject: 'c-alice', clientId: 'c-good' });
    await seed([...theirs, other], [login('c-alice-1', 'c-alice')], [consent('c-alice', 'c-bad'), consent('c-bob', 'c-bad'), consent('c-alice', 'c-good')]);

    const outcome = await revokeAccess(stores, { kind: 'client', value: 'c-bad' }, { reason: 'client compromised', now: T });

    expect(outcome).toEqual({ revokedAt: T, sessionsEnded: 0, consentsForgotten: 2, familiesRevoked: 2 });
    expect((await stores.revocations.find([{ kind: 'client', value: 'c-bad' }]))[0]).toMatchObject({ revokedAt: T });
    for (const f of theirs) expect((await stores.families.get(f.familyId))?.revokedAt).toBe(T);
    expect((await stores.families.get(other.familyId))?.revokedAt).toBeUndefined();
    expect(await stores.sessions.listConsents({ clientId: 'c-bad' })).toEqual([]);
    expect(await stores.sessions.listConsents({ clientId: 'c-good' })).toHaveLength(1);
    expect(await listLoginSessions(stores, 'c-alice')).toHaveLength(1);
  });

  it('revokes one family, and says so when the family does not exist', async () => {
    const one = family({ subject: 'f-alice' });
    const sibling = family({ subject: 'f-alice' });
    await seed([one, sibling], [login('f-alice-1', 'f-alice')], [consent('f-alice', 'op-client')]);

    expect(await revokeAccess(stores, { kind: 'family', value: one.familyId }, { reason: 'r', now: T })).toEqual({ revokedAt: T, sessionsEnded: 0, consentsForgotten: 0, familiesRevoked: 1 });
    expect((await stores.families.get(one.familyId))?.revokedAt).toBe(T);
    expect((await stores.families.get(sibling.familyId))?.revokedAt).toBeUndefined();
    expect(await stores.sessions.listConsents({ subject: 'f-alice' })).toHaveLength(1);

    expect(await revokeAccess(stores, { kind: 'family', value: 'no-such-family' }, { reason: 'r', now: T })).toEqual({ revokedAt: T, sessionsEnded: 0, consentsForgotten: 0, familiesRevoked: 0 });
  });

  it('keeps the later revocation time when two operators revoke the same user', async () => {
    await revokeAccess(stores, { kind: 'subject', value: 'twice-sub' }, { reason: 'second', now: T + 100 });
    await revokeAccess(stores, { kind: 'subject', value: 'twice-sub' }, { reason: 'first', now: T });
    expect((await stores.revocations.find([{ kind: 'subject', value: 'twice-sub' }]))[0]).toMatchObject({ revokedAt: T + 100, reason: 'second' });
  });

  it('lists a user’s and a client’s families for the operator', async () => {
    const a = family({ subject: 'l-sub', clientId: 'l-client', createdAt: T - 300 });
    const b = family({ subject: 'l-sub', clientId: 'l-other', createdAt: T - 200 });
    await seed([a, b], [], []);
    expect((await listFamilies(stores, { subject: 'l-sub' })).map((f) => f.familyId)).toEqual([a.familyId, b.familyId]);
    expect((await listFamilies(stores, { clientId: 'l-client' })).map((f) => f.familyId)).toEqual([a.familyId]);
  });
});

describe('worstCaseRevocationDelaySeconds', () => {
  it('is the authorizer cache TTL plus the revocation cache TTL (45 s with the shipped defaults)', () => {
    expect(worstCaseRevocationDelaySeconds({ authorizerCacheTtlSeconds: 30, revocationCacheTtlSeconds: 15 })).toBe(45);
    expect(worstCaseRevocationDelaySeconds(config.guard)).toBe(config.guard.authorizerCacheTtlSeconds + config.guard.revocationCacheTtlSeconds);
    expect(worstCaseRevocationDelaySeconds({ authorizerCacheTtlSeconds: 0, revocationCacheTtlSeconds: 0 })).toBe(0);
  });
});
