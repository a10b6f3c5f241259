/**
 * The two browser cookies of the authorization server: one binds the browser to the
 * pending authorization request it started (so a consent form or an upstream callback
 * cannot be replayed from another browser: login CSRF, MCP confused deputy), the other
 * holds the login session.
 *
 * On an https issuer they use the `__Host-` prefix, which makes the browser insist on
 * Secure, Path=/ and no Domain, so no sibling subdomain can plant or shadow them. Plain
 * http is only ever localhost (the config refuses anything else), where Secure and
 * therefore `__Host-` are impossible.
 */
import type { Config } from '../config';
import { parseCookies, type HttpRequest } from '../http';

export type CookieKind = 'pendingAuthorization' | 'loginSession';

const BASE_NAMES: Record<CookieKind, string> = {
  pendingAuthorization: 'mcp_authz',
  loginSession: 'mcp_session',
};

function isSecureIssuer(config: Config): boolean {
  return config.issuer.startsWith('https://');
}

export function cookieName(config: Config, kind: CookieKind): string {
  return isSecureIssuer(config) ? `__Host-${BASE_NAMES[kind]}` : BASE_NAMES[kind];
}

/** Values we set are base64url; anything else in the cookie is not ours and is ignored before it reaches a store. */
const COOKIE_VALUE = /^[A-Za-z0-9_-]{16,128}$/;

export function readCookie(config: Config, request: HttpRequest, kind: CookieKind): string | undefined {
  const value = parseCookies(request)[cookieName(config, kind)];
  return value !== undefined && COOKIE_VALUE.test(value) ? value : undefined;
}

export function setCookieHeader(config: Config, kind: CookieKind, value: string, maxAgeSeconds: number): string {
  const attributes = [`${cookieName(config, kind)}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
  if (isSecureIssuer(config)) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearCookieHeader(config: Config, kind: CookieKind): string {
  return setCookieHeader(config, kind, '', 0);
}
