/**
 * Registered clients remembered per container for `ttlSeconds` (registration.clientCacheSeconds),
 * in front of the client store: /authorize and /token read the client on every request, and a
 * registered client changes rarely. The price is the delay: a client deleted or changed with
 * `mcp-oauth clients delete` is still served by a warm container for up to the TTL
 * (docs/operations.md). Revocations are never cached here: `revoke --client` is a row the
 * grants read on every request, so it takes effect at once.
 *
 * Only clients that exist are remembered (read from the store, or written to it by this
 * container): a client_id that is not found is asked again next time, so a registration
 * made a moment ago is seen at once and a flood of unknown ids cannot push the known
 * clients out. The cache holds at most `maxEntries` and drops expired clients as it
 * remembers new ones (ExpiringCache): a container that registers clients all day holds only
 * those read within the TTL, not the last 1,000 (the soak's memory grew by the difference,
 * docs/performance.md "Soak"). A TTL of 0 turns it off. /token's one read (dynamodb-token-request-reads.ts) asks the
 * same cache through cached() and remember().
 */
import type { ClientRecord, ClientStore, Clock } from '../../core/ports';
import { ExpiringCache } from '../system/expiring-cache';

/** Enough for every client a busy container serves, small enough to stay a few MB. */
export const CLIENT_CACHE_MAX_ENTRIES = 1_000;

/** What another read of the client store needs from the cache. */
export interface ClientCache {
  /** The client if it was read less than the TTL ago. */
  cached(clientId: string): ClientRecord | undefined;
  /** Remembers a client just read from, or written to, the store. */
  remember(client: ClientRecord): void;
}

export class CachedClientStore implements ClientStore, ClientCache {
  private readonly cache: ExpiringCache<ClientRecord>;

  constructor(
    private readonly store: ClientStore,
    private readonly clock: Clock,
    ttlSeconds: number,
    maxEntries = CLIENT_CACHE_MAX_ENTRIES,
  ) {
    this.cache = new ExpiringCache(ttlSeconds * 1000, maxEntries);
  }

  async get(clientId: string): Promise<ClientRecord | undefined> {
    const hit = this.cached(clientId);
    if (hit) return hit;
    const client = await this.store.get(clientId);
    if (client) this.remember(client);
    return client;
  }

  cached(clientId: string): ClientRecord | undefined {
    return this.cache.get(clientId, this.clock.nowMs());
  }

  remember(client: ClientRecord): void {
    this.cache.set(client.clientId, client, this.clock.nowMs());
  }

  /** How many clients the cache holds now, expired ones not yet dropped included. */
  get size(): number {
    return this.cache.size;
  }

  /** A client this container just wrote is remembered: the /authorize that follows a registration need not read it back. */
  async create(client: ClientRecord): Promise<void> {
    await this.store.create(client);
    this.remember(client);
  }
}
