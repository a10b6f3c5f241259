/**
 * Registered clients remembered per container for `ttlSeconds` (registration.clientCacheSeconds),
 * in front of the client store: /authorize and /token read the client on every request, and a
 * registered client changes rarely. The price is the delay: a client deleted or changed with
 * `mcp-oauth clients delete` is still served by a warm container for up to the TTL
 * (docs/operations.md). Revocations are never cached here: `revoke --client` is a row the
 * grants read on every request, so it takes effect at once.
 *
 * Only clients that exist are remembered: a client_id that is not found is asked again next
 * time, so a registration made a moment ago is seen at once and a flood of unknown ids cannot
 * push the known clients out. The cache holds at most `maxEntries`, least recently used first
 * out. A TTL of 0 turns it off.
 */
import type { ClientRecord, ClientStore, Clock } from '../../core/ports';

/** Enough for every client a busy container serves, small enough to stay a few MB. */
export const CLIENT_CACHE_MAX_ENTRIES = 1_000;

export class CachedClientStore implements ClientStore {
  private readonly cache = new Map<string, { readonly client: ClientRecord; readonly fetchedAtMs: number }>();

  constructor(
    private readonly store: ClientStore,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
    private readonly maxEntries = CLIENT_CACHE_MAX_ENTRIES,
  ) {}

  async get(clientId: string): Promise<ClientRecord | undefined> {
    const now = this.clock.nowMs();
    const hit = this.cache.get(clientId);
    if (hit) {
      this.cache.delete(clientId);
      if (now - hit.fetchedAtMs < this.ttlSeconds * 1000) {
        // Re-inserted, so the Map's order is least recently used first.
        this.cache.set(clientId, hit);
        return hit.client;
      }
    }
    const client = await this.store.get(clientId);
    if (client && this.ttlSeconds > 0) {
      if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(clientId, { client, fetchedAtMs: now });
    }
    return client;
  }

  create(client: ClientRecord): Promise<void> {
    return this.store.create(client);
  }
}
