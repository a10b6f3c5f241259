import {
  ConditionalCheckFailedException,
  InternalServerError,
  ProvisionedThroughputExceededException,
  RequestLimitExceeded,
  ResourceNotFoundException,
  ThrottlingException,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { localDynamoDbCalls, freePort } from '../../local/dynamodb-local';
import { DynamoDbAuthorizationCodeStore } from '../../lambda/adapters/dynamodb/dynamodb-authorization-code-store';
import { createDynamoDbStores } from '../../lambda/adapters/dynamodb/dynamodb-stores';
import { translateDynamoDbError, translateGrantTransactionError } from '../../lambda/adapters/dynamodb/store-errors';
import { tableNamesForPrefix } from '../../lambda/adapters/dynamodb/tables';
import { ConditionFailedError, DependencyUnavailableError, GrantRefusedError } from '../../lambda/core/errors';
import { TEST_AWS_CALLS, useDynamoDbTables } from '../support/dynamodb';

const tables = useDynamoDbTables('errors');
const metadata = { $metadata: {} };

describe('DynamoDB error mapping', () => {
  it('maps a throttled call of a real store to DependencyUnavailableError, keeping the cause', async () => {
    const throttled = new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds the allowed throughput.', ...metadata });
    const spy = jest.spyOn(tables().calls, 'call').mockImplementation(async () => {
      throw throttled;
    });
    try {
      const error = await tables().stores.codes.get('any').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect((error as Error).message).toBe('DynamoDB is unavailable');
      expect((error as Error).cause).toBe(throttled);
      await expect(tables().stores.grantWriter.rotateFamily('any', 0, { currentTokenHash: 'c', previousTokenHash: 'p', previousReplacedAt: 1, retiredTokenHashes: [], lastUsedAt: 1, scope: [], groupsReadAt: 1 }, { keys: [], issuedAt: 1 })).rejects.toThrow(DependencyUnavailableError);
      await expect(tables().stores.revocations.find([{ kind: 'jti', value: 'j' }])).rejects.toThrow(DependencyUnavailableError);
    } finally {
      spy.mockRestore();
    }
  });

  it('maps every throttling and server-side kind to DependencyUnavailableError', () => {
    const kinds: unknown[] = [
      new ProvisionedThroughputExceededException({ message: 'x', ...metadata }),
      new ThrottlingException({ message: 'x', ...metadata }),
      new RequestLimitExceeded({ message: 'x', ...metadata }),
      new InternalServerError({ message: 'x', ...metadata }),
      Object.assign(new Error('x'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }),
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      new TransactionCanceledException({ message: 'x', ...metadata, CancellationReasons: [{ Code: 'None' }, { Code: 'ThrottlingError' }] }),
    ];
    for (const kind of kinds) expect(translateDynamoDbError(kind, 'race')).toBeInstanceOf(DependencyUnavailableError);
  });

  it('maps a lost condition, alone or in a transaction, to ConditionFailedError when a condition was expected', () => {
    expect(translateDynamoDbError(new ConditionalCheckFailedException({ message: 'x', ...metadata }), 'code already redeemed')).toEqual(
      new ConditionFailedError('code already redeemed'),
    );
    const cancelled = new TransactionCanceledException({ message: 'x', ...metadata, CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }] });
    expect(translateDynamoDbError(cancelled, 'gone')).toBeInstanceOf(ConditionFailedError);
  });

  it('maps a cancelled grant transaction to the item that stopped it (CancellationReasons follow the items)', () => {
    const cancelled = (...codes: string[]) => new TransactionCanceledException({ message: 'x', ...metadata, CancellationReasons: codes.map((Code) => ({ Code })) });
    const roles = ['grant', 'new', 'clearance'] as const;
    const refusal = (error: unknown) => (error instanceof GrantRefusedError ? error.refusal : error);
    // A lost race on the code or family, by its condition or by another transaction on it in flight.
    expect(refusal(translateGrantTransactionError(cancelled('ConditionalCheckFailed', 'None', 'None'), roles))).toBe('moved_on');
    expect(refusal(translateGrantTransactionError(cancelled('TransactionConflict', 'None', 'None'), roles))).toBe('moved_on');
    expect(refusal(translateGrantTransactionError(cancelled('ConditionalCheckFailed', 'None', 'ConditionalCheckFailed'), roles))).toBe('moved_on');
    expect(refusal(translateGrantTransactionError(cancelled('None', 'None', 'ConditionalCheckFailed'), roles))).toBe('revoked');
    // Another request of the same user in flight on the revocation row, or throttling: nothing written, retry later.
    expect(translateGrantTransactionError(cancelled('None', 'None', 'TransactionConflict'), roles)).toBeInstanceOf(DependencyUnavailableError);
    expect(translateGrantTransactionError(cancelled('None', 'ThrottlingError', 'None'), roles)).toBeInstanceOf(DependencyUnavailableError);
    // A new item that exists already is an id collision: a bug, left for the 500.
    const collision = cancelled('None', 'ConditionalCheckFailed', 'None');
    expect(translateGrantTransactionError(collision, roles)).toBe(collision);
    const throttled = new ProvisionedThroughputExceededException({ message: 'x', ...metadata });
    expect(translateGrantTransactionError(throttled, roles)).toBeInstanceOf(DependencyUnavailableError);
  });

  it('leaves bugs and misconfiguration alone, so they become a 500', () => {
    const validation = Object.assign(new Error('One or more parameter values were invalid'), { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    const missingTable = new ResourceNotFoundException({ message: 'x', ...metadata });
    expect(translateDynamoDbError(validation, 'race')).toBe(validation);
    expect(translateDynamoDbError(missingTable, 'race')).toBe(missingTable);
    // A condition failure where none was expected is a bug, not a lost race.
    const condition = new ConditionalCheckFailedException({ message: 'x', ...metadata });
    expect(translateDynamoDbError(condition)).toBe(condition);
  });

  it('maps an unreachable DynamoDB (nothing listening) to DependencyUnavailableError', async () => {
    const client = localDynamoDbCalls(`http://127.0.0.1:${await freePort()}`, TEST_AWS_CALLS);
    try {
      const store = new DynamoDbAuthorizationCodeStore(client, 'any-table');
      await expect(store.get('any')).rejects.toThrow(DependencyUnavailableError);
    } finally {
      client.destroy();
    }
  });

  it('reports a missing table as what it is, not as an outage', async () => {
    const stores = createDynamoDbStores(tables().calls, tableNamesForPrefix('no-such-prefix'));
    const error = await stores.codes.get('any').catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
  });
});
