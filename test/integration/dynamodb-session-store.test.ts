import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ConditionFailedError } from '../../lambda/core/errors';
import type { ConsentRecord, LoginSessionRecord, PendingAuthorizationRecord } from '../../lambda/core/ports';
import { useDynamoDbTables } from '../support/dynamodb';

const tables = useDynamoDbTables('sessions');

let counter = 0;
function pending(overrides: Partial<PendingAuthorizationRecord> = {}): PendingAuthorizationRecord {
  counter++;
  return {
    id: `pending-${counter}`,
    clientId: 'client-1',
    redirectUri: 'https://c1.example/cb',
    redirectUriWasSent: true,
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    resources: ['http://localhost:8788/mcp'],
    requestedScope: ['tool:read'],
    csrfTokenHash: `csrf-hash-${counter}`,
    createdAt: 1_767_268_800,
    expiresAt: 1_767_269_400,
    ...overrides,
  };
}

function sentUpstream(record: PendingAuthorizationRecord, tag: string): PendingAuthorizationRecord {
  return { ...record, consentedAt: 1_767_268_850, upstreamStateHash: `state-hash-${tag}`, upstreamNonce: `nonce-${tag}`, upstreamCodeVerifier: `verifier-${tag}` };
}

describe('DynamoDbSessionStore: pending authorizations', () => {
  it('round-trips a pending request without the optional fields', async () => {
    const stored = pending({ redirectUriWasSent: false });
    await tables().stores.sessions.putPendingAuthorization(stored);
    expect(await tables().stores.sessions.getPendingAuthorization(stored.id)).toStrictEqual(stored);
  });

  it('round-trips a pending request with every optional field, even past expiresAt', async () => {
    const stored = sentUpstream(pending({ state: 'client-state', expiresAt: 5 }), 'full');
    await tables().stores.sessions.putPendingAuthorization(stored);
    expect(await tables().stores.sessions.getPendingAuthorization(stored.id)).toStrictEqual(stored);
  });

  it('returns undefined for an unknown id', async () => {
    expect(await tables().stores.sessions.getPendingAuthorization('nope')).toBeUndefined();
  });

  it('updates a pending request that exists', async () => {
    const stored = pending();
    await tables().stores.sessions.putPendingAuthorization(stored);
    const updated = sentUpstream(stored, 'update');
    await tables().stores.sessions.updatePendingAuthorization(updated);
    expect(await tables().stores.sessions.getPendingAuthorization(stored.id)).toStrictEqual(updated);
  });

  it('refuses to update a pending request that was used, and does not bring it back', async () => {
    const stored = pending();
    await tables().stores.sessions.putPendingAuthorization(stored);
    await tables().stores.sessions.deletePendingAuthorization(stored.id);
    await expect(tables().stores.sessions.updatePendingAuthorization({ ...stored, consentedAt: 1 })).rejects.toThrow(ConditionFailedError);
    await expect(tables().stores.sessions.updatePendingAuthorization(sentUpstream(stored, 'gone'))).rejects.toThrow(ConditionFailedError);
    expect(await tables().stores.sessions.getPendingAuthorization(stored.id)).toBeUndefined();
    expect(await tables().stores.sessions.takePendingAuthorizationByUpstreamState('state-hash-gone')).toBeUndefined();
  });

  it('deletes once: the second delete of a consent form is refused', async () => {
    const stored = pending();
    await tables().stores.sessions.putPendingAuthorization(stored);
    await tables().stores.sessions.deletePendingAuthorization(stored.id);
    await expect(tables().stores.sessions.deletePendingAuthorization(stored.id)).rejects.toThrow(ConditionFailedError);
  });

  it('takes a pending request by its upstream state once, and deletes it', async () => {
    const stored = sentUpstream(pending(), 'take');
    await tables().stores.sessions.putPendingAuthorization(stored);
    expect(await tables().stores.sessions.takePendingAuthorizationByUpstreamState('state-hash-take')).toStrictEqual(stored);
    expect(await tables().stores.sessions.getPendingAuthorization(stored.id)).toBeUndefined();
    expect(await tables().stores.sessions.takePendingAuthorizationByUpstreamState('state-hash-take')).toBeUndefined();
  });

  it('finds a state set by an update, not only by the first put', async () => {
    const stored = pending();
    await tables().stores.sessions.putPendingAuthorization(stored);
    const updated = sentUpstream(stored, 'via-update');
    await tables().stores.sessions.updatePendingAuthorization(updated);
    expect(await tables().stores.sessions.takePendingAuthorizationByUpstreamState('state-hash-via-update')).toStrictEqual(updated);
  });

  it('returns undefined for an unknown state', async () => {
    expect(await tables().stores.sessions.takePendingAuthorizationByUpstreamState('state-hash-never')).toBeUndefined();
  });

  it('refuses a superseded state and keeps the request for its current one', async () => {
    const stored = pending();
    await tables().stores.sessions.putPendingAuthorization(sentUpstream(stored, 'first'));
    const resent = sentUpstream(stored, 'second');
    await tables().stores.sessions.updatePendingAuthorization(resent);
    expect(await tables().stores.sessions.takePendingAuthorizationByUpstreamState('state-hash-first')).toBeUndefined();
    expect(await tables().stores.sessions.getPendingAuthorization(stored.id)).toStrictEqual(resent);
    expect(await tables().stores.sessions.takePendingAuthorizationByUpstreamState('state-hash-second')).toStrictEqual(resent);
  });

  it('gives nothing for the state of a request whose consent form was already used', async () => {
    const stored = sentUpstream(pending(), 'consumed');
    await tables().stores.sessions.putPendingAuthorization(stored);
    await tables().stores.sessions.deletePendingAuthorization(stored.id);
    expect(await tables().stores.sessions.takePendingAuthorizationByUpstreamState('state-hash-consumed')).toBeUndefined();
  });

  it('hands the request to exactly one of 10 concurrent takes', async () => {
    const stored = sentUpstream(pending(), 'race');
    await tables().stores.sessions.putPendingAuthorization(stored);
    const results = await Promise.all(Array.from({ length: 10 }, () => tables().stores.sessions.takePendingAuthorizationByUpstreamState('state-hash-race')));
    const taken = results.filter((result) => result !== undefined);
    expect(taken).toStrictEqual([stored]);
    expect(await tables().stores.sessions.getPendingAuthorization(stored.id)).toBeUndefined();
  });

  it('gives each concurrent delete of one consent form a single winner', async () => {
    const stored = pending();
    await tables().stores.sessions.putPendingAuthorization(stored);
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => tables().stores.sessions.deletePendingAuthorization(stored.id)));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(ConditionFailedError);
  });
});

describe('DynamoDbSessionStore: login sessions', () => {
  const session: LoginSessionRecord = { sessionHash: 'session-hash-1', subject: 'alice-sub', groups: ['mcp-users', 'mcp-admins'], authTime: 1_767_268_000, expiresAt: 1_767_311_200 };

  it('round-trips, including an empty group list', async () => {
    await tables().stores.sessions.putLoginSession(session);
    expect(await tables().stores.sessions.getLoginSession(session.sessionHash)).toStrictEqual(session);
    const noGroups = { ...session, sessionHash: 'session-hash-2', groups: [] };
    await tables().stores.sessions.putLoginSession(noGroups);
    expect(await tables().stores.sessions.getLoginSession('session-hash-2')).toStrictEqual(noGroups);
  });

  it('deletes, and deleting again is harmless', async () => {
    await tables().stores.sessions.putLoginSession({ ...session, sessionHash: 'session-hash-3' });
    await tables().stores.sessions.deleteLoginSession('session-hash-3');
    await tables().stores.sessions.deleteLoginSession('session-hash-3');
    expect(await tables().stores.sessions.getLoginSession('session-hash-3')).toBeUndefined();
  });

  it('never answers a login lookup with a pending request of the same id', async () => {
    await tables().stores.sessions.putPendingAuthorization(pending({ id: 'same-id' }));
    expect(await tables().stores.sessions.getLoginSession('same-id')).toBeUndefined();
  });

  it('stores a numeric expiresAt for TTL on every kind of item', async () => {
    await tables().stores.sessions.putPendingAuthorization(sentUpstream(pending({ id: 'ttl-pending', expiresAt: 42 }), 'ttl'));
    for (const pk of ['pending#ttl-pending', 'upstream-state#state-hash-ttl']) {
      const { Item } = await tables().client.send(new GetItemCommand({ TableName: tables().names.sessions, Key: { pk: { S: pk } } }));
      expect(Item?.expiresAt).toEqual({ N: '42' });
    }
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
    await tables().stores.sessions.putConsent(consent);
    expect(await tables().stores.sessions.getConsent(consent.subject, consent.clientId, consent.resource)).toStrictEqual(consent);
  });

  it('a later consent replaces the earlier one', async () => {
    const narrower = { ...consent, scope: ['tool:read'], grantedAt: 1_767_269_000 };
    await tables().stores.sessions.putConsent(narrower);
    expect(await tables().stores.sessions.getConsent(consent.subject, consent.clientId, consent.resource)).toStrictEqual(narrower);
  });

  it('is bound to all three parts, even when a part contains the separator', async () => {
    await tables().stores.sessions.putConsent({ ...consent, subject: 'a#b', clientId: 'c' });
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
    for (const record of [later, earlier, login('list-other', 'list-frank', 1_500)]) await tables().stores.sessions.putLoginSession(record);
    await tables().stores.sessions.putConsent(consentOf('list-erin', 'client-a'));
    await tables().stores.sessions.putPendingAuthorization(pending({ clientId: 'list-erin' }));
    expect(await tables().stores.sessions.listLoginSessions('list-erin')).toStrictEqual([earlier, later]);
    expect(await tables().stores.sessions.listLoginSessions('list-nobody')).toEqual([]);
  });

  it('lists consents by user and by client, never a pending request of that client', async () => {
    const a = consentOf('list-gina', 'list-client-1');
    const b = consentOf('list-gina', 'list-client-2');
    const c = consentOf('list-hal', 'list-client-1', 'https://other.example/mcp');
    for (const record of [a, b, c]) await tables().stores.sessions.putConsent(record);
    await tables().stores.sessions.putPendingAuthorization(pending({ clientId: 'list-client-1' }));
    await tables().stores.sessions.putLoginSession(login('list-gina-login', 'list-gina', 1_000));
    expect(await tables().stores.sessions.listConsents({ subject: 'list-gina' })).toStrictEqual([a, b]);
    expect(await tables().stores.sessions.listConsents({ clientId: 'list-client-1' })).toStrictEqual([a, c]);
    expect(await tables().stores.sessions.listConsents({ clientId: 'list-client-none' })).toEqual([]);
  });

  it('deletes a consent by its three parts, and only that one', async () => {
    const kept = consentOf('list-ivy', 'list-client-3', 'https://kept.example/mcp');
    const gone = consentOf('list-ivy', 'list-client-3');
    for (const record of [kept, gone]) await tables().stores.sessions.putConsent(record);
    await tables().stores.sessions.deleteConsent(gone);
    await tables().stores.sessions.deleteConsent(gone);
    expect(await tables().stores.sessions.getConsent(gone.subject, gone.clientId, gone.resource)).toBeUndefined();
    expect(await tables().stores.sessions.listConsents({ subject: 'list-ivy' })).toStrictEqual([kept]);
  });
});
