/**
 * The UpstreamIdp port over any OpenID Connect provider: Cognito in AWS, the dev IdP
 * locally, or Okta, Entra ID, Auth0... Authorization code flow with S256 PKCE, state and
 * nonce; the ID token is verified with aws-jwt-verify against the JWKS named by discovery.
 *
 * Cognito: issuer https://cognito-idp.<region>.amazonaws.com/<userPoolId>, groups in the
 * `cognito:groups` claim (set groupsClaim to it), and the app client needs a secret for
 * client_secret_basic. Cognito's ID token carries `cognito:username`, read as the username
 * when `preferred_username` is absent.
 *
 * Every way the upstream can say no, or hand back something that does not verify, becomes
 * OAuthError('access_denied') with a generic text; the detail travels in `cause` for the
 * caller's log. An upstream that cannot be reached becomes DependencyUnavailableError.
 */
import { JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { constantTimeEqual } from '../../core/crypto';
import { DependencyUnavailableError, OAuthError } from '../../core/errors';
import type { UpstreamIdentity, UpstreamIdp } from '../../core/ports';

export interface OidcUpstreamIdpOptions {
  /** Exact issuer identifier; the discovery document must repeat it character for character. */
  readonly issuer: string;
  readonly clientId: string;
  /** When set, the token request authenticates with client_secret_basic. */
  readonly clientSecret?: string;
  readonly scopes: readonly string[];
  /** The ID token claim that lists groups: 'cognito:groups' for Cognito, 'groups' for the dev IdP. */
  readonly groupsClaim: string;
  readonly fetch?: typeof fetch;
  /** Per upstream request. @default 5000 */
  readonly timeoutMs?: number;
  /** Tolerated clock skew for exp and iat. @default 60 */
  readonly clockSkewSeconds?: number;
  /** For the iat check; aws-jwt-verify itself reads the system clock. @default Date.now */
  readonly nowMs?: () => number;
}

interface Discovery {
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
}

const UPSTREAM = 'upstream identity provider';
const SIGN_IN_FAILED = 'The sign-in with the identity provider failed.';

/** Thrown by our fetch wrapper so that a network failure inside aws-jwt-verify still reads as "unreachable". */
class UpstreamUnreachableError extends Error {
  constructor(what: string, options: { cause?: unknown } = {}) {
    super(`${what} could not be reached`, options);
    this.name = 'UpstreamUnreachableError';
  }
}

export class OidcUpstreamIdp implements UpstreamIdp {
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly clockSkewSeconds: number;
  private readonly nowMs: () => number;
  private discovery?: Promise<Discovery>;
  private verifier?: { readonly jwksUri: string; verify(token: string): Promise<JwtPayload> };

  constructor(private readonly options: OidcUpstreamIdpOptions) {
    this.fetchFn = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.clockSkewSeconds = options.clockSkewSeconds ?? 60;
    this.nowMs = options.nowMs ?? Date.now;
  }

  async authorizationEndpoint(): Promise<string> {
    return (await this.guard(() => this.discover())).authorizationEndpoint;
  }

  async authorizationUrl(params: Parameters<UpstreamIdp['authorizationUrl']>[0]): Promise<string> {
    const authorizationEndpoint = await this.authorizationEndpoint();
    const url = new URL(authorizationEndpoint);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.options.clientId);
    url.searchParams.set('redirect_uri', params.redirectUri);
    url.searchParams.set('scope', this.options.scopes.join(' '));
    url.searchParams.set('state', params.state);
    url.searchParams.set('nonce', params.nonce);
    url.searchParams.set('code_challenge', params.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    if (params.prompt) url.searchParams.set('prompt', params.prompt);
    if (params.maxAge !== undefined) url.searchParams.set('max_age', String(params.maxAge));
    return url.href;
  }

  async redeem(params: { readonly code: string; readonly codeVerifier: string; readonly nonce: string; readonly redirectUri: string }): Promise<UpstreamIdentity> {
    return this.guard(async () => {
      const discovery = await this.discover();
      const idToken = await this.exchangeCode(discovery, params);
      const claims = await this.verifyIdToken(discovery, idToken, params.nonce);
      return identityFrom(claims, this.options.groupsClaim);
    });
  }

  // -------------------------------------------------------------------------------------

  /** Maps every failure to the two errors the port allows. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof OAuthError || error instanceof DependencyUnavailableError) throw error;
      if (isUnreachable(error)) throw new DependencyUnavailableError(UPSTREAM, { cause: error });
      throw new OAuthError('access_denied', SIGN_IN_FAILED, { cause: error });
    }
  }

  private discover(): Promise<Discovery> {
    if (!this.discovery) {
      this.discovery = this.loadDiscovery();
      // Never cache a failure: the next login tries again.
      this.discovery.catch(() => (this.discovery = undefined));
    }
    return this.discovery;
  }

  private async loadDiscovery(): Promise<Discovery> {
    const url = `${this.options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const response = await this.request(url, { headers: { accept: 'application/json' } });
    if (!response.ok) throw new UpstreamProtocolError(`discovery answered HTTP ${response.status}`, response.status);
    const doc = (await response.json()) as Record<string, unknown>;
    if (doc.issuer !== this.options.issuer) throw new UpstreamProtocolError(`discovery issuer ${JSON.stringify(doc.issuer)} is not ${this.options.issuer}`);
    return {
      authorizationEndpoint: this.endpoint(doc, 'authorization_endpoint'),
      tokenEndpoint: this.endpoint(doc, 'token_endpoint'),
      jwksUri: this.endpoint(doc, 'jwks_uri'),
    };
  }

  private endpoint(doc: Record<string, unknown>, name: string): string {
    const value = doc[name];
    const url = typeof value === 'string' ? URL.canParse(value) && new URL(value) : undefined;
    // An http endpoint is only acceptable from an http issuer (the dev IdP on localhost).
    const allowed = url && (url.protocol === 'https:' || (url.protocol === 'http:' && this.options.issuer.startsWith('http:')));
    if (!url || !allowed) throw new UpstreamProtocolError(`discovery ${name} is missing or not an acceptable URL`);
    return url.href;
  }

  private async exchangeCode(discovery: Discovery, params: { code: string; codeVerifier: string; redirectUri: string }): Promise<string> {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.code,
      redirect_uri: params.redirectUri,
      code_verifier: params.codeVerifier,
    });
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (this.options.clientSecret !== undefined) {
      // RFC 6749 section 2.3.1: both parts are form-encoded before Base64.
      const credentials = `${formEncode(this.options.clientId)}:${formEncode(this.options.clientSecret)}`;
      headers.authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
    } else {
      body.set('client_id', this.options.clientId);
    }
    const response = await this.request(discovery.tokenEndpoint, { method: 'POST', headers, body: body.toString() });
    const payload = (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!response.ok) {
      // The error code is safe to log; the rest of an error body is not ours to trust.
      const code = typeof payload?.error === 'string' ? payload.error.slice(0, 64) : 'no error code';
      throw new UpstreamProtocolError(`token endpoint answered HTTP ${response.status} (${code})`, response.status);
    }
    if (typeof payload?.id_token !== 'string') throw new UpstreamProtocolError('token response carried no id_token');
    return payload.id_token;
  }

  private async verifyIdToken(discovery: Discovery, idToken: string, expectedNonce: string): Promise<JwtPayload> {
    const payload = await this.verifierFor(discovery.jwksUri).verify(idToken);
    const now = this.nowMs() / 1000;
    if (typeof payload.exp !== 'number') throw new IdTokenRejectedError('exp is missing');
    if (typeof payload.iat !== 'number' || payload.iat > now + this.clockSkewSeconds) throw new IdTokenRejectedError('iat is missing or in the future');
    if (typeof payload.nonce !== 'string' || !constantTimeEqual(payload.nonce, expectedNonce)) throw new IdTokenRejectedError('nonce does not match');
    // OpenID Connect Core 3.1.3.7: with several audiences, azp must name us.
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if ((audiences.length > 1 || payload.azp !== undefined) && payload.azp !== this.options.clientId) throw new IdTokenRejectedError('azp is not this client');
    return payload;
  }

  private verifierFor(jwksUri: string): { verify(token: string): Promise<JwtPayload> } {
    if (this.verifier?.jwksUri !== jwksUri) {
      const jwksCache = new SimpleJwksCache({ fetcher: new JwksFetcher((url) => this.request(url, { headers: { accept: 'application/json' } })) });
      const verifier = JwtVerifier.create(
        {
          issuer: this.options.issuer,
          audience: this.options.clientId,
          jwksUri,
          graceSeconds: this.clockSkewSeconds,
          customJwtCheck: ({ header }) => {
            if (header.alg !== 'RS256') throw new IdTokenRejectedError(`alg ${String(header.alg)} is not RS256`);
          },
        },
        { jwksCache },
      );
      this.verifier = { jwksUri, verify: (token) => verifier.verify(token) };
    }
    return this.verifier;
  }

  /** One HTTP exchange with the upstream, bounded in time, never following redirects. */
  private async request(url: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchFn(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new UpstreamUnreachableError(new URL(url).origin + new URL(url).pathname, { cause: error });
    }
    if (response.status >= 500) throw new UpstreamUnreachableError(`${new URL(url).pathname} (HTTP ${response.status})`);
    return response;
  }
}

class UpstreamProtocolError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'UpstreamProtocolError';
  }
}

class IdTokenRejectedError extends Error {
  constructor(reason: string) {
    super(`ID token rejected: ${reason}`);
    this.name = 'IdTokenRejectedError';
  }
}

/** aws-jwt-verify's Fetcher over our bounded request, so http works for the dev IdP and tests can inject fetch. */
class JwksFetcher implements Fetcher {
  constructor(private readonly get: (url: string) => Promise<Response>) {}

  async fetch(uri: string): Promise<ArrayBuffer> {
    const response = await this.get(uri);
    if (response.status !== 200) throw new UpstreamProtocolError(`JWKS answered HTTP ${response.status}`, response.status);
    return response.arrayBuffer();
  }
}

function isUnreachable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if (e instanceof UpstreamUnreachableError) return true;
  }
  return false;
}

function identityFrom(claims: JwtPayload, groupsClaim: string): UpstreamIdentity {
  if (typeof claims.sub !== 'string' || claims.sub.length === 0) throw new IdTokenRejectedError('sub is missing');
  const authTime = typeof claims.auth_time === 'number' ? claims.auth_time : (claims.iat as number);
  const username = stringClaim(claims.preferred_username) ?? stringClaim(claims['cognito:username']);
  const email = stringClaim(claims.email);
  return {
    subject: claims.sub,
    groups: readGroups(claims[groupsClaim]),
    authTime,
    ...(username === undefined ? {} : { username }),
    ...(email === undefined ? {} : { email }),
  };
}

/** Groups arrive as a JSON array (Cognito, Okta) or, from some IdPs, one space- or comma-separated string. */
export function readGroups(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : [];
  return [...new Set(items.filter((g): g is string => typeof g === 'string' && g.length > 0))];
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}
