/**
 * What the guard has read from access tokens it has seen verify, by their exact text. An
 * MCP client sends the same access token with every request until it expires, so a warm
 * authorizer sees each token many times; decoding and parsing it again every time is
 * wasted work, about a fifth of the hot path.
 *
 * It remembers only what is a pure function of the token's text (the decoded header and
 * payload, the claims read from it), never an outcome: every request still verifies the
 * signature against the current JWKS, checks the time claims against the clock and looks
 * up revocation. Callers admit a token only after its signature has verified, so forged
 * tokens, which never verify, cannot push real ones out. Bounded; the oldest entry goes
 * first, which also ages out tokens that have expired or been revoked (they keep failing
 * their checks while they wait).
 */
export class ReadTokenMemo<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  }

  get(token: string): T | undefined {
    return this.entries.get(token);
  }

  remember(token: string, read: T): void {
    if (this.entries.has(token)) return;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, read);
  }

  get size(): number {
    return this.entries.size;
  }
}
