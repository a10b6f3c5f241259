/**
 * For MCP server authors: call a downstream API on the user's behalf without passing the
 * user's token on (MCP security best practices, token passthrough). The server trades the
 * access token it received for one the downstream accepts (RFC 8693 at the authorization
 * server's /token, authenticated as the resource's serverClient), and reuses it until
 * shortly before it expires. The cache is keyed by a hash of the subject token, the
 * resource and the scope, so one user's token is never handed out for another's request,
 * and holds no more than maxEntries tokens (the oldest go first).
 */
import { createHash } from 'node:crypto';

export interface TokenExchangerOptions {
  /** The authorization server's token endpoint (its metadata's token_endpoint). */
  readonly tokenEndpoint: string;
  /** The resource's serverClient: the client id and secret the MCP server authenticates with. */
  readonly clientId: string;
  readonly clientSecret: string;
  /** A cached token is renewed this long before it expires. @default 30 */
  readonly renewBeforeSeconds?: number;
  /** @default 1000 */
  readonly maxEntries?: number;
  /** @default 5000 */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  readonly nowMs?: () => number;
}

export interface TokenExchangeTarget {
  /** The downstream API's resource URI (one of the resource's downstream[]). */
  readonly resource: string;
  /** Narrower than the mapping gives; absent: all of it. */
  readonly scope?: string;
}

export interface TokenExchanger {
  /** An access token for the downstream, from the cache or a new exchange. Throws TokenExchangeError when the authorization server refuses. */
  exchange(subjectToken: string, target: TokenExchangeTarget): Promise<string>;
}

/** The authorization server refused the exchange; `error` is its OAuth error code. Never holds a token. */
export class TokenExchangeError extends Error {
  constructor(readonly status: number, readonly error: string) {
    super(`token exchange refused: HTTP ${status} ${error}`);
    this.name = 'TokenExchangeError';
  }
}

export function createTokenExchanger(options: TokenExchangerOptions): TokenExchanger {
  const cache = new Map<string, { readonly token: string; readonly expiresAtMs: number }>();
  const now = options.nowMs ?? Date.now;
  const renewMs = (options.renewBeforeSeconds ?? 30) * 1000;
  const maxEntries = options.maxEntries ?? 1000;
  const basic = `Basic ${Buffer.from(`${formEncode(options.clientId)}:${formEncode(options.clientSecret)}`).toString('base64')}`;

  return {
    async exchange(subjectToken, target) {
      const key = createHash('sha256').update(`${subjectToken}\u0000${target.resource}\u0000${target.scope ?? ''}`).digest('base64url');
      const cached = cache.get(key);
      if (cached && cached.expiresAtMs - renewMs > now()) return cached.token;
      cache.delete(key);

      const body = new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token: subjectToken,
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        resource: target.resource,
        ...(target.scope === undefined ? {} : { scope: target.scope }),
      });
      const response = await (options.fetch ?? fetch)(options.tokenEndpoint, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
      const answer = (await response.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
      if (response.status !== 200 || typeof answer.access_token !== 'string' || typeof answer.expires_in !== 'number') {
        throw new TokenExchangeError(response.status, typeof answer.error === 'string' ? answer.error : 'invalid_response');
      }
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
      cache.set(key, { token: answer.access_token, expiresAtMs: now() + answer.expires_in * 1000 });
      return answer.access_token;
    },
  };
}

/** RFC 6749 section 2.3.1: id and secret are form-encoded before they are joined. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
