/**
 * aws-jwt-verify, fed a token we have already split and parsed once (core/tokens'
 * decodeAccessToken), and synchronous whenever it can be. The library still does all of
 * its work: it picks the JWK by kid from its JWKS cache, checks the JWK against the header
 * alg, verifies the RS256 signature over `headerB64.payloadB64` with its cached KeyObject,
 * and checks exp/nbf (with grace), iss and aud. Only its own re-parse of the token, and the
 * promise hops of its async path, are skipped.
 *
 * A kid the cached JWKS does not have, or a JWKS not fetched yet, takes the library's async
 * path: a JWKS fetch, at most one per cooldown (its penalty box), so a flood of unknown
 * kids cannot turn into a flood of fetches.
 *
 * A token whose signature has verified is not verified again while the very key that
 * verified it is still the one its kid names in the cached JWKS (docs/guard.md, "A token
 * seen before"). The memo is keyed by the decoded token, which the guard's ReadTokenMemo
 * holds once per exact token text: another text (a changed byte, another signature) is
 * another object and is verified in full. A refetched JWKS holds new key objects, so every
 * remembered token is verified again once after any refetch, and a key that left the JWKS
 * verifies nothing. The time claims, revocation and the route decision are not this
 * port's: the guard checks them on every request.
 */
import { FetchError, JwksNotAvailableInCacheError, JwksValidationError, KidNotFoundInJwksError } from 'aws-jwt-verify/error';
import type { Fetcher } from 'aws-jwt-verify/https';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache, SimplePenaltyBox, type JwkWithKid } from 'aws-jwt-verify/jwk';
import type { DecomposedJwt } from 'aws-jwt-verify/jwt';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import { JwtVerifierBase } from 'aws-jwt-verify/jwt-verifier';
import type { AccessTokenSignatures } from '../../core/ports';
import type { DecodedAccessToken } from '../../core/tokens/access-token-syntax';

type AccessTokenVerifyProperties = {
  issuer: string;
  audience: string;
  jwksUri: string;
  graceSeconds: number;
};

export interface AccessTokenVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  /** Allowed clock difference for exp and nbf. */
  readonly graceSeconds: number;
  /** After an unknown kid, no JWKS refetch for this long. */
  readonly jwksRefetchCooldownSeconds: number;
}

export class AccessTokenVerifier extends JwtVerifierBase<AccessTokenVerifyProperties, AccessTokenVerifyProperties, false> implements AccessTokenSignatures {
  private readonly properties: AccessTokenVerifyProperties;
  private readonly jwks: SimpleJwksCache;
  /** The key each remembered token verified with; weak, so it goes when the guard forgets the token. */
  private readonly verifiedWith = new WeakMap<DecodedAccessToken, JwkWithKid>();

  constructor(options: AccessTokenVerifierOptions) {
    const properties = { issuer: options.issuer, audience: options.audience, jwksUri: options.jwksUri, graceSeconds: options.graceSeconds };
    const jwks = new SimpleJwksCache({
      fetcher: new LoopbackAwareFetcher(),
      penaltyBox: new SimplePenaltyBox({ waitSeconds: options.jwksRefetchCooldownSeconds }),
    });
    super(properties, jwks);
    this.properties = properties;
    this.jwks = jwks;
  }

  /**
   * The verified payload, synchronously when the kid is in the cached JWKS (every warm call
   * with a current token), otherwise a promise of it. Throws, or rejects, with the
   * library's error when the token does not verify.
   */
  verifyDecoded(token: DecodedAccessToken): JwtPayload | Promise<JwtPayload> {
    const decomposed = token as unknown as DecomposedJwt;
    try {
      return this.verifyDecomposedJwtSync(decomposed, this.properties.jwksUri, this.properties);
    } catch (error) {
      if (error instanceof KidNotFoundInJwksError || error instanceof JwksNotAvailableInCacheError) {
        return this.verifyDecomposedJwt(decomposed, this.properties.jwksUri, this.properties);
      }
      throw error;
    }
  }

  /**
   * The AccessTokenSignatures port: the library's verdict as a reason for the log. Failing to
   * fetch or read the JWKS is not the token's fault and is thrown as it is.
   */
  rejection(token: DecodedAccessToken): string | undefined | Promise<string | undefined> {
    // Read in the same synchronous step as the library's own look-up below: the key remembered is the key that verified.
    const key = this.publishedKey(token);
    if (key !== undefined && this.verifiedWith.get(token) === key) return undefined;
    try {
      const verified = this.verifyDecoded(token);
      // After a JWKS fetch nothing is remembered: the next request verifies from the cache, and is remembered then.
      if (verified instanceof Promise) return verified.then(() => undefined, rejectionOf);
      if (key !== undefined) this.verifiedWith.set(token, key);
      return undefined;
    } catch (error) {
      return rejectionOf(error);
    }
  }

  /**
   * Fetches the JWKS into the cache ahead of the first token (a cold start's init, while the
   * rest of it runs). A request arriving during the fetch waits for that same fetch; a failed
   * one is not remembered, so the first token fetches again.
   */
  async prefetchJwks(): Promise<void> {
    await this.jwks.getJwks(this.properties.jwksUri);
  }

  /** The key the token's kid names in the cached JWKS now, if any (never a fetch). */
  private publishedKey(token: DecodedAccessToken): JwkWithKid | undefined {
    try {
      return this.jwks.getCachedJwk(this.properties.jwksUri, token as unknown as DecomposedJwt);
    } catch {
      return undefined;
    }
  }
}

function rejectionOf(error: unknown): string {
  if (error instanceof FetchError || error instanceof JwksValidationError || error instanceof JwksNotAvailableInCacheError) throw error;
  return error instanceof Error ? error.name : 'verification failed';
}

/**
 * aws-jwt-verify fetches over https only. Local mode's issuer is http://localhost, so plain
 * http is allowed for loopback hosts and nothing else.
 */
class LoopbackAwareFetcher implements Fetcher {
  private readonly https = new SimpleFetcher();

  async fetch(uri: string): Promise<ArrayBuffer> {
    const url = new URL(uri);
    if (url.protocol === 'https:') return this.https.fetch(uri);
    if (url.protocol !== 'http:' || !['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) throw new FetchError(uri, 'JWKS must be fetched over https');
    const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(3000) }).catch((error: unknown) => {
      throw new FetchError(uri, error instanceof Error ? error.message : 'fetch failed');
    });
    if (response.status !== 200) throw new FetchError(uri, `Status code is ${response.status}, expected 200`);
    return response.arrayBuffer();
  }
}
