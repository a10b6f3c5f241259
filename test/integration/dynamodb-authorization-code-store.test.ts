import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ConditionFailedError } from '../../lambda/core/errors';
import type { AuthorizationCodeRecord } from '../../lambda/core/ports';
import { useDynamoDbTables } from '../support/dynamodb';

const tables = useDynamoDbTables('codes');

let counter = 0;
function code(overrides: Partial<AuthorizationCodeRecord> = {}): AuthorizationCodeRecord {
  counter++;
  return {
    codeHash: `code-hash-${counter}`,
    clientId: 'client-1',
    redirectUri: 'https://c1.example/cb',
    redirectUriWasSent: true,
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    resources: ['http://localhost:8788/mcp', 'https://other.example/mcp'],
    scope: ['tool:read', 'tool:execute'],
    subject: 'alice-sub',
    authTime: 1_767_268_000,
    issuedAt: 1_767_268_800,
    expiresAt: 1_767_268_860,
    ...overrides,
  };
}

describe('DynamoDbAuthorizationCodeStore', () => {
  it('round-trips a code without the optional fields, leaving them absent', async () => {
    const stored = code({ redirectUriWasSent: false, resources: [], scope: [] });
    await tables().stores.codes.put(stored);
    expect(await tables().stores.codes.get(stored.codeHash)).toStrictEqual(stored);
  });

  it('round-trips a code with every optional field', async () => {
    const stored = code({ redeemedAt: 1_767_268_810, familyId: 'family-1' });
    await tables().stores.codes.put(stored);
    expect(await tables().stores.codes.get(stored.codeHash)).toStrictEqual(stored);
  });

  it('returns undefined for an unknown code', async () => {
    expect(await tables().stores.codes.get('no-such-code')).toBeUndefined();
  });

  it('returns a code past its expiresAt: expiry is the core’s check', async () => {
    const stale = code({ issuedAt: 1_000, expiresAt: 1_060 });
    await tables().stores.codes.put(stale);
    expect(await tables().stores.codes.get(stale.codeHash)).toStrictEqual(stale);
  });

  it('stores the hash only, with a numeric expiresAt for TTL', async () => {
    const stored = code();
    await tables().stores.codes.put(stored);
    const { Item } = await tables().client.send(new GetItemCommand({ TableName: tables().names.codes, Key: { pk: { S: stored.codeHash } } }));
    expect(Item?.expiresAt).toEqual({ N: String(stored.expiresAt) });
    expect(Object.keys(Item ?? {}).sort()).toEqual(
      ['pk', 'codeHash', 'clientId', 'redirectUri', 'redirectUriWasSent', 'codeChallenge', 'resources', 'scope', 'subject', 'authTime', 'issuedAt', 'expiresAt'].sort(),
    );
  });

  it('refuses to put over an existing code, which would erase its redemption', async () => {
    const stored = code();
    await tables().stores.codes.put({ ...stored, redeemedAt: 1_767_268_810, familyId: 'family-a' });
    await expect(tables().stores.codes.put(stored)).rejects.toThrow(ConditionFailedError);
    expect((await tables().stores.codes.get(stored.codeHash))?.redeemedAt).toBe(1_767_268_810);
  });
});
