/**
 * The scanner's HTTP layer. It audits servers that are not ours, so it trusts nothing they
 * say about where to go next:
 *
 * - it only talks to hosts the target advertised (the MCP URL's host, then the hosts its
 *   metadata names), and follows a redirect only to one of those, at most twice;
 * - every probe has a deadline and a budget of requests, so a slow server cannot stretch
 *   the scan and no probe sends more than a handful of requests;
 * - bodies are read up to a cap (a server may stream forever), and a streamed MCP answer is
 *   read only until the awaited JSON-RPC response has arrived.
 *
 * Nothing here logs a request: headers carry the credentials the scanner must never print.
 */

export interface HttpReply {
  readonly url: string;
  readonly method: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
  /** The Location header, resolved against the request URL. */
  readonly location?: string;
}

export interface SendOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Stop reading the body once this holds for what arrived so far. */
  readonly readUntil?: (bodySoFar: string) => boolean;
}

/** The target (or a host it advertised) could not be reached, or did not answer in time. */
export class ScanNetworkError extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`${url}: ${reason}`);
    this.name = 'ScanNetworkError';
  }
}

/** A request (or a redirect) to a host the target did not advertise. */
export class OffHostError extends Error {
  constructor(readonly url: string) {
    super(`${new URL(url).host} is not a host the target advertised; the scanner does not go there`);
    this.name = 'OffHostError';
  }
}

export class RequestBudgetError extends Error {
  constructor(limit: number) {
    super(`a probe may send at most ${limit} requests`);
    this.name = 'RequestBudgetError';
  }
}

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 2;
export const MAX_REQUESTS_PER_PROBE = 8;

/**
 * The hosts the scan may reach. It starts with the target's host and grows only through
 * what the target's own documents advertise. A public target cannot point the scanner at
 * loopback or private addresses, and no target can point it at link-local ones (cloud
 * instance metadata lives there).
 */
export class AdvertisedHosts {
  private readonly hosts = new Set<string>();
  private readonly targetIsLocal: boolean;

  constructor(target: URL) {
    this.targetIsLocal = isLocalHostname(target.hostname);
    this.hosts.add(target.host.toLowerCase());
  }

  /** Admits the host of an advertised URL; returns why not when it refuses. */
  admit(url: string): string | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `"${url}" is not a URL`;
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return `${parsed.protocol} URLs are not followed`;
    const hostname = bareHostname(parsed.hostname);
    if (isLinkLocal(hostname)) return `${parsed.host} is a link-local address`;
    if (!this.targetIsLocal && isLocalHostname(parsed.hostname)) return `a public target advertised ${parsed.host}, a loopback or private address`;
    this.hosts.add(parsed.host.toLowerCase());
    return undefined;
  }

  allows(url: string): boolean {
    return this.hosts.has(new URL(url).host.toLowerCase());
  }
}

export interface ProbeHttpOptions {
  readonly hosts: AdvertisedHosts;
  readonly timeoutMs: number;
  readonly fetchImpl?: typeof fetch;
  readonly maxRequests?: number;
}

/** The HTTP client of one probe: one deadline for all its requests, and a budget of requests. */
export class ProbeHttp {
  private sent = 0;
  private deadline: number;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ProbeHttpOptions) {
    this.fetchImpl = options.fetchImpl ?? fetch;
    this.deadline = Date.now() + options.timeoutMs;
  }

  /** A fresh deadline, for a probe that waited for a person (--login) before its next request. */
  renewDeadline(): void {
    this.deadline = Date.now() + this.options.timeoutMs;
  }

  get requestCount(): number {
    return this.sent;
  }

  /** One request, no redirect followed. */
  async send(url: string, options: SendOptions = {}): Promise<HttpReply> {
    if (!this.options.hosts.allows(url)) throw new OffHostError(url);
    const limit = this.options.maxRequests ?? MAX_REQUESTS_PER_PROBE;
    if (this.sent >= limit) throw new RequestBudgetError(limit);
    this.sent++;
    const method = options.method ?? 'GET';
    const outOfTime = `no answer within the probe's ${this.options.timeoutMs} ms`;
    const remaining = this.deadline - Date.now();
    if (remaining <= 0) throw new ScanNetworkError(url, outOfTime);
    const signal = AbortSignal.timeout(remaining);
    let response: Response;
    try {
      response = await this.fetchImpl(url, { method, headers: options.headers, body: options.body, redirect: 'manual', signal });
    } catch (error) {
      throw new ScanNetworkError(url, signal.aborted ? outOfTime : describeFetchError(error));
    }
    let body: string;
    try {
      body = await readBody(response, options.readUntil);
    } catch (error) {
      throw new ScanNetworkError(url, signal.aborted ? outOfTime : describeFetchError(error));
    }
    const rawLocation = response.headers.get('location');
    let location: string | undefined;
    if (rawLocation !== null) {
      try {
        location = new URL(rawLocation, url).href;
      } catch {
        location = rawLocation;
      }
    }
    return { url, method, status: response.status, headers: response.headers, body, location };
  }

  /** A GET that follows redirects, but only to advertised hosts. */
  async get(url: string, headers: Readonly<Record<string, string>> = {}): Promise<{ reply: HttpReply; redirects: string[] }> {
    const redirects: string[] = [];
    let reply = await this.send(url, { headers });
    while (isRedirect(reply.status) && reply.location && redirects.length < MAX_REDIRECTS) {
      if (!this.options.hosts.allows(reply.location)) throw new OffHostError(reply.location);
      redirects.push(reply.location);
      reply = await this.send(reply.location, { headers });
    }
    return { reply, redirects };
  }
}

export function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

/** The body as JSON, or undefined when it is not JSON. */
export function jsonOf(reply: HttpReply): unknown {
  try {
    return JSON.parse(reply.body);
  } catch {
    return undefined;
  }
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readBody(response: Response, readUntil?: (bodySoFar: string) => boolean): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      text += decoder.decode(value, { stream: true });
      if (bytes >= MAX_BODY_BYTES || readUntil?.(text)) break;
    }
  } finally {
    // Releases the connection of a stream that would go on (SSE) or is too large.
    await reader.cancel().catch(() => undefined);
  }
  return text + decoder.decode();
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return error instanceof Error ? error.message : String(error);
}

function bareHostname(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

/** Loopback, private (RFC 1918, unique local) and localhost names: where a laptop or a LAN lives. */
export function isLocalHostname(hostname: string): boolean {
  const h = bareHostname(hostname);
  if (isLoopbackHostname(h)) return true;
  const v4 = ipv4Octets(h);
  if (v4) return v4[0] === 10 || (v4[0] === 172 && v4[1]! >= 16 && v4[1]! <= 31) || (v4[0] === 192 && v4[1] === 168) || isLinkLocal(h);
  return /^f[cd][0-9a-f]{2}:/.test(h) || isLinkLocal(h);
}

/** Where plain http is acceptable: the user's own machine (MCP 2026-07-28 allows http for localhost redirects). */
export function isLoopbackHostname(hostname: string): boolean {
  const h = bareHostname(hostname);
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  const v4 = ipv4Octets(h);
  return v4 !== undefined && v4[0] === 127;
}

function isLinkLocal(hostname: string): boolean {
  const v4 = ipv4Octets(hostname);
  if (v4) return v4[0] === 169 && v4[1] === 254;
  return /^fe[89ab][0-9a-f]:/.test(hostname);
}

function ipv4Octets(hostname: string): number[] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  if (!match) return undefined;
  const octets = match.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets : undefined;
}
