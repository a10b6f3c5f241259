import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { FamilyRotation, RefreshFamilyDirectory, RefreshFamilyRecord, RefreshFamilyStore } from '../../core/ports';
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
import { isConditionFailure, translateDynamoDbError } from './store-errors';
import { batchGetByKeys, getByKey, keyOf, putIfAbsent, queryIndexKeys } from './table-operations';
import { FAMILIES_BY_CLIENT_INDEX, FAMILIES_BY_SUBJECT_INDEX, PARTITION_KEY } from './table-keys';
import type { DynamoDbCalls } from './dynamodb-calls';

/** Refresh token families. Rotation is a conditional write on the generation counter (familyRotationUpdate). */
export class DynamoDbRefreshFamilyStore implements RefreshFamilyStore, RefreshFamilyDirectory {
  constructor(
    private readonly client: DynamoDbCalls,
    private readonly tableName: string,
  ) {}

  async create(family: RefreshFamilyRecord): Promise<void> {
    await putIfAbsent(this.client, this.tableName, familyToItem(family), 'refresh family already exists');
  }

  async get(familyId: string): Promise<RefreshFamilyRecord | undefined> {
    // Strongly consistent: reuse detection must see the latest rotation and revocation.
    const item = await getByKey(this.client, this.tableName, familyId, 'consistent');
    return item ? familyFromItem(item) : undefined;
  }

  async markRevoked(familyId: string, revokedAt: number): Promise<void> {
    try {
      await this.client.call('UpdateItem', {
        TableName: this.tableName,
        Key: keyOf(familyId),
        // The first revocation time stands: a second one (reuse after revocation) adds nothing.
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :revokedAt)',
        // Never create a bare item for an unknown family.
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PARTITION_KEY },
        ExpressionAttributeValues: { ':revokedAt': numberValue(revokedAt) },});
    } catch (error) {
      if (isConditionFailure(error)) return; // nothing to revoke
      throw translateDynamoDbError(error);
    }
  }

  /**
   * Every family of a user or of a client, for an operator. The indexes are only eventually
   * consistent: a family created a moment ago may be missing from the list, so revoking a
   * user or a client also writes a subject or client revocation record, which covers every
   * family whatever this list returned.
   */
  async listFamilies(owner: { readonly subject: string } | { readonly clientId: string }): Promise<readonly RefreshFamilyRecord[]> {
    const index =
      'subject' in owner
        ? { indexName: FAMILIES_BY_SUBJECT_INDEX, attribute: 'subject', value: owner.subject }
        : { indexName: FAMILIES_BY_CLIENT_INDEX, attribute: 'clientId', value: owner.clientId };
    const familyIds = await queryIndexKeys(this.client, this.tableName, index);
    const items = await batchGetByKeys(this.client, this.tableName, familyIds);
    return items.map(familyFromItem).sort((a, b) => a.createdAt - b.createdAt || a.familyId.localeCompare(b.familyId));
  }
}

/** The transaction item that creates a family (DynamoDbGrantWriter.redeemCode): never over an existing one. */
export function familyCreationPut(tableName: string, family: RefreshFamilyRecord): NonNullable<TransactWriteItem['Put']> {
  return {
    TableName: tableName,
    Item: familyToItem(family),
    ConditionExpression: 'attribute_not_exists(#pk)',
    ExpressionAttributeNames: { '#pk': PARTITION_KEY },
  };
}

/**
 * The transaction item that rotates a family (DynamoDbGrantWriter.rotateFamily). Two refreshes
 * with the same token both read generation g:
 *   A: get (g) -> rotate(g) ✓ -> generation g+1, new token
 *   B: get (g) -> rotate(g) ✗ (generation is g+1 now, or A's transaction is in flight) -> invalid_grant
 * The condition and the update are one atomic step on the item, so the family never forks
 * into two live successors. A revoked family never rotates again.
 */
export function familyRotationUpdate(tableName: string, familyId: string, expectedGeneration: number, next: FamilyRotation): NonNullable<TransactWriteItem['Update']> {
  return {
    TableName: tableName,
    Key: keyOf(familyId),
    UpdateExpression:
      'SET currentTokenHash = :current, previousTokenHash = :previous, previousReplacedAt = :replacedAt, retiredTokenHashes = :retired, ' +
      'lastUsedAt = :lastUsedAt, #scope = :scope, groupsReadAt = :groupsReadAt, generation = :nextGeneration',
    ConditionExpression: 'attribute_exists(#pk) AND generation = :expected AND attribute_not_exists(revokedAt)',
    ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#scope': 'scope' },
    ExpressionAttributeValues: {
      ':current': stringValue(next.currentTokenHash),
      ':previous': stringValue(next.previousTokenHash),
      ':replacedAt': numberValue(next.previousReplacedAt),
      ':retired': stringListValue(next.retiredTokenHashes),
      ':lastUsedAt': numberValue(next.lastUsedAt),
      ':scope': stringListValue(next.scope),
      ':groupsReadAt': numberValue(next.groupsReadAt),
      ':expected': numberValue(expectedGeneration),
      ':nextGeneration': numberValue(expectedGeneration + 1),
    },
  };
}

function familyToItem(family: RefreshFamilyRecord): Item {
  return buildItem({
    [PARTITION_KEY]: stringValue(family.familyId),
    familyId: stringValue(family.familyId),
    clientId: stringValue(family.clientId),
    subject: stringValue(family.subject),
    scope: stringListValue(family.scope),
    resources: stringListValue(family.resources),
    authTime: numberValue(family.authTime),
    groupsReadAt: optionalValue(family.groupsReadAt, numberValue),
    currentTokenHash: stringValue(family.currentTokenHash),
    previousTokenHash: optionalValue(family.previousTokenHash, stringValue),
    previousReplacedAt: optionalValue(family.previousReplacedAt, numberValue),
    retiredTokenHashes: stringListValue(family.retiredTokenHashes),
    generation: numberValue(family.generation),
    createdAt: numberValue(family.createdAt),
    lastUsedAt: numberValue(family.lastUsedAt),
    expiresAt: numberValue(family.expiresAt),
    revokedAt: optionalValue(family.revokedAt, numberValue),
  });
}

export function familyFromItem(item: Item): RefreshFamilyRecord {
  const read = new ItemReader(item, 'refresh family');
  return withoutUndefined<RefreshFamilyRecord>({
    familyId: read.string('familyId'),
    clientId: read.string('clientId'),
    subject: read.string('subject'),
    scope: read.stringList('scope'),
    resources: read.stringList('resources'),
    authTime: read.number('authTime'),
    groupsReadAt: read.optionalNumber('groupsReadAt'),
    currentTokenHash: read.string('currentTokenHash'),
    previousTokenHash: read.optionalString('previousTokenHash'),
    previousReplacedAt: read.optionalNumber('previousReplacedAt'),
    // Families written before retired hashes were kept have none: their old tokens read as never issued.
    retiredTokenHashes: item.retiredTokenHashes === undefined ? [] : read.stringList('retiredTokenHashes'),
    generation: read.number('generation'),
    createdAt: read.number('createdAt'),
    lastUsedAt: read.number('lastUsedAt'),
    expiresAt: read.number('expiresAt'),
    revokedAt: read.optionalNumber('revokedAt'),
  });
}
