/**
 * What the grants share: choosing the one resource a token is for (RFC 8707), narrowing
 * scope (never widening it), and the token response body (RFC 6749 section 5.1).
 */
import type { Config } from '../../config';
import type { ClientRecord, RevocationRecord, TokenRequestNames, TokenRequestRecords } from '../../ports';
import type { AuthorizationServerDeps } from '../deps';
import type { IssuedAccessToken } from '../access-token-issuing';
import { OAuthError } from '../../errors';
import type { FormBody } from '../form-body';
import { findResource } from '../../resources';
import { isScopeToken, parseScopeString } from '../../scopes';

export interface TokenResponseBody {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token?: string;
}

/** What a grant reads before any client is authenticated: the names of /token's first round trip but the client's (token.ts adds it). */
export type GrantNames = Omit<TokenRequestNames, 'clientId'>;

/** What /token's first round trip read for a grant, alongside the client it authenticated. */
export interface GrantRead<Names extends GrantNames = GrantNames> {
  readonly names: Names;
  readonly records: TokenRequestRecords;
  /** The client_id the request named (client-authentication.ts claimedClientId): a hint until the client is authenticated. */
  readonly claimedClientId: string | undefined;
}

/** The successful token response (RFC 6749 section 5.1) for an issued access token, and a refresh token when the client may hold one. */
export function tokenResponse(accessToken: IssuedAccessToken, refreshToken?: string): TokenResponseBody {
  const { claims } = accessToken;
  return {
    access_token: accessToken.token,
    token_type: 'Bearer',
    expires_in: claims.expiresAt - claims.issuedAt,
    scope: claims.scope.join(' '),
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
  };
}

/**
 * The audience of the token: the one `resource` sent, which must be among those granted;
 * without one, the grant's only resource. Each token is for exactly one resource so that
 * one MCP server cannot replay it at another (RFC 8707 section 2.2).
 */
export function chooseResource(form: FormBody, granted: readonly string[], whenAbsent: 'only' | 'first'): string {
  const requested = form.all('resource');
  if (requested.length > 1) throw new OAuthError('invalid_target', 'Request a token for one resource at a time.');
  if (requested.length === 1) {
    if (!granted.includes(requested[0])) throw new OAuthError('invalid_target', 'The resource was not part of this grant.');
    return requested[0];
  }
  if (granted.length === 1 || (whenAbsent === 'first' && granted.length > 1)) return granted[0];
  throw new OAuthError('invalid_target', 'This grant covers several resources: name one with the resource parameter.');
}

/**
 * The scope of the token: what the request asks for (a subset of the grant), or the whole
 * grant, limited to scopes the resource defines, so a token for one server never carries
 * another server's permissions.
 */
export function chooseScope(config: Config, form: FormBody, granted: readonly string[], resource: string): string[] {
  const resourceConfig = findResource(config, resource);
  if (!resourceConfig) throw new OAuthError('invalid_target', 'The resource is not served by this authorization server.');
  const defined = new Set(resourceConfig.scopes.map((s) => s.name));

  const param = form.get('scope');
  if (param !== undefined) {
    const requested = parseScopeString(param);
    if (requested.length === 0 || !requested.every(isScopeToken)) throw new OAuthError('invalid_scope', 'The scope parameter is malformed.');
    if (!requested.every((s) => granted.includes(s) && defined.has(s))) throw new OAuthError('invalid_scope', 'The requested scope exceeds the grant.');
    return requested;
  }
  const scope = granted.filter((s) => defined.has(s));
  if (scope.length === 0) throw new OAuthError('invalid_scope', 'The grant holds no scope for this resource.');
  return scope;
}

/**
 * The scope of a token no user approved (client_credentials, an ID-JAG): what the request
 * asks for, narrowed to what `allowed` holds and the resource defines (RFC 6749 section
 * 3.3: the server may issue less than was asked, and says so in `scope`); without a
 * request, all of it. Never wider; nothing left is invalid_scope.
 */
export function narrowScope(config: Config, form: FormBody, allowed: readonly string[], resource: string): string[] {
  const resourceConfig = findResource(config, resource);
  if (!resourceConfig) throw new OAuthError('invalid_target', 'The resource is not served by this authorization server.');
  const defined = new Set(resourceConfig.scopes.map((s) => s.name));
  const param = form.get('scope');
  let requested: readonly string[] = allowed;
  if (param !== undefined) {
    requested = parseScopeString(param);
    if (requested.length === 0 || !requested.every(isScopeToken)) throw new OAuthError('invalid_scope', 'The scope parameter is malformed.');
  }
  const scope = [...new Set(requested)].filter((s) => allowed.includes(s) && defined.has(s));
  if (scope.length === 0) throw new OAuthError('invalid_scope', 'None of the requested scope may be granted to this client for this resource.');
  return scope;
}

/**
 * The revocation row of the authenticated client: the one read in the first round trip when
 * the request named that client (it always does but for a client assertion without
 * client_id), otherwise read now.
 */
export async function clientRevocationRows(
  deps: Pick<AuthorizationServerDeps, 'revocations'>,
  read: GrantRead,
  client: Pick<ClientRecord, 'clientId'>,
): Promise<readonly RevocationRecord[]> {
  if (read.claimedClientId === client.clientId) return read.records.revocations.filter((row) => row.key.kind === 'client' && row.key.value === client.clientId);
  return deps.revocations.find([{ kind: 'client', value: client.clientId }]);
}
