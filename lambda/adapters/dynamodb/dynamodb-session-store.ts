import type { ConsentRecord, LoginSessionRecord, SessionDirectory, SessionStore } from '../../core/ports';
import {
  ItemReader,
  buildItem,
  numberValue,
  optionalValue,
  stringListValue,
  stringValue,
  withoutUndefined,
  type Item,
} from './attribute-values';
import { batchGetByKeys, deleteByKey, getByKey, queryIndexKeys } from './table-operations';
import { PARTITION_KEY, SESSIONS_BY_CLIENT_ATTRIBUTE, SESSIONS_BY_CLIENT_INDEX, SESSIONS_BY_SUBJECT_INDEX } from './table-keys';
import type { DynamoDbCalls } from './dynamodb-calls';

/**
 * Browser-side state in one table, told apart by the prefix of `pk`:
 *   used#<pendingId>              a pending authorization (sealed in its cookie) was answered
 *   login#<sessionHash>           a login session's listing (its sealed cookie is the session)
 *   consent#<subject>#<clientId>#<resource>   (each part URI-encoded, so no part can forge a #)
 * They are written by DynamoDbAuthorizationCommits, together with the code. All reads by
 * key are strongly consistent: the browser comes back within seconds of each write. The
 * operator's listings go through the bySubject and byClient indexes (tables.ts).
 */
export class DynamoDbSessionStore implements SessionStore, SessionDirectory {
  constructor(
    private readonly client: DynamoDbCalls,
    private readonly tableName: string,
  ) {}

  async listLoginSessions(subject: string): Promise<readonly LoginSessionRecord[]> {
    const keys = await queryIndexKeys(this.client, this.tableName, { indexName: SESSIONS_BY_SUBJECT_INDEX, attribute: 'subject', value: subject, pkPrefix: LOGIN_PREFIX });
    // An item deleted between the index read and this one is simply not returned.
    const items = await batchGetByKeys(this.client, this.tableName, keys);
    return items.map(loginSessionFromItem).sort((a, b) => a.authTime - b.authTime || a.sessionHash.localeCompare(b.sessionHash));
  }

  async deleteLoginSession(sessionHash: string): Promise<void> {
    await deleteByKey(this.client, this.tableName, loginKey(sessionHash));
  }

  async getConsent(subject: string, clientId: string, resource: string): Promise<ConsentRecord | undefined> {
    const item = await getByKey(this.client, this.tableName, consentKey(subject, clientId, resource), 'consistent');
    return item ? consentFromItem(item) : undefined;
  }

  async listConsents(owner: { readonly subject: string } | { readonly clientId: string }): Promise<readonly ConsentRecord[]> {
    const index =
      'subject' in owner
        ? { indexName: SESSIONS_BY_SUBJECT_INDEX, attribute: 'subject', value: owner.subject }
        : { indexName: SESSIONS_BY_CLIENT_INDEX, attribute: SESSIONS_BY_CLIENT_ATTRIBUTE, value: owner.clientId };
    const keys = await queryIndexKeys(this.client, this.tableName, { ...index, pkPrefix: CONSENT_PREFIX });
    const items = await batchGetByKeys(this.client, this.tableName, keys);
    return items
      .map(consentFromItem)
      .sort((a, b) => a.subject.localeCompare(b.subject) || a.clientId.localeCompare(b.clientId) || a.resource.localeCompare(b.resource));
  }

  async deleteConsent(consent: Pick<ConsentRecord, 'subject' | 'clientId' | 'resource'>): Promise<void> {
    await deleteByKey(this.client, this.tableName, consentKey(consent.subject, consent.clientId, consent.resource));
  }
}

/** The single-use marker of a pending authorization: written once, by whatever answers it. */
export function usedMarkerKey(pendingId: string): string {
  return `used#${pendingId}`;
}

const LOGIN_PREFIX = 'login#';
const CONSENT_PREFIX = 'consent#';

export function loginKey(sessionHash: string): string {
  return `${LOGIN_PREFIX}${sessionHash}`;
}

export function consentKey(subject: string, clientId: string, resource: string): string {
  return `${CONSENT_PREFIX}${encodeURIComponent(subject)}#${encodeURIComponent(clientId)}#${encodeURIComponent(resource)}`;
}

function loginSessionFromItem(item: Item): LoginSessionRecord {
  const read = new ItemReader(item, 'login session');
  return withoutUndefined<LoginSessionRecord>({
    sessionHash: read.string('sessionHash'),
    subject: read.string('subject'),
    groups: read.stringList('groups'),
    authTime: read.number('authTime'),
    accountName: read.optionalString('accountName'),
    expiresAt: read.number('expiresAt'),
  });
}

function consentFromItem(item: Item): ConsentRecord {
  const read = new ItemReader(item, 'consent');
  return {
    subject: read.string('subject'),
    clientId: read.string('clientId'),
    resource: read.string('resource'),
    scope: read.stringList('scope'),
    grantedAt: read.number('grantedAt'),
    expiresAt: read.number('expiresAt'),
  };
}

export function loginSessionToItem(record: LoginSessionRecord): Item {
  return buildItem({
    [PARTITION_KEY]: stringValue(loginKey(record.sessionHash)),
    sessionHash: stringValue(record.sessionHash),
    subject: stringValue(record.subject),
    groups: stringListValue(record.groups),
    authTime: numberValue(record.authTime),
    accountName: optionalValue(record.accountName, stringValue),
    expiresAt: numberValue(record.expiresAt),
  });
}

export function consentToItem(record: ConsentRecord): Item {
  return buildItem({
    [PARTITION_KEY]: stringValue(consentKey(record.subject, record.clientId, record.resource)),
    subject: stringValue(record.subject),
    clientId: stringValue(record.clientId),
    [SESSIONS_BY_CLIENT_ATTRIBUTE]: stringValue(record.clientId),
    resource: stringValue(record.resource),
    scope: stringListValue(record.scope),
    grantedAt: numberValue(record.grantedAt),
    expiresAt: numberValue(record.expiresAt),
  });
}
