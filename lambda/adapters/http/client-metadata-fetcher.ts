/**
 * Fetches client ID metadata documents (the CIMD draft) from URLs that anyone can name as
 * a client_id, which makes the authorization server an SSRF tool unless every step is
 * guarded (docs/security.md, case 47-49):
 *
 *   1. the URL must be plain https with a canonical host (fetch-target.ts);
 *   2. the host is resolved once, and EVERY address must be public (ip-address-policy.ts);
 *   3. the connection goes to the vetted address, pinned: a custom `lookup` hands it to
 *      the socket, so a DNS answer that changes between check and connect (rebinding)
 *      cannot steer us elsewhere, while TLS still verifies the certificate for the host;
 *   4. no redirects, a total deadline (a slow drip is cut off), a byte cap, and a JSON
 *      object or nothing.
 *
 * Successes are cached (at most cacheSeconds, less if the server's max-age says so);
 * failures never are, so a fixed document works on the next try. Every failure is one
 * OAuthError('invalid_client') with a fixed text; the reason travels in `cause` for logs.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { OAuthError } from '../../core/errors';
import type { ClientMetadataFetcher, Clock } from '../../core/ports';
import { parseFetchTarget, type FetchTarget } from './fetch-target';
import { classifyIpAddress } from './ip-address-policy';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface HttpClientMetadataFetcherOptions {
  /** The whole exchange, from DNS to the last byte. */
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly cacheSeconds: number;
  readonly clock: Clock;
  /** @default node:dns lookup with all: true */
  readonly resolve?: HostResolver;
  /**
   * TESTS ONLY: origins (e.g. 'https://127.0.0.1:8443') whose addresses skip the address
   * policy, so a test can serve documents from loopback. Every other rule still applies.
   */
  readonly allowedTestOrigins?: readonly string[];
  /**
   * TESTS ONLY: the trusted CA certificates (PEM), replacing Node's default list; pass
   * tls.rootCertificates too to keep trusting the public CAs. Verification itself is never turned off.
   */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
}

/** Why a fetch failed; the `cause` of the OAuthError, for the log and never for the caller. */
export class MetadataFetchError extends Error {
  constructor(readonly url: string, readonly reason: string) {
    super(`client metadata document ${url}: ${reason}`);
    this.name = 'MetadataFetchError';
  }
}

const PUBLIC_DESCRIPTION = 'The client metadata document could not be retrieved.';
const MAX_CACHE_ENTRIES = 1000;

interface CacheEntry {
  readonly document: Record<string, unknown>;
  readonly expiresAtMs: number;
}

export class HttpClientMetadataFetcher implements ClientMetadataFetcher {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, Promise<{ document: Record<string, unknown>; maxAgeSeconds?: number }>>();
  private readonly resolve: HostResolver;
  private readonly allowedTestOrigins: ReadonlySet<string>;

  constructor(private readonly options: HttpClientMetadataFetcherOptions) {
    this.resolve = options.resolve ?? systemResolve;
    this.allowedTestOrigins = new Set(options.allowedTestOrigins ?? []);
  }

  async fetch(url: string): Promise<Record<string, unknown>> {
    const cached = this.cache.get(url);
    if (cached && cached.expiresAtMs > this.options.clock.nowMs()) return structuredClone(cached.document);
    if (cached) this.cache.delete(url);

    // Concurrent logins with one client share a single fetch rather than multiplying our outbound traffic.
    let pending = this.inFlight.get(url);
    if (!pending) {
      pending = this.retrieve(url).finally(() => this.inFlight.delete(url));
      this.inFlight.set(url, pending);
    }
    let result: { document: Record<string, unknown>; maxAgeSeconds?: number };
    try {
      result = await pending;
    } catch (error) {
      throw new OAuthError('invalid_client', PUBLIC_DESCRIPTION, { cause: error instanceof MetadataFetchError ? error : new MetadataFetchError(url, describe(error)) });
    }
    this.remember(url, result.document, result.maxAgeSeconds);
    return structuredClone(result.document);
  }

  private remember(url: string, document: Record<string, unknown>, maxAgeSeconds: number | undefined): void {
    const seconds = Math.min(this.options.cacheSeconds, maxAgeSeconds ?? Infinity);
    if (seconds <= 0) return;
    if (this.cache.size >= MAX_CACHE_ENTRIES) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(url, { document, expiresAtMs: this.options.clock.nowMs() + seconds * 1000 });
  }

  private async retrieve(url: string): Promise<{ document: Record<string, unknown>; maxAgeSeconds?: number }> {
    const parsed = parseFetchTarget(url);
    if (!parsed.ok) throw new MetadataFetchError(url, parsed.reason);
    const { target } = parsed;

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.options.timeoutMs);
    try {
      const address = await withDeadline(this.vettedAddress(target), deadline.signal, url);
      return await this.download(target, address, deadline.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Resolves once and returns the address to pin, or refuses if any answer is not public. */
  private async vettedAddress(target: FetchTarget): Promise<ResolvedAddress> {
    const url = target.url.href;
    let addresses: readonly ResolvedAddress[];
    if (target.ipLiteral) {
      addresses = [{ address: target.ipLiteral, family: target.ipLiteral.includes(':') ? 6 : 4 }];
    } else {
      try {
        addresses = await this.resolve(target.hostname);
      } catch (error) {
        throw new MetadataFetchError(url, `host did not resolve (${describe(error)})`);
      }
    }
    if (addresses.length === 0) throw new MetadataFetchError(url, 'host resolved to no address');
    if (!this.allowedTestOrigins.has(target.url.origin)) {
      // ANY bad answer refuses the host: a name that resolves to a public and a private address is an attack.
      for (const { address } of addresses) {
        const cls = classifyIpAddress(address);
        if (cls !== 'public') throw new MetadataFetchError(url, `host resolves to a ${cls} address (${address})`);
      }
    }
    return addresses[0]!;
  }

  private download(target: FetchTarget, pinned: ResolvedAddress, signal: AbortSignal): Promise<{ document: Record<string, unknown>; maxAgeSeconds?: number }> {
    const url = target.url.href;
    const maxBytes = this.options.maxBytes;
    const pinnedLookup: LookupFunction = (_hostname, options, callback) => {
      // Node asks for all addresses when it races IPv4 and IPv6 (autoSelectFamily); give it only the vetted one.
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };

    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (reason: string) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        request.destroy();
        reject(new MetadataFetchError(url, reason));
      };
      // The deadline covers connect, headers and body alike: a server that drips bytes is cut off here.
      const onAbort = () => fail('timed out');
      const request = httpsRequest(
        {
          host: target.ipLiteral ?? target.hostname,
          port: target.port,
          path: `${target.url.pathname}${target.url.search}`,
          method: 'GET',
          headers: { accept: 'application/json', 'accept-encoding': 'identity', 'user-agent': 'mcp-oauth-aws client-metadata-fetcher' },
          lookup: pinnedLookup,
          // A fresh socket per fetch: a pooled connection could belong to an earlier resolution.
          agent: false,
          ...(target.ipLiteral ? {} : { servername: target.hostname }),
          ...(this.options.ca ? { ca: this.options.ca as string | Buffer | (string | Buffer)[] } : {}),
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status >= 300 && status < 400) return fail(`answered a redirect (HTTP ${status}); redirects are not followed`);
          if (status !== 200) return fail(`answered HTTP ${status}`);
          const type = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
          if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) return fail(`content type is ${type || 'missing'}, not application/json`);
          const declared = Number(response.headers['content-length']);
          if (Number.isFinite(declared) && declared > maxBytes) return fail(`declares ${declared} bytes, more than ${maxBytes}`);
          const maxAgeSeconds = maxAge(response.headers['cache-control']);

          const chunks: Buffer[] = [];
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (received > maxBytes) return fail(`body is larger than ${maxBytes} bytes`);
            chunks.push(chunk);
          });
          response.on('error', (error) => fail(`response failed (${describe(error)})`));
          response.on('end', () => {
            if (received > maxBytes) return;
            let document: unknown;
            try {
              document = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              return fail('body is not JSON');
            }
            if (typeof document !== 'object' || document === null || Array.isArray(document)) return fail('body is not a JSON object');
            if (settled) return;
            settled = true;
            signal.removeEventListener('abort', onAbort);
            resolve({ document: document as Record<string, unknown>, maxAgeSeconds });
          });
        },
      );
      request.on('error', (error) => fail(`request failed (${describe(error)})`));
      if (signal.aborted) return fail('timed out');
      signal.addEventListener('abort', onAbort, { once: true });
      request.end();
    });
  }
}

export const systemResolve: HostResolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));

/** max-age from Cache-Control; no-store and no-cache mean "do not reuse", i.e. 0. */
function maxAge(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const directives = header.toLowerCase().split(',').map((d) => d.trim());
  if (directives.includes('no-store') || directives.includes('no-cache')) return 0;
  const value = directives.find((d) => d.startsWith('max-age='))?.slice('max-age='.length);
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

function withDeadline<T>(work: Promise<T>, signal: AbortSignal, url: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new MetadataFetchError(url, 'timed out'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) return (error as NodeJS.ErrnoException).code ?? error.message;
  return String(error);
}
