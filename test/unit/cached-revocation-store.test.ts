import { CachedRevocationStore, REVOCATION_CACHE_MAX_ENTRIES } from '../../lambda/adapters/dynamodb/cached-revocation-store';
import type { RevocationKey } from '../../lambda/core/ports';
import { FixedClock, InMemoryRevocationStore } from '../support/in-memory-ports';

function counted(store: InMemoryRevocationStore): RevocationKey[][] {
  const asked: RevocationKey[][] = [];
  const find = store.find.bind(store);
  store.find = async (keys) => {
    asked.push([...keys]);
    return find(keys);
  };
  return asked;
}

const keysOf = (jti: string): RevocationKey[] => [{ kind: 'jti', value: jti }, { kind: 'subject', value: 'alice' }];

describe('cached-revocation-store.ts: revocation look-ups per authorizer container (guard.revocationCacheTtlSeconds)', () => {
  it('answers from the cache within the TTL, synchronously, and asks again after it', async () => {
    const store = new InMemoryRevocationStore();
    const asked = counted(store);
    const clock = new FixedClock();
    const cache = new CachedRevocationStore(store, clock, 15);
    const keys = keysOf('a');
    expect(await cache.find(keys)).toEqual([]);
    await store.revoke({ key: { kind: 'subject', value: 'alice' }, revokedAt: 1, expiresAt: 2, reason: 'operator' });
    expect(cache.find(keys)).toEqual([]);
    clock.advanceSeconds(15);
    expect((await cache.find(keys)).map((row) => row.key)).toEqual([{ kind: 'subject', value: 'alice' }]);
    expect(asked).toHaveLength(2);
  });

  it('drops expired look-ups as it caches new ones, so memory follows the tokens of one TTL', async () => {
    const clock = new FixedClock();
    const cache = new CachedRevocationStore(new InMemoryRevocationStore(), clock, 15);
    for (const jti of ['a', 'b', 'c']) await cache.find(keysOf(jti));
    clock.advanceSeconds(10);
    await cache.find(keysOf('d'));
    expect(cache.size).toBe(4);
    clock.advanceSeconds(6);
    await cache.find(keysOf('e'));
    expect(cache.size).toBe(2);
  });

  it('holds at most REVOCATION_CACHE_MAX_ENTRIES, the oldest out first', async () => {
    const store = new InMemoryRevocationStore();
    const asked = counted(store);
    const cache = new CachedRevocationStore(store, new FixedClock(), 15);
    const lists = Array.from({ length: REVOCATION_CACHE_MAX_ENTRIES + 1 }, (_, i) => keysOf(`jti-${i}`));
    for (const keys of lists) await cache.find(keys);
    expect(cache.size).toBe(REVOCATION_CACHE_MAX_ENTRIES);
    asked.length = 0;
    await cache.find(lists[1]!);
    await cache.find(lists[0]!);
    expect(asked).toEqual([lists[0]]);
  });

  it('remembers nothing with a TTL of 0', async () => {
    const store = new InMemoryRevocationStore();
    const asked = counted(store);
    const cache = new CachedRevocationStore(store, new FixedClock(), 0);
    await cache.find(keysOf('a'));
    await cache.find(keysOf('a'));
    expect(asked).toHaveLength(2);
    expect(cache.size).toBe(0);
  });
});
