import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ConditionFailedError } from '../../lambda/core/errors';
import type { RefreshFamilyRecord } from '../../lambda/core/ports';
import { useDynamoDbTables } from '../support/dynamodb';

const tables = useDynamoDbTables('families');

let counter = 0;
function family(overrides: Partial<RefreshFamilyRecord> = {}): RefreshFamilyRecord {
  counter++;
  return {
    familyId: `family-${counter}`,
    clientId: 'client-1',
    subject: 'alice-sub',
    scope: ['tool:read', 'tool:execute'],
    resources: ['http://localhost:8788/mcp'],
    authTime: 1_767_268_000,
    currentTokenHash: `hash-${counter}-0`,
    retiredTokenHashes: [],
    generation: 0,
    createdAt: 1_767_268_800,
    lastUsedAt: 1_767_268_800,
    expiresAt: 1_769_860_800,
    ...overrides,
  };
}

describe('DynamoDbRefreshFamilyStore', () => {
  it('round-trips a new family without the optional fields', async () => {
    const stored = family();
    await tables().stores.families.create(stored);
    expect(await tables().stores.families.get(stored.familyId)).toStrictEqual(stored);
  });

  it('round-trips a family with every optional field, even past its expiresAt', async () => {
    const stored = family({ previousTokenHash: 'older', previousReplacedAt: 1_767_268_850, retiredTokenHashes: ['oldest', 'older still'], groupsReadAt: 1_767_268_860, revokedAt: 1_767_268_900, generation: 7, expiresAt: 10 });
    await tables().stores.families.create(stored);
    expect(await tables().stores.families.get(stored.familyId)).toStrictEqual(stored);
  });

  it('reads a family stored before retired hashes were kept as one with none', async () => {
    const stored = family();
    await tables().stores.families.create(stored);
    await tables().client.send(new UpdateItemCommand({ TableName: tables().names.families, Key: { pk: { S: stored.familyId } }, UpdateExpression: 'REMOVE retiredTokenHashes' }));
    expect(await tables().stores.families.get(stored.familyId)).toStrictEqual(stored);
  });

  it('returns undefined for an unknown family', async () => {
    expect(await tables().stores.families.get('no-such-family')).toBeUndefined();
  });

  it('refuses to create a family whose id exists, and keeps the original', async () => {
    const stored = family();
    await tables().stores.families.create(stored);
    await expect(tables().stores.families.create({ ...stored, subject: 'mallory' })).rejects.toThrow(ConditionFailedError);
    expect((await tables().stores.families.get(stored.familyId))?.subject).toBe('alice-sub');
  });

  it('keeps the first revocation time', async () => {
    const stored = family();
    await tables().stores.families.create(stored);
    await tables().stores.families.markRevoked(stored.familyId, 1_767_268_900);
    await tables().stores.families.markRevoked(stored.familyId, 1_767_269_999);
    expect((await tables().stores.families.get(stored.familyId))?.revokedAt).toBe(1_767_268_900);
  });

  it('revoking an unknown family is a no-op that creates no item', async () => {
    await tables().stores.families.markRevoked('unknown-family', 1);
    const { Item } = await tables().client.send(new GetItemCommand({ TableName: tables().names.families, Key: { pk: { S: 'unknown-family' } } }));
    expect(Item).toBeUndefined();
  });

  it('lists a subject’s and a client’s whole families through the GSIs, oldest first, revoked ones included', async () => {
    const a = family({ subject: 'gsi-carol', clientId: 'gsi-client-x', createdAt: 1_000 });
    const b = family({ subject: 'gsi-carol', clientId: 'gsi-client-y', createdAt: 900 });
    const c = family({ subject: 'gsi-dave', clientId: 'gsi-client-x', createdAt: 800 });
    for (const f of [a, b, c]) await tables().stores.families.create(f);
    await tables().stores.families.markRevoked(b.familyId, 950);
    expect(await tables().stores.families.listFamilies({ subject: 'gsi-carol' })).toStrictEqual([{ ...b, revokedAt: 950 }, a]);
    expect(await tables().stores.families.listFamilies({ clientId: 'gsi-client-x' })).toStrictEqual([c, a]);
    expect(await tables().stores.families.listFamilies({ subject: 'gsi-nobody' })).toEqual([]);
  });

  it('lists more than one BatchGetItem holds (100 keys)', async () => {
    const many = Array.from({ length: 130 }, () => family({ subject: 'gsi-many', clientId: 'gsi-client-many' }));
    for (const f of many) await tables().stores.families.create(f);
    const listed = await tables().stores.families.listFamilies({ subject: 'gsi-many' });
    expect(listed.map((f) => f.familyId).sort()).toEqual(many.map((f) => f.familyId).sort());
  });
});
