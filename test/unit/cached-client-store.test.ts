import { CachedClientStore } from '../../lambda/adapters/dynamodb/cached-client-store';
import type { ClientRecord } from '../../lambda/core/ports';
import { FixedClock, InMemoryClientStore } from '../support/in-memory-ports';

const client = (clientId: string, clientName = 'App'): ClientRecord => ({
  clientId, clientName, tokenEndpointAuthMethod: 'none', redirectUris: ['https://app.example/cb'], grantTypes: ['authorization_code'], responseTypes: ['code'], source: 'dynamic', createdAt: 0,
});

function counted(store: InMemoryClientStore) {
  const reads: string[] = [];
  const get = store.get.bind(store);
  store.get = async (clientId: string) => {
    reads.push(clientId);
    return get(clientId);
  };
  return reads;
}

describe('cached-client-store.ts: registered clients per container (registration.clientCacheSeconds)', () => {
  it('answers from the cache within the TTL and reads again after it: a deletion or change is honoured within the TTL', async () => {
    const store = new InMemoryClientStore();
    const reads = counted(store);
    const clock = new FixedClock();
    const cache = new CachedClientStore(store, clock, 30);
    store.items.set('a', client('a', 'Old name'));
    expect((await cache.get('a'))?.clientName).toBe('Old name');
    store.items.set('a', client('a', 'New name'));
    clock.advanceSeconds(29);
    expect((await cache.get('a'))?.clientName).toBe('Old name');
    expect(reads).toEqual(['a']);
    clock.advanceSeconds(1);
    expect((await cache.get('a'))?.clientName).toBe('New name');
    store.items.delete('a');
    clock.advanceSeconds(30);
    expect(await cache.get('a')).toBeUndefined();
    expect(reads).toEqual(['a', 'a', 'a']);
  });

  it('never remembers a client that was not found, so a registration made a moment later is seen at once', async () => {
    const store = new InMemoryClientStore();
    const reads = counted(store);
    const cache = new CachedClientStore(store, new FixedClock(), 30);
    expect(await cache.get('new')).toBeUndefined();
    store.items.set('new', client('new'));
    expect((await cache.get('new'))?.clientId).toBe('new');
    expect(reads).toEqual(['new', 'new']);
  });

  it('remembers a client it created, so the /authorize after a registration reads nothing; a create that fails remembers nothing', async () => {
    const store = new InMemoryClientStore();
    const reads = counted(store);
    const cache = new CachedClientStore(store, new FixedClock(), 30);
    await cache.create(client('registered', 'Registered'));
    expect((await cache.get('registered'))?.clientName).toBe('Registered');
    expect(reads).toEqual([]);

    store.create = async () => {
      throw new Error('ConditionalCheckFailed');
    };
    await expect(cache.create(client('taken', 'Impostor'))).rejects.toThrow('ConditionalCheckFailed');
    expect(cache.cached('taken')).toBeUndefined();
  });

  it('holds at most maxEntries, dropping the client read longest ago (the next to expire) first', async () => {
    const store = new InMemoryClientStore();
    const reads = counted(store);
    for (const id of ['a', 'b', 'c']) store.items.set(id, client(id));
    const clock = new FixedClock();
    const cache = new CachedClientStore(store, clock, 30, 2);
    await cache.get('a');
    clock.advanceSeconds(1);
    await cache.get('b');
    await cache.get('a'); // a hit does not extend a's time: a still expires first
    await cache.get('c'); // evicts a
    reads.length = 0;
    await cache.get('b');
    await cache.get('c');
    await cache.get('a');
    expect(reads).toEqual(['a']);
    expect(cache.size).toBe(2);
  });

  it('drops expired clients as it remembers new ones, so a container that sees a stream of new clients holds only those of the last TTL', async () => {
    const store = new InMemoryClientStore();
    const clock = new FixedClock();
    const cache = new CachedClientStore(store, clock, 30, 1_000);
    for (let i = 0; i < 300; i++) {
      await cache.create(client(`client-${i}`));
      clock.advanceSeconds(1);
    }
    // Created at 270..299 s and still live at 300 s; the 270 before them were dropped.
    expect(cache.size).toBe(30);
    expect(cache.cached('client-299')?.clientId).toBe('client-299');
    expect(cache.cached('client-269')).toBeUndefined();
  });

  it('reads every time with a TTL of 0', async () => {
    const store = new InMemoryClientStore();
    const reads = counted(store);
    store.items.set('a', client('a'));
    const cache = new CachedClientStore(store, new FixedClock(), 0);
    await cache.get('a');
    await cache.get('a');
    expect(reads).toEqual(['a', 'a']);
  });
});
