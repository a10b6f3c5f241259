/**
 * The writes that issue tokens, each one TransactWriteItems: the code's redemption with the
 * family it starts, or a family's rotation, together with a ConditionCheck on each revocation
 * row the grant must be clear of. One round trip; a lost race or a revocation cancels all of
 * it (store-errors.ts names which item), so nothing needs undoing.
 *
 * Cost (docs/deploy.md): a transactional write is billed twice, ConditionChecks included, so
 * the clearance is kept to the rows only the stored record names (the user's); the rows the
 * request names itself (client, family) are read beside the code or family. A row shared by
 * many requests at once, like a popular client's, would also make concurrent transactions
 * conflict with each other, which a read does not.
 */
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { FamilyRotation, GrantWriter, RefreshFamilyRecord, RevocationClearance } from '../../core/ports';
import { codeRedemptionUpdate } from './dynamodb-authorization-code-store';
import { familyCreationPut, familyRotationUpdate } from './dynamodb-refresh-family-store';
import { revocationClearanceChecks } from './revocation-condition';
import { translateGrantTransactionError, type TransactionItemRole } from './store-errors';
import type { TableNames } from './table-keys';
import type { DynamoDbCalls } from './dynamodb-calls';

export class DynamoDbGrantWriter implements GrantWriter {
  constructor(
    private readonly client: DynamoDbCalls,
    private readonly tableNames: Pick<TableNames, 'codes' | 'families' | 'revocations'>,
  ) {}

  redeemCode(codeHash: string, redeemedAt: number, family: RefreshFamilyRecord, clearance: RevocationClearance): Promise<void> {
    return this.transact([
      ['grant', { Update: codeRedemptionUpdate(this.tableNames.codes, codeHash, redeemedAt, family.familyId) }],
      ['new', { Put: familyCreationPut(this.tableNames.families, family) }],
      ...this.clearanceItems(clearance),
    ]);
  }

  rotateFamily(familyId: string, expectedGeneration: number, next: FamilyRotation, clearance: RevocationClearance): Promise<void> {
    return this.transact([['grant', { Update: familyRotationUpdate(this.tableNames.families, familyId, expectedGeneration, next) }], ...this.clearanceItems(clearance)]);
  }

  private clearanceItems(clearance: RevocationClearance): [TransactionItemRole, TransactWriteItem][] {
    return revocationClearanceChecks(this.tableNames.revocations, clearance).map((check) => ['clearance', { ConditionCheck: check }]);
  }

  private async transact(items: readonly [TransactionItemRole, TransactWriteItem][]): Promise<void> {
    try {
      await this.client.call('TransactWriteItems', { TransactItems: items.map(([, item]) => item) });
    } catch (error) {
      throw translateGrantTransactionError(error, items.map(([role]) => role));
    }
  }
}
