/**
 * Revocation look-ups remembered for `ttlSeconds`, in front of the revocation store. This
 * TTL plus API Gateway's authorizer cache TTL is the longest a revoked token can still pass
 * (docs/guard.md). A fresh hit answers without a promise, so a warm authorizer stays
 * synchronous; an empty TTL turns the cache off.
 */
import type { Clock, RevocationKey, RevocationLookup, RevocationRecord, RevocationStore } from '../../core/ports';

/** A bound for a container that serves many tokens within one TTL. */
export const REVOCATION_CACHE_MAX_ENTRIES = 10_000;

export class CachedRevocationStore implements RevocationLookup {
  private readonly cache = new Map<string, { readonly records: readonly RevocationRecord[]; readonly fetchedAtMs: number }>();
  /** Key lists are remembered with their token (ReadTokenMemo), so each list's cache key is computed once. */
  private readonly cacheKeys = new WeakMap<readonly RevocationKey[], string>();

  constructor(
    private readonly store: Pick<RevocationStore, 'find'>,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
  ) {}

  find(keys: readonly RevocationKey[]): readonly RevocationRecord[] | Promise<readonly RevocationRecord[]> {
    let cacheKey = this.cacheKeys.get(keys);
    if (cacheKey === undefined) {
      cacheKey = revocationCacheKey(keys);
      this.cacheKeys.set(keys, cacheKey);
    }
    const now = this.clock.nowMs();
    const hit = this.cache.get(cacheKey);
    if (hit && now - hit.fetchedAtMs < this.ttlSeconds * 1000) return hit.records;
    return this.fetch(keys, cacheKey, now);
  }

  private async fetch(keys: readonly RevocationKey[], cacheKey: string, now: number): Promise<readonly RevocationRecord[]> {
    const records = await this.store.find(keys);
    if (this.ttlSeconds > 0) {
      this.dropExpired(now);
      this.cache.delete(cacheKey);
      if (this.cache.size >= REVOCATION_CACHE_MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(cacheKey, { records, fetchedAtMs: now });
    }
    return records;
  }

  /** How many look-ups are remembered. */
  get size(): number {
    return this.cache.size;
  }

  /**
   * The Map holds look-ups in the order they were cached, so the expired ones are at its
   * front: dropping them as each new one is cached keeps a container that served many
   * tokens once from holding all of them until the cap.
   */
  private dropExpired(now: number): void {
    for (const [cacheKey, entry] of this.cache) {
      if (now - entry.fetchedAtMs < this.ttlSeconds * 1000) return;
      this.cache.delete(cacheKey);
    }
  }
}

/** Each value is length-prefixed, so no claim content (separators included) can make two key lists collide. */
function revocationCacheKey(keys: readonly RevocationKey[]): string {
  let cacheKey = '';
  for (const key of keys) cacheKey += `${key.kind}:${key.value.length}:${key.value};`;
  return cacheKey;
}
