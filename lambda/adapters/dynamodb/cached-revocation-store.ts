/**
 * Revocation look-ups remembered for `ttlSeconds`, in front of the revocation store. This
 * TTL plus API Gateway's authorizer cache TTL is the longest a revoked token can still pass
 * (docs/guard.md). A fresh hit answers without a promise, so a warm authorizer stays
 * synchronous; an empty TTL turns the cache off.
 */
import type { Clock, RevocationKey, RevocationLookup, RevocationRecord, RevocationStore } from '../../core/ports';
import { ExpiringCache } from '../system/expiring-cache';

/** A bound for a container that serves many tokens within one TTL. */
export const REVOCATION_CACHE_MAX_ENTRIES = 10_000;

export class CachedRevocationStore implements RevocationLookup {
  /** Expired look-ups are dropped as new ones are cached (ExpiringCache), so a container that served many tokens once does not hold all of them until the cap. */
  private readonly cache: ExpiringCache<readonly RevocationRecord[]>;
  /** Key lists are remembered with their token (ReadTokenMemo), so each list's cache key is computed once. */
  private readonly cacheKeys = new WeakMap<readonly RevocationKey[], string>();

  constructor(
    private readonly store: Pick<RevocationStore, 'find'>,
    private readonly clock: Clock,
    ttlSeconds: number,
  ) {
    this.cache = new ExpiringCache(ttlSeconds * 1000, REVOCATION_CACHE_MAX_ENTRIES);
  }

  find(keys: readonly RevocationKey[]): readonly RevocationRecord[] | Promise<readonly RevocationRecord[]> {
    let cacheKey = this.cacheKeys.get(keys);
    if (cacheKey === undefined) {
      cacheKey = revocationCacheKey(keys);
      this.cacheKeys.set(keys, cacheKey);
    }
    const now = this.clock.nowMs();
    return this.cache.get(cacheKey, now) ?? this.fetch(keys, cacheKey, now);
  }

  private async fetch(keys: readonly RevocationKey[], cacheKey: string, now: number): Promise<readonly RevocationRecord[]> {
    const records = await this.store.find(keys);
    this.cache.set(cacheKey, records, now);
    return records;
  }

  /** How many look-ups are remembered. */
  get size(): number {
    return this.cache.size;
  }
}

/** Each value is length-prefixed, so no claim content (separators included) can make two key lists collide. */
function revocationCacheKey(keys: readonly RevocationKey[]): string {
  let cacheKey = '';
  for (const key of keys) cacheKey += `${key.kind}:${key.value.length}:${key.value};`;
  return cacheKey;
}
