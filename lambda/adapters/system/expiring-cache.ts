/**
 * The per-container caches' one mechanism (clients, revocation look-ups, the emulator's
 * authorizer answers): entries live `ttlMs` from when they were set, and at most
 * `maxEntries` are held. Every entry has the same TTL and a key set again moves to the end,
 * so the Map's order is expiry order: set() drops the expired entries from the front before
 * it adds one (a container that sees a stream of new keys holds those of one TTL, not the
 * last `maxEntries`), and a full cache drops the entry nearest its expiry. A read never
 * extends an entry's life. The caller passes the time, so the cache holds no clock.
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { readonly value: V; readonly setAtMs: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  /** The value if it was set less than the TTL ago; an expired one is dropped. */
  get(key: string, nowMs: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (nowMs - entry.setAtMs < this.ttlMs) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** Remembers the value from now on; nothing with a TTL of 0. */
  set(key: string, value: V, nowMs: number): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key);
    for (const [oldKey, old] of this.entries) {
      if (nowMs - old.setAtMs < this.ttlMs) break;
      this.entries.delete(oldKey);
    }
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, setAtMs: nowMs });
  }

  clear(): void {
    this.entries.clear();
  }

  /** How many entries are held now, expired ones not yet dropped included. */
  get size(): number {
    return this.entries.size;
  }
}
