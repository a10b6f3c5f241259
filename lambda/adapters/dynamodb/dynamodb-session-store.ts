import {
  DeleteItemCommand,
  PutItemCommand,
  TransactWriteItemsCommand,
  type DynamoDBClient,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import type { ConsentRecord, LoginSessionRecord, PendingAuthorizationRecord, SessionDirectory, SessionStore } from '../../core/ports';
import {
  ItemReader,
  booleanValue,
  buildItem,
  numberValue,
  optionalValue,
  stringListValue,
  stringValue,
  withoutUndefined,
  type Item,
} from './attribute-values';
import { isConditionFailure, translateDynamoDbError } from './store-errors';
import { batchGetByKeys, deleteByKey, getByKey, keyOf, putItem, queryIndexKeys } from './table-operations';
import { PARTITION_KEY, SESSIONS_BY_CLIENT_ATTRIBUTE, SESSIONS_BY_CLIENT_INDEX, SESSIONS_BY_SUBJECT_INDEX } from './tables';

/**
 * Browser-side state in one table, told apart by the prefix of `pk`:
 *   pending#<id>                  an /authorize request waiting for consent and login
 *   upstream-state#<stateHash>    points at the pending request that sent that state upstream
 *   login#<sessionHash>           a login session
 *   consent#<subject>#<clientId>#<resource>   (each part URI-encoded, so no part can forge a #)
 * All reads by key are strongly consistent: the browser comes back within seconds of each
 * write. The operator's listings go through the bySubject and byClient indexes (tables.ts).
 */
export class DynamoDbSessionStore implements SessionStore, SessionDirectory {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async putPendingAuthorization(record: PendingAuthorizationRecord): Promise<void> {
    await this.writePending(record, false);
  }

  async getPendingAuthorization(id: string): Promise<PendingAuthorizationRecord | undefined> {
    const item = await getByKey(this.client, this.tableName, pendingKey(id), 'consistent');
    return item ? pendingFromItem(item) : undefined;
  }

  /**
   * Only updates a request that still exists: the consent form deletes it (single use), and
   * a late update must not bring it back. Throws ConditionFailedError when it is gone.
   */
  async updatePendingAuthorization(record: PendingAuthorizationRecord): Promise<void> {
    await this.writePending(record, true);
  }

  async takePendingAuthorizationByUpstreamState(upstreamStateHash: string): Promise<PendingAuthorizationRecord | undefined> {
    // Two callbacks carrying the same state (a double-submitted redirect, or a replay):
    //   A: delete pointer if it exists ✓ -> delete pending ✓ -> continues the login
    //   B: delete pointer if it exists ✗ (A deleted it)      -> undefined -> 400
    // A read of the pending request followed by a delete would let both read it first; the
    // conditional delete of the pointer is the one atomic step that only one caller passes.
    let pointer: Item | undefined;
    try {
      const deleted = await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyOf(upstreamStatePointerKey(upstreamStateHash)),
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY },
          ReturnValues: 'ALL_OLD',
        }),
      );
      pointer = deleted.Attributes;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw translateDynamoDbError(error);
    }
    if (!pointer) return undefined;
    const pendingId = new ItemReader(pointer, 'upstream state pointer').string('pendingId');
    try {
      // Only the pointer's winner gets here. The pending request must still carry this
      // state: if it was sent upstream again since, its new state is the only valid one.
      const deleted = await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyOf(pendingKey(pendingId)),
          ConditionExpression: 'upstreamStateHash = :stateHash',
          ExpressionAttributeValues: { ':stateHash': stringValue(upstreamStateHash) },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return deleted.Attributes ? pendingFromItem(deleted.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw translateDynamoDbError(error);
    }
  }

  async deletePendingAuthorization(id: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: keyOf(pendingKey(id)),
          // Two posts of one consent form: the delete succeeds once, the second is refused.
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY },
        }),
      );
    } catch (error) {
      throw translateDynamoDbError(error, 'pending authorization already used');
    }
  }

  async putLoginSession(record: LoginSessionRecord): Promise<void> {
    await putItem(
      this.client,
      this.tableName,
      buildItem({
        [PARTITION_KEY]: stringValue(loginKey(record.sessionHash)),
        sessionHash: stringValue(record.sessionHash),
        subject: stringValue(record.subject),
        groups: stringListValue(record.groups),
        authTime: numberValue(record.authTime),
        accountName: optionalValue(record.accountName, stringValue),
        expiresAt: numberValue(record.expiresAt),
      }),
    );
  }

  async getLoginSession(sessionHash: string): Promise<LoginSessionRecord | undefined> {
    const item = await getByKey(this.client, this.tableName, loginKey(sessionHash), 'consistent');
    return item ? loginSessionFromItem(item) : undefined;
  }

  async listLoginSessions(subject: string): Promise<readonly LoginSessionRecord[]> {
    const keys = await queryIndexKeys(this.client, this.tableName, { indexName: SESSIONS_BY_SUBJECT_INDEX, attribute: 'subject', value: subject, pkPrefix: LOGIN_PREFIX });
    // An item deleted between the index read and this one is simply not returned.
    const items = await batchGetByKeys(this.client, this.tableName, keys);
    return items.map(loginSessionFromItem).sort((a, b) => a.authTime - b.authTime || a.sessionHash.localeCompare(b.sessionHash));
  }

  async deleteLoginSession(sessionHash: string): Promise<void> {
    await deleteByKey(this.client, this.tableName, loginKey(sessionHash));
  }

  async putConsent(record: ConsentRecord): Promise<void> {
    await putItem(
      this.client,
      this.tableName,
      buildItem({
        [PARTITION_KEY]: stringValue(consentKey(record.subject, record.clientId, record.resource)),
        subject: stringValue(record.subject),
        clientId: stringValue(record.clientId),
        [SESSIONS_BY_CLIENT_ATTRIBUTE]: stringValue(record.clientId),
        resource: stringValue(record.resource),
        scope: stringListValue(record.scope),
        grantedAt: numberValue(record.grantedAt),
        expiresAt: numberValue(record.expiresAt),
      }),
    );
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

  private async writePending(record: PendingAuthorizationRecord, mustExist: boolean): Promise<void> {
    const pendingPut: TransactWriteItem['Put'] = {
      TableName: this.tableName,
      Item: pendingToItem(record),
      ...(mustExist && { ConditionExpression: 'attribute_exists(#pk)', ExpressionAttributeNames: { '#pk': PARTITION_KEY } }),
    };
    try {
      if (record.upstreamStateHash === undefined) {
        await this.client.send(new PutItemCommand(pendingPut));
        return;
      }
      // The request and its pointer appear together or not at all, so a callback can never
      // find a pointer whose request was not written. An older pointer of the same request
      // stays behind until TTL; the take refuses it because the request's state moved on.
      const pointerPut: TransactWriteItem['Put'] = {
        TableName: this.tableName,
        Item: buildItem({
          [PARTITION_KEY]: stringValue(upstreamStatePointerKey(record.upstreamStateHash)),
          pendingId: stringValue(record.id),
          expiresAt: numberValue(record.expiresAt),
        }),
      };
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: pendingPut }, { Put: pointerPut }] }));
    } catch (error) {
      throw translateDynamoDbError(error, 'pending authorization is gone');
    }
  }
}

function pendingKey(id: string): string {
  return `pending#${id}`;
}

function upstreamStatePointerKey(upstreamStateHash: string): string {
  return `upstream-state#${upstreamStateHash}`;
}

const LOGIN_PREFIX = 'login#';
const CONSENT_PREFIX = 'consent#';

function loginKey(sessionHash: string): string {
  return `${LOGIN_PREFIX}${sessionHash}`;
}

function consentKey(subject: string, clientId: string, resource: string): string {
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

function pendingToItem(record: PendingAuthorizationRecord): Item {
  return buildItem({
    [PARTITION_KEY]: stringValue(pendingKey(record.id)),
    id: stringValue(record.id),
    clientId: stringValue(record.clientId),
    redirectUri: stringValue(record.redirectUri),
    redirectUriWasSent: booleanValue(record.redirectUriWasSent),
    state: optionalValue(record.state, stringValue),
    codeChallenge: stringValue(record.codeChallenge),
    resources: stringListValue(record.resources),
    requestedScope: stringListValue(record.requestedScope),
    csrfTokenHash: stringValue(record.csrfTokenHash),
    consentedAt: optionalValue(record.consentedAt, numberValue),
    upstreamStateHash: optionalValue(record.upstreamStateHash, stringValue),
    upstreamNonce: optionalValue(record.upstreamNonce, stringValue),
    upstreamCodeVerifier: optionalValue(record.upstreamCodeVerifier, stringValue),
    upstreamFreshSignIn: optionalValue(record.upstreamFreshSignIn, booleanValue),
    createdAt: numberValue(record.createdAt),
    expiresAt: numberValue(record.expiresAt),
  });
}

function pendingFromItem(item: Item): PendingAuthorizationRecord {
  const read = new ItemReader(item, 'pending authorization');
  return withoutUndefined<PendingAuthorizationRecord>({
    id: read.string('id'),
    clientId: read.string('clientId'),
    redirectUri: read.string('redirectUri'),
    redirectUriWasSent: read.boolean('redirectUriWasSent'),
    state: read.optionalString('state'),
    codeChallenge: read.string('codeChallenge'),
    resources: read.stringList('resources'),
    requestedScope: read.stringList('requestedScope'),
    csrfTokenHash: read.string('csrfTokenHash'),
    consentedAt: read.optionalNumber('consentedAt'),
    upstreamStateHash: read.optionalString('upstreamStateHash'),
    upstreamNonce: read.optionalString('upstreamNonce'),
    upstreamCodeVerifier: read.optionalString('upstreamCodeVerifier'),
    upstreamFreshSignIn: read.optionalBoolean('upstreamFreshSignIn'),
    createdAt: read.number('createdAt'),
    expiresAt: read.number('expiresAt'),
  });
}
