/**
 * The claims of an access token (RFC 9068 section 2.2): the one shape the authorization
 * server issues and the guard and /introspect read. On the wire they are snake_case JWT
 * claims; `fid` names the refresh family that minted the token, so revoking the family
 * revokes every access token it produced.
 */
import { parseScopeString } from '../scopes';
import { refused as fail, type TokenRuleResult } from './token-rule-result';

export interface AccessTokenClaims {
  readonly issuer: string;
  readonly subject: string;
  readonly clientId: string;
  /** The one resource the token is for (RFC 8707 section 2.2). */
  readonly audience: string;
  readonly scope: readonly string[];
  readonly jti: string;
  readonly familyId?: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly notBefore?: number;
  readonly authTime?: number;
}

export interface ClaimExpectations {
  readonly issuer: string;
  /** The resource the reader serves; absent for the issuer itself, which reads tokens for every resource. */
  readonly audience?: string;
}

/** The JWT payload we sign for these claims. */
export function accessTokenPayload(claims: AccessTokenClaims): Record<string, unknown> {
  return {
    iss: claims.issuer,
    sub: claims.subject,
    aud: claims.audience,
    client_id: claims.clientId,
    scope: claims.scope.join(' '),
    iat: claims.issuedAt,
    exp: claims.expiresAt,
    jti: claims.jti,
    ...(claims.notBefore === undefined ? {} : { nbf: claims.notBefore }),
    ...(claims.familyId === undefined ? {} : { fid: claims.familyId }),
    ...(claims.authTime === undefined ? {} : { auth_time: claims.authTime }),
  };
}

/**
 * The claim rules that do not depend on the time (RFC 9068 sections 2.2 and 4): the same
 * answer for every request that carries the token, so a reader may remember it with the
 * token. Trusted only once the signature is verified; access-token-lifetime.ts does the rest.
 */
export function readAccessTokenClaims(payload: Readonly<Record<string, unknown>>, expect: ClaimExpectations): TokenRuleResult<AccessTokenClaims> {
  if (payload.iss !== expect.issuer) return fail('iss');
  const aud = payload.aud;
  const audience = Array.isArray(aud) && aud.length === 1 ? aud[0] : aud;
  if (expect.audience === undefined ? !isNonEmptyString(audience) : audience !== expect.audience) return fail('aud');
  if (!isNumericDate(payload.exp)) return fail('exp');
  if (!isNumericDate(payload.iat)) return fail('iat');
  if (payload.nbf !== undefined && !isNumericDate(payload.nbf)) return fail('nbf');
  if (!isNonEmptyString(payload.sub)) return fail('sub');
  if (!isNonEmptyString(payload.client_id)) return fail('client_id');
  if (!isNonEmptyString(payload.jti)) return fail('jti');
  if (typeof payload.scope !== 'string') return fail('scope');
  if (payload.fid !== undefined && !isNonEmptyString(payload.fid)) return fail('fid');
  if (payload.auth_time !== undefined && !isNumericDate(payload.auth_time)) return fail('auth_time');
  return {
    ok: true,
    value: {
      issuer: payload.iss,
      subject: payload.sub,
      clientId: payload.client_id,
      audience: audience as string,
      scope: parseScopeString(payload.scope),
      jti: payload.jti,
      familyId: payload.fid,
      issuedAt: payload.iat,
      expiresAt: payload.exp,
      notBefore: payload.nbf,
      authTime: payload.auth_time,
    },
  };
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 1024;
}
