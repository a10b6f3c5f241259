/**
 * The JWKS of the enterprise IdPs the operator trusts (trustedIdentityProviders[].jwksUri):
 * fetched with a deadline and a size cap, cached, and fetched again when an ID-JAG names a
 * kid the cached set lacks (the IdP rotated), at most once per refetch interval so that
 * made-up kids cannot turn /token into a request flood against the IdP. The URLs come from
 * the operator's configuration, not from requests, so unlike client metadata documents
 * they may point at loopback (local mode's dev IdP).
 */
import { DependencyUnavailableError } from '../../core/errors';
import type { JsonWebKeyConfig } from '../../core/config';
import type { Clock, TrustedIssuerKeys } from '../../core/ports';

export interface HttpTrustedJwksSourceOptions {
  readonly clock: Clock;
  /** @default 300 */
  readonly cacheSeconds?: number;
  /** @default 30 */
  readonly minRefetchSeconds?: number;
  /** @default 3000 */
  readonly timeoutMs?: number;
  /** @default 65536 */
  readonly maxBytes?: number;
  readonly fetch?: typeof fetch;
}

interface CachedSet {
  readonly keys: readonly JsonWebKeyConfig[];
  readonly fetchedAt: number;
}

export class HttpTrustedJwksSource implements TrustedIssuerKeys {
  private readonly cache = new Map<string, CachedSet>();

  constructor(private readonly options: HttpTrustedJwksSourceOptions) {}

  async keys(jwksUri: string, kid: string | undefined): Promise<readonly JsonWebKeyConfig[]> {
    const now = this.options.clock.nowMs() / 1000;
    const cached = this.cache.get(jwksUri);
    const fresh = cached && now - cached.fetchedAt < (this.options.cacheSeconds ?? 300);
    const lacksKid = cached && kid !== undefined && !cached.keys.some((key) => key.kid === kid);
    const mayRefetch = !cached || now - cached.fetchedAt >= (this.options.minRefetchSeconds ?? 30);
    if (cached && (fresh && !lacksKid || !mayRefetch)) return cached.keys;
    const keys = await this.fetchKeys(jwksUri);
    this.cache.set(jwksUri, { keys, fetchedAt: now });
    return keys;
  }

  private async fetchKeys(jwksUri: string): Promise<readonly JsonWebKeyConfig[]> {
    let body: string;
    try {
      const response = await (this.options.fetch ?? fetch)(jwksUri, { redirect: 'error', signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000), headers: { accept: 'application/json' } });
      if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
      body = await response.text();
    } catch (error) {
      throw new DependencyUnavailableError(`trusted IdP JWKS ${jwksUri}`, { cause: error });
    }
    if (body.length > (this.options.maxBytes ?? 65536)) throw new DependencyUnavailableError(`trusted IdP JWKS ${jwksUri} (too large)`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      throw new DependencyUnavailableError(`trusted IdP JWKS ${jwksUri} (not JSON)`, { cause: error });
    }
    const keys = (parsed as { keys?: unknown })?.keys;
    if (!Array.isArray(keys)) throw new DependencyUnavailableError(`trusted IdP JWKS ${jwksUri} (no keys)`);
    return keys.filter((key): key is JsonWebKeyConfig => typeof key === 'object' && key !== null && typeof (key as { kty?: unknown }).kty === 'string');
  }
}
