/**
 * Reading an access token this server issued, for /revoke and /introspect (RFC 7009 section
 * 2.1, RFC 7662 section 2.2): the same syntax, claim and lifetime rules as the guard, our own
 * published keys for the signature, our own clock for the lifetime. Any doubt is "not a valid
 * token", never a throw, so a hostile token cannot turn into a 500. Revocation is the
 * caller's check.
 */
import type { AccessTokenClaims } from '../tokens/access-token-claims';
import { readAccessTokenClaims } from '../tokens/access-token-claims';
import { accessTokenTimeFailure } from '../tokens/access-token-lifetime';
import { decodeAccessToken } from '../tokens/access-token-syntax';
import { signatureMatches } from '../tokens/jws-signature';
import type { AuthorizationServerDeps } from './deps';

export async function verifyIssuedAccessToken(deps: Pick<AuthorizationServerDeps, 'config' | 'signer'>, token: string, nowSeconds: number): Promise<AccessTokenClaims | undefined> {
  try {
    const decoded = decodeAccessToken(token);
    if (!decoded.ok) return undefined;
    const { kid, headerB64, payloadB64, signatureB64, payload } = decoded.value;
    const key = (await deps.signer.publicKeys()).find((k) => k.kid === kid);
    if (!key || !signatureMatches(key, `${headerB64}.${payloadB64}`, signatureB64)) return undefined;
    const claims = readAccessTokenClaims(payload, { issuer: deps.config.issuer });
    if (!claims.ok) return undefined;
    const late = accessTokenTimeFailure(claims.value, { nowSeconds, skewSeconds: deps.config.guard.clockSkewSeconds, expiryGraceSeconds: 0 });
    return late ? undefined : claims.value;
  } catch {
    return undefined;
  }
}
