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

export interface IssuingOptions {
  /** A lifetime shorter than tokens.accessTokenSeconds (an exchanged token ends with its subject token). */
  readonly lifetimeSeconds?: number;
  /** RFC 8693 section 4.1: who acts on the subject's behalf (the MCP server of a token exchange). */
  readonly actor?: string;
}

export async function issueAccessToken(deps: SigningDeps, grant: AccessTokenGrant, nowSeconds: number, options: IssuingOptions = {}): Promise<IssuedAccessToken> {
  const claims: AccessTokenClaims = {
    issuer: deps.config.issuer,
    subject: grant.subject,
    audience: grant.audience,
    clientId: grant.clientId,
    scope: grant.scope,
    issuedAt: nowSeconds,
    expiresAt: nowSeconds + Math.min(deps.config.tokens.accessTokenSeconds, options.lifetimeSeconds ?? Infinity),
    jti: base64url(deps.random.bytes(JTI_BYTES)),
    familyId: grant.familyId,
    authTime: grant.authTime,
  };
  const payload = { ...accessTokenPayload(claims), ...(options.actor === undefined ? {} : { act: { sub: options.actor } }) };
  return { token: await signJwt(deps.signer, ACCESS_TOKEN_TYP, payload), claims };
}
