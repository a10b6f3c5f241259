import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { AuthorizationCommit, AuthorizationCommits, CommitOutcome, ConsentWrite } from '../../core/ports';
import { buildItem, numberValue, stringValue } from './attribute-values';
import { codeToItem } from './dynamodb-authorization-code-store';
import { consentToItem, loginSessionToItem, usedMarkerKey } from './dynamodb-session-store';
import { isConditionFailure, translateDynamoDbError } from './store-errors';
import { PARTITION_KEY } from './table-keys';
import type { DynamoDbCalls } from './dynamodb-calls';

type Put = NonNullable<TransactWriteItem['Put']>;

/**
 * The end of a browser authorization in one call: a single conditional PutItem when only
 * the single-use marker is written (deny), else one TransactWriteItems over the sessions
 * and codes tables. A transaction costs two write units per item instead of one: the price
 * of fewer round trips and of never having a code without its consent (docs/deploy.md).
 *
 * Two submissions of one consent form, or two callbacks with one state:
 *   A: put used#<id> if absent ✓ + session + consent + code -> the code
 *   B: put used#<id> if absent ✗ -> the whole transaction is cancelled -> "already used"
 * The condition is on the marker, so B writes nothing: no second code, no second session.
 */
export class DynamoDbAuthorizationCommits implements AuthorizationCommits {
  constructor(
    private readonly client: DynamoDbCalls,
    private readonly tableNames: { readonly sessions: string; readonly codes: string },
  ) {}

  async commit(commit: AuthorizationCommit): Promise<CommitOutcome> {
    const items: { readonly put: Put; readonly role: 'marker' | 'consent' | 'other' }[] = [];
    if (commit.singleUse) {
      items.push({
        role: 'marker',
        put: {
          TableName: this.tableNames.sessions,
          Item: buildItem({ [PARTITION_KEY]: stringValue(usedMarkerKey(commit.singleUse.pendingId)), expiresAt: numberValue(commit.singleUse.expiresAt) }),
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY },
        },
      });
    }
    if (commit.loginSession) items.push({ role: 'other', put: { TableName: this.tableNames.sessions, Item: loginSessionToItem(commit.loginSession) } });
    for (const consent of commit.consents ?? []) items.push({ role: 'consent', put: this.consentPut(consent) });
    if (commit.code) {
      items.push({
        role: 'other',
        // A put over an existing code would erase its redeemedAt and make it usable again.
        put: { TableName: this.tableNames.codes, Item: codeToItem(commit.code), ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PARTITION_KEY } },
      });
    }
    if (items.length === 0) return { kind: 'committed' };
    try {
      if (items.length === 1) await this.client.call('PutItem', items[0].put);
      else await this.client.call('TransactWriteItems', { TransactItems: items.map((item) => ({ Put: item.put })) });
      return { kind: 'committed' };
    } catch (error) {
      if (!isConditionFailure(error)) throw translateDynamoDbError(error);
      const failed = failedRoles(error, items.map((item) => item.role));
      if (failed.has('marker')) return { kind: 'already_used' };
      if (failed.has('consent')) return { kind: 'consent_changed' };
      throw translateDynamoDbError(error, 'authorization code already exists');
    }
  }

  /**
   * A consent is written over what the writer read. It saw a live earlier row: that row
   * must still be the one (grantedAt unchanged). It saw none: any row there must be one
   * that does not count (expired, or granted at or before a revocation of its user or client).
   */
  private consentPut(consent: ConsentWrite): Put {
    const base = { TableName: this.tableNames.sessions, Item: consentToItem(consent.record), ExpressionAttributeNames: { '#pk': PARTITION_KEY } };
    if (consent.replacesGrantedAt !== undefined) {
      return { ...base, ConditionExpression: 'attribute_exists(#pk) AND grantedAt = :seen', ExpressionAttributeValues: { ':seen': numberValue(consent.replacesGrantedAt) } };
    }
    return {
      ...base,
      ConditionExpression: 'attribute_not_exists(#pk) OR expiresAt <= :now OR grantedAt <= :revokedAt',
      ExpressionAttributeValues: { ':now': numberValue(consent.record.grantedAt), ':revokedAt': numberValue(consent.revokedAt) },
    };
  }
}

/** Which items' conditions failed: a PutItem's is its only item; a transaction names each in CancellationReasons, in order. */
function failedRoles<R extends string>(error: unknown, roles: readonly R[]): Set<R> {
  const reasons = (error as { CancellationReasons?: readonly { Code?: string }[] }).CancellationReasons;
  if (!reasons) return new Set(roles.slice(0, 1));
  return new Set(roles.filter((_role, i) => reasons[i]?.Code === 'ConditionalCheckFailed'));
}
