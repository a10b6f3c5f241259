/**
 * The two browser cookies of the authorization server, both sealed (sealed-cookie.ts): one
 * carries the pending authorization request the browser started (so a consent form or an
 * upstream callback cannot be answered from another browser: login CSRF, MCP confused
 * deputy), the other the login session.
 *
 * On an https issuer they use the `__Host-` prefix, which makes the browser insist on
 * Secure, Path=/ and no Domain, so no sibling subdomain can plant or shadow them. Plain
 * http is only ever localhost (the config refuses anything else), where Secure and
 * therefore `__Host-` are impossible.
 */
import type { Config } from '../config';
import { parseCookies, type HttpRequest } from '../http';
import { nowSeconds } from '../ports';
import type { AuthorizationServerDeps } from './deps';
import { openCookie, sealCookie } from './sealed-cookie';

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

/** Values we set are base64url; anything else in the cookie is not ours and is ignored before it is opened. */
const COOKIE_VALUE = /^[A-Za-z0-9_-]{16,4000}$/;

/** Browsers keep at least 4096 bytes per cookie, name and attributes included (RFC 6265 section 6.1). */
export const MAX_SET_COOKIE_BYTES = 4096;

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

/** What the browser's sealed cookie of this kind holds, or undefined: absent, not ours (tampered, another key or name) or expired. */
export async function readSealedCookie(deps: AuthorizationServerDeps, request: HttpRequest, kind: CookieKind): Promise<unknown> {
  const value = readCookie(deps.config, request, kind);
  if (value === undefined) return undefined;
  return openCookie(await deps.cookieKeys.keyRing(), cookieName(deps.config, kind), value, nowSeconds(deps));
}

/** The Set-Cookie header of a sealed cookie that lives until expiresAt; undefined when it would not fit in a browser's cookie. */
export async function sealedCookieHeader(deps: AuthorizationServerDeps, kind: CookieKind, data: unknown, expiresAt: number): Promise<string | undefined> {
  const value = sealCookie(await deps.cookieKeys.keyRing(), deps.random, cookieName(deps.config, kind), data, expiresAt);
  const header = setCookieHeader(deps.config, kind, value, Math.max(0, expiresAt - nowSeconds(deps)));
  return Buffer.byteLength(header, 'utf8') <= MAX_SET_COOKIE_BYTES && COOKIE_VALUE.test(value) ? header : undefined;
}
