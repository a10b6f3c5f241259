/**
 * One error type for every OAuth failure the core can name. `code` is the wire error code
 * (RFC 6749 section 5.2, RFC 8707, RFC 7591, RFC 6750, RFC 9449); `description` is safe to
 * show to the caller and never says which internal check failed when that would help an
 * attacker. Anything that is not an OAuthError becomes a generic 500 server_error, with
 * details in the log only.
 */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_target'
  | 'invalid_client_metadata'
  | 'invalid_redirect_uri'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'unsupported_token_type'
  | 'slow_down';

const DEFAULT_STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  unsupported_response_type: 400,
  invalid_scope: 400,
  access_denied: 403,
  server_error: 500,
  temporarily_unavailable: 503,
  invalid_target: 400,
  invalid_client_metadata: 400,
  invalid_redirect_uri: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  invalid_dpop_proof: 400,
  use_dpop_nonce: 400,
  unsupported_token_type: 400,
  slow_down: 429,
};

export interface OAuthErrorOptions {
  readonly status?: number;
  readonly cause?: unknown;
  /** Extra response headers, e.g. Retry-After on 429/503. */
  readonly headers?: Readonly<Record<string, string>>;
}

export class OAuthError extends Error {
  readonly code: OAuthErrorCode;
  readonly description: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(`${code}: ${description}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OAuthError';
    this.code = code;
    this.description = description;
    this.status = options.status ?? DEFAULT_STATUS[code];
    this.headers = options.headers ?? {};
  }

  /** Only errors below 500 carry their own text to the caller. */
  get exposed(): boolean {
    return this.status < 500;
  }
}

/** A store or signer reported that a dependency is overloaded or down: 503, and nothing was consumed. */
export class DependencyUnavailableError extends Error {
  constructor(dependency: string, options: { cause?: unknown } = {}) {
    super(`${dependency} is unavailable`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DependencyUnavailableError';
  }
}

/** A conditional write lost a race (someone else consumed or rotated first). */
export class ConditionFailedError extends Error {
  constructor(what: string) {
    super(`condition failed: ${what}`);
    this.name = 'ConditionFailedError';
  }
}

/**
 * Why a token-issuing write (GrantWriter) wrote nothing: `moved_on` when the code was
 * redeemed, or the family rotated or was revoked, since the request read it (a lost race);
 * `revoked` when a revocation row it had to be clear of covers the grant.
 */
export type GrantRefusal = 'moved_on' | 'revoked';

/** A token-issuing write was refused by one of its conditions; nothing was written. */
export class GrantRefusedError extends Error {
  constructor(readonly refusal: GrantRefusal) {
    super(`grant write refused: ${refusal}`);
    this.name = 'GrantRefusedError';
  }
}
