import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { AuthorizationCodeRecord, AuthorizationCodeStore } from '../../core/ports';
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
import { getByKey, keyOf, putIfAbsent } from './table-operations';
import { PARTITION_KEY } from './table-keys';
import type { DynamoDbCalls } from './dynamodb-calls';

/** Authorization codes, stored by hash only. Redemption is single use by a conditional write (codeRedemptionUpdate). */
export class DynamoDbAuthorizationCodeStore implements AuthorizationCodeStore {
  constructor(
    private readonly client: DynamoDbCalls,
    private readonly tableName: string,
  ) {}

  async put(code: AuthorizationCodeRecord): Promise<void> {
    // A put over an existing code would erase its redeemedAt and make it usable again.
    await putIfAbsent(this.client, this.tableName, codeToItem(code), 'authorization code already exists');
  }

  async get(codeHash: string): Promise<AuthorizationCodeRecord | undefined> {
    // Strongly consistent: a replay right after a redemption must see redeemedAt.
    const item = await getByKey(this.client, this.tableName, codeHash, 'consistent');
    return item ? codeFromItem(item) : undefined;
  }
}

/**
 * The transaction item that redeems a code (DynamoDbGrantWriter.redeemCode). Two /token
 * requests with the same code both read it unredeemed, both check PKCE, both reach this write:
 *   A: get -> unredeemed -> redeem ✓ -> tokens
 *   B: get -> unredeemed -> redeem ✗ (redeemedAt now exists, or A's transaction is in flight) -> invalid_grant
 * DynamoDB evaluates the condition and applies the update atomically, so exactly one wins.
 * attribute_exists keeps a vanished code from being recreated.
 */
export function codeRedemptionUpdate(tableName: string, codeHash: string, redeemedAt: number, familyId: string): NonNullable<TransactWriteItem['Update']> {
  return {
    TableName: tableName,
    Key: keyOf(codeHash),
    UpdateExpression: 'SET redeemedAt = :redeemedAt, familyId = :familyId',
    ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(redeemedAt)',
    ExpressionAttributeNames: { '#pk': PARTITION_KEY },
    ExpressionAttributeValues: { ':redeemedAt': numberValue(redeemedAt), ':familyId': stringValue(familyId) },
  };
}

export function codeToItem(code: AuthorizationCodeRecord): Item {
  return buildItem({
    [PARTITION_KEY]: stringValue(code.codeHash),
    codeHash: stringValue(code.codeHash),
    clientId: stringValue(code.clientId),
    redirectUri: stringValue(code.redirectUri),
    redirectUriWasSent: booleanValue(code.redirectUriWasSent),
    codeChallenge: stringValue(code.codeChallenge),
    resources: stringListValue(code.resources),
    scope: stringListValue(code.scope),
    subject: stringValue(code.subject),
    authTime: numberValue(code.authTime),
    issuedAt: numberValue(code.issuedAt),
    expiresAt: numberValue(code.expiresAt),
    redeemedAt: optionalValue(code.redeemedAt, numberValue),
    familyId: optionalValue(code.familyId, stringValue),
  });
}

export function codeFromItem(item: Item): AuthorizationCodeRecord {
  const read = new ItemReader(item, 'authorization code');
  return withoutUndefined<AuthorizationCodeRecord>({
    codeHash: read.string('codeHash'),
    clientId: read.string('clientId'),
    redirectUri: read.string('redirectUri'),
    redirectUriWasSent: read.boolean('redirectUriWasSent'),
    codeChallenge: read.string('codeChallenge'),
    resources: read.stringList('resources'),
    scope: read.stringList('scope'),
    subject: read.string('subject'),
    authTime: read.number('authTime'),
    issuedAt: read.number('issuedAt'),
    expiresAt: read.number('expiresAt'),
    redeemedAt: read.optionalNumber('redeemedAt'),
    familyId: read.optionalString('familyId'),
  });
}
