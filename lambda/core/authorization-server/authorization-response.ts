/**
 * The redirect back to the client, success or error. Every one carries exactly one `iss`
 * equal to the metadata issuer (RFC 9207), so a client talking to several authorization
 * servers can tell which one answered (mix-up attacks, RFC 9700 section 4.4).
 *
 * The parameters are appended to the registered URI as written: parsing and re-serialising
 * it with the URL parser could alter it, and exact redirect matching is only worth
 * something if the browser goes exactly where the client registered. Registration refuses
 * URIs that already carry code, state, iss or error, so nothing appears twice.
 */
import type { OAuthErrorCode } from '../errors';
import type { Config } from '../config';

export interface AuthorizationErrorParams {
  readonly error: OAuthErrorCode;
  readonly description: string;
  readonly state?: string;
}

export function successRedirectUrl(config: Config, redirectUri: string, params: { readonly code: string; readonly state?: string }): string {
  const query = new URLSearchParams({ code: params.code });
  if (params.state !== undefined) query.set('state', params.state);
  query.set('iss', config.issuer);
  return appendQuery(redirectUri, query);
}

export function errorRedirectUrl(config: Config, redirectUri: string, params: AuthorizationErrorParams): string {
  const query = new URLSearchParams({ error: params.error, error_description: params.description });
  if (params.state !== undefined) query.set('state', params.state);
  query.set('iss', config.issuer);
  return appendQuery(redirectUri, query);
}

function appendQuery(uri: string, query: URLSearchParams): string {
  const separator = uri.includes('?') ? (uri.endsWith('?') || uri.endsWith('&') ? '' : '&') : '?';
  return `${uri}${separator}${query.toString()}`;
}
