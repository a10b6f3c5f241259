import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ConditionFailedError } from '../../lambda/core/errors';
import type { AuthorizationCodeRecord, ConsentRecord, LoginSessionRecord } from '../../lambda/core/ports';
import { consentToItem, loginSessionToItem } from '../../lambda/adapters/dynamodb/dynamodb-session-store';
import { useDynamoDbTables } from '../support/dynamodb';

const tables = useDynamoDbTables('sessions');

/** Test setup: rows as earlier authorizations left them (the commit writes them in production). */
async function putLoginSession(record: LoginSessionRecord): Promise<void> {
  await tables().client.send(new PutItemCommand({ TableName: tables().names.sessions, Item: loginSessionToItem(record) }));
}
async function putConsent(record: ConsentRecord): Promise<void> {
  await tables().client.send(new PutItemCommand({ TableName: tables().names.sessions, Item: consentToItem(record) }));
}

let counter = 0;
function code(overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord {
  counter++;
  return {
    codeHash: `commit-code-${counter}`,
    clientId: 'client-1',
    redirectUri: 'https://c1.example/cb',
    redirectUriWasSent: true,
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    resources: ['http://localhost:8788/mcp'],
    scope: ['tool:read'],
    subject: 'commit-alice',
    authTime: 1_767_268_000,
    issuedAt: 1_767_268_800,
    expiresAt: 1_767_268_860,
    ...overrides,
  };
}

const NOW = 1_767_268_800;
const consentRecord = (overrides: Partial<ConsentRecord> = {}): ConsentRecord => ({
  subject: 'commit-alice',
  clientId: 'client-1',
  resource: 'http://localhost:8788/mcp',
  scope: ['tool:read'],
  grantedAt: NOW,
  expiresAt: NOW + 86_400,
  ...overrides,
});
const loginRecord = (sessionHash: string): LoginSessionRecord => ({ sessionHash, subject: 'commit-alice', groups: ['mcp-users'], authTime: NOW - 10, expiresAt: NOW + 28_800 });

describe('DynamoDbAuthorizationCommits: the end of a browser authorization in one write', () => {
  it('writes marker, session listing, consent and code together in one TransactWriteItems', async () => {
    const stored = code();
    const consent = consentRecord({ clientId: 'commit-client-1' });
    const outcome = await tables().stores.commits.commit({ singleUse: { pendingId: 'p-1', expiresAt: NOW + 600 }, loginSession: loginRecord('commit-s1'), consents: [{ record: consent, revokedAt: 0 }], code: stored });
    expect(outcome).toEqual({ kind: 'committed' });
    expect(await tables().stores.codes.get(stored.codeHash)).toStrictEqual(stored);
    expect(await tables().stores.sessions.getConsent(consent.subject, consent.clientId, consent.resource)).toStrictEqual(consent);
    const marker = await tables().client.send(new GetItemCommand({ TableName: tables().names.sessions, Key: { pk: { S: 'used#p-1' } }, ConsistentRead: true }));
    expect(marker.Item).toEqual({ pk: { S: 'used#p-1' }, expiresAt: { N: String(NOW + 600) } });
    const login = await tables().client.send(new GetItemCommand({ TableName: tables().names.sessions, Key: { pk: { S: 'login#commit-s1' } }, ConsistentRead: true }));
    expect(login.Item?.subject).toEqual({ S: 'commit-alice' });
  });

  it('ten commits racing on one marker: exactly one is written, the others are already_used and wrote nothing', async () => {
    const codes = Array.from({ length: 10 }, () => code());
    const outcomes = await Promise.all(codes.map((record, i) => tables().stores.commits.commit({ singleUse: { pendingId: 'p-race', expiresAt: NOW + 600 }, loginSession: loginRecord(`race-${i}`), code: record })));
    expect(outcomes.filter((outcome) => outcome.kind === 'committed')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'already_used')).toHaveLength(9);
    const stored = await Promise.all(codes.map((record) => tables().stores.codes.get(record.codeHash)));
    expect(stored.filter((record) => record !== undefined)).toHaveLength(1);
  });

  it('a marker alone (deny) is one conditional put, single use too', async () => {
    expect(await tables().stores.commits.commit({ singleUse: { pendingId: 'p-deny', expiresAt: NOW + 600 } })).toEqual({ kind: 'committed' });
    expect(await tables().stores.commits.commit({ singleUse: { pendingId: 'p-deny', expiresAt: NOW + 600 } })).toEqual({ kind: 'already_used' });
  });

  it('a consent row the writer did not expect (a live one) -> consent_changed, and neither marker nor code is written', async () => {
    const earlier = consentRecord({ clientId: 'commit-client-2', scope: ['tool:execute'], grantedAt: NOW - 100 });
    await putConsent(earlier);
    const stored = code();
    const outcome = await tables().stores.commits.commit({ singleUse: { pendingId: 'p-2', expiresAt: NOW + 600 }, consents: [{ record: consentRecord({ clientId: 'commit-client-2' }), revokedAt: 0 }], code: stored });
    expect(outcome).toEqual({ kind: 'consent_changed' });
    expect(await tables().stores.codes.get(stored.codeHash)).toBeUndefined();
    expect(await tables().stores.sessions.getConsent(earlier.subject, earlier.clientId, earlier.resource)).toStrictEqual(earlier);
    // Merged over what was read, it goes through: the marker was never taken.
    const merged = consentRecord({ clientId: 'commit-client-2', scope: ['tool:execute', 'tool:read'] });
    expect(await tables().stores.commits.commit({ singleUse: { pendingId: 'p-2', expiresAt: NOW + 600 }, consents: [{ record: merged, revokedAt: 0, replacesGrantedAt: earlier.grantedAt }], code: stored })).toEqual({ kind: 'committed' });
    expect(await tables().stores.sessions.getConsent(earlier.subject, earlier.clientId, earlier.resource)).toStrictEqual(merged);
  });

  it('an earlier row that does not count (expired, or granted at or before a revocation) is overwritten without a read', async () => {
    await putConsent(consentRecord({ clientId: 'commit-client-3', grantedAt: NOW - 1000, expiresAt: NOW }));
    await putConsent(consentRecord({ clientId: 'commit-client-4', grantedAt: NOW - 1000 }));
    expect(await tables().stores.commits.commit({ consents: [{ record: consentRecord({ clientId: 'commit-client-3' }), revokedAt: 0 }], code: code() })).toEqual({ kind: 'committed' });
    expect(await tables().stores.commits.commit({ consents: [{ record: consentRecord({ clientId: 'commit-client-4' }), revokedAt: NOW - 1000 }], code: code() })).toEqual({ kind: 'committed' });
  });

  it('a code hash that exists already is never overwritten (a redeemed code must stay redeemed)', async () => {
    const stored = code();
    await tables().stores.codes.put(stored);
    await expect(tables().stores.commits.commit({ singleUse: { pendingId: 'p-3', expiresAt: NOW + 600 }, code: { ...stored, scope: ['admin'] } })).rejects.toThrow(ConditionFailedError);
    expect(await tables().stores.codes.get(stored.codeHash)).toStrictEqual(stored);
  });
});

describe('DynamoDbSessionStore: login session listings', () => {
  it('deletes, and deleting again is harmless', async () => {
    await putLoginSession(loginRecord('session-hash-3'));
    await tables().stores.sessions.deleteLoginSession('session-hash-3');
    await tables().stores.sessions.deleteLoginSession('session-hash-3');
    expect(await tables().stores.sessions.listLoginSessions('commit-alice')).not.toContainEqual(expect.objectContaining({ sessionHash: 'session-hash-3' }));
  });
});

describe('DynamoDbSessionStore: consents', () => {
  const consent: ConsentRecord = {
    subject: 'alice-sub',
    clientId: 'https://client.example/metadata.json',
    resource: 'http://localhost:8788/mcp',
    scope: ['tool:read', 'tool:execute'],
    grantedAt: 1_767_268_800,
    expiresAt: 1_798_804_800,
  };

  it('round-trips by subject, client and resource', async () => {
    await putConsent(consent);
    expect(await tables().stores.sessions.getConsent(consent.subject, consent.clientId, consent.resource)).toStrictEqual(consent);
  });

  it('a later consent replaces the earlier one', async () => {
    const narrower = { ...consent, scope: ['tool:read'], grantedAt: 1_767_269_000 };
    await putConsent(narrower);
    expect(await tables().stores.sessions.getConsent(consent.subject, consent.clientId, consent.resource)).toStrictEqual(narrower);
  });

  it('is bound to all three parts, even when a part contains the separator', async () => {
    await putConsent({ ...consent, subject: 'a#b', clientId: 'c' });
    expect(await tables().stores.sessions.getConsent('a', 'b#c', consent.resource)).toBeUndefined();
    expect(await tables().stores.sessions.getConsent('a#b', 'c', consent.resource)).toBeDefined();
    expect(await tables().stores.sessions.getConsent(consent.subject, 'another-client', consent.resource)).toBeUndefined();
    expect(await tables().stores.sessions.getConsent(consent.subject, consent.clientId, 'https://other.example/mcp')).toBeUndefined();
  });
});

describe('DynamoDbSessionStore: the operator’s listings (bySubject and byClient indexes)', () => {
  const login = (sessionHash: string, subject: string, authTime: number): LoginSessionRecord => ({ sessionHash, subject, groups: ['mcp-users'], authTime, expiresAt: authTime + 28_800 });
  const consentOf = (subject: string, clientId: string, resource = 'http://localhost:8788/mcp'): ConsentRecord => ({
    subject,
    clientId,
    resource,
    scope: ['tool:read'],
    grantedAt: 1_767_268_800,
    expiresAt: 1_798_804_800,
  });

  it('lists a user’s login sessions, oldest first, and nothing of another user or of other kinds', async () => {
    const later = login('list-later', 'list-erin', 2_000);
    const earlier = login('list-earlier', 'list-erin', 1_000);
    for (const record of [later, earlier, login('list-other', 'list-frank', 1_500)]) await putLoginSession(record);
    await putConsent(consentOf('list-erin', 'client-a'));
    await tables().stores.commits.commit({ singleUse: { pendingId: 'list-erin', expiresAt: NOW } });
    expect(await tables().stores.sessions.listLoginSessions('list-erin')).toStrictEqual([earlier, later]);
    expect(await tables().stores.sessions.listLoginSessions('list-nobody')).toEqual([]);
  });

  it('lists consents by user and by client, never a pending request of that client', async () => {
    const a = consentOf('list-gina', 'list-client-1');
    const b = consentOf('list-gina', 'list-client-2');
    const c = consentOf('list-hal', 'list-client-1', 'https://other.example/mcp');
    for (const record of [a, b, c]) await putConsent(record);
    await tables().stores.commits.commit({ singleUse: { pendingId: 'list-client-1', expiresAt: NOW } });
    await putLoginSession(login('list-gina-login', 'list-gina', 1_000));
    expect(await tables().stores.sessions.listConsents({ subject: 'list-gina' })).toStrictEqual([a, b]);
    expect(await tables().stores.sessions.listConsents({ clientId: 'list-client-1' })).toStrictEqual([a, c]);
    expect(await tables().stores.sessions.listConsents({ clientId: 'list-client-none' })).toEqual([]);
  });

  it('deletes a consent by its three parts, and only that one', async () => {
    const kept = consentOf('list-ivy', 'list-client-3', 'https://kept.example/mcp');
    const gone = consentOf('list-ivy', 'list-client-3');
    for (const record of [kept, gone]) await putConsent(record);
    await tables().stores.sessions.deleteConsent(gone);
    await tables().stores.sessions.deleteConsent(gone);
    expect(await tables().stores.sessions.getConsent(gone.subject, gone.clientId, gone.resource)).toBeUndefined();
    expect(await tables().stores.sessions.listConsents({ subject: 'list-ivy' })).toStrictEqual([kept]);
  });
});
