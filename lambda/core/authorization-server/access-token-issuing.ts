/**
 * Access tokens (RFC 9068 JWT profile). `aud` is the one resource the token is for
 * (RFC 8707 downscoping), `fid` names the refresh family that minted it, so revoking the
 * family revokes every access token it ever produced (refresh reuse, code replay, /revoke).
 */
import { base64url } from '../crypto';
import type { AuthorizationServerDeps } from './deps';
import { signJwt, verifyOwnJwt } from './jwt';

export const ACCESS_TOKEN_TYP = 'at+jwt';
const JTI_BYTES = 16;

/** The claims on the wire, hence snake_case. */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly client_id: string;
  /** Space-separated. */
  readonly scope: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  readonly fid?: string;
  readonly auth_time?: number;
}

export interface AccessTokenGrant {
  readonly subject: string;
  readonly clientId: string;
  readonly audience: string;
  readonly scope: readonly string[];
  readonly familyId: string;
  readonly authTime: number;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly claims: AccessTokenClaims;
}

type SigningDeps = Pick<AuthorizationServerDeps, 'config' | 'signer' | 'random'>;

export async function issueAccessToken(deps: SigningDeps, grant: AccessTokenGrant, nowSeconds: number): Promise<IssuedAccessToken> {
  const claims: AccessTokenClaims = {
    iss: deps.config.issuer,
    sub: grant.subject,
    aud: grant.audience,
    client_id: grant.clientId,
    scope: grant.scope.join(' '),
    iat: nowSeconds,
    exp: nowSeconds + deps.config.tokens.accessTokenSeconds,
    jti: base64url(deps.random.bytes(JTI_BYTES)),
    fid: grant.familyId,
    auth_time: grant.authTime,
  };
  return { token: await signJwt(deps.signer, ACCESS_TOKEN_TYP, { ...claims }), claims };
}

/** The claims of a live access token we issued (signature, typ, iss, exp checked), or undefined. Revocation is the caller's check. */
export async function verifyAccessToken(deps: Pick<AuthorizationServerDeps, 'config' | 'signer'>, token: string, nowSeconds: number): Promise<AccessTokenClaims | undefined> {
  const payload = await verifyOwnJwt(deps.signer, token, {
    typ: ACCESS_TOKEN_TYP,
    issuer: deps.config.issuer,
    nowSeconds,
    clockSkewSeconds: deps.config.guard.clockSkewSeconds,
  });
  if (!payload) return undefined;
  const { iss, sub, aud, client_id, scope, iat, exp, jti, fid, auth_time } = payload;
  if (typeof iss !== 'string' || typeof sub !== 'string' || typeof aud !== 'string' || typeof client_id !== 'string') return undefined;
  if (typeof scope !== 'string' || typeof iat !== 'number' || typeof exp !== 'number' || typeof jti !== 'string') return undefined;
  if (fid !== undefined && typeof fid !== 'string') return undefined;
  if (auth_time !== undefined && typeof auth_time !== 'number') return undefined;
  return { iss, sub, aud, client_id, scope, iat, exp, jti, fid, auth_time };
}
