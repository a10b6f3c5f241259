/**
 * Issuing access tokens (RFC 9068 section 2): `aud` is the one resource the token is for
 * (RFC 8707 downscoping), `fid` names the refresh family that minted it, so revoking the
 * family revokes every access token it ever produced (refresh reuse, code replay, /revoke).
 */
import { base64url } from '../crypto';
import { accessTokenPayload, type AccessTokenClaims } from '../tokens/access-token-claims';
import { ACCESS_TOKEN_TYP } from '../tokens/access-token-type';
import { signJwt } from '../tokens/jws-signature';
import type { AuthorizationServerDeps } from './deps';

const JTI_BYTES = 16;

export interface AccessTokenGrant {
  readonly subject: string;
  readonly clientId: string;
  readonly audience: string;
  readonly scope: readonly string[];
  /** The refresh family whose revocation ends this token; none for a grant without one (client_credentials). */
  readonly familyId?: string;
  /** When the user authenticated; none for a machine. */
  readonly authTime?: number;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly claims: AccessTokenClaims;
}

type SigningDeps = Pick<AuthorizationServerDeps, 'config' | 'signer' | 'random'>;

export async function issueAccessToken(deps: SigningDeps, grant: AccessTokenGrant, nowSeconds: number): Promise<IssuedAccessToken> {
  const claims: AccessTokenClaims = {
    issuer: deps.config.issuer,
    subject: grant.subject,
    audience: grant.audience,
    clientId: grant.clientId,
    scope: grant.scope,
    issuedAt: nowSeconds,
    expiresAt: nowSeconds + deps.config.tokens.accessTokenSeconds,
    jti: base64url(deps.random.bytes(JTI_BYTES)),
    familyId: grant.familyId,
    authTime: grant.authTime,
  };
  return { token: await signJwt(deps.signer, ACCESS_TOKEN_TYP, accessTokenPayload(claims)), claims };
}
