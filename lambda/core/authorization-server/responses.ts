/**
 * Building responses. Every OAuth error goes through `errorResponse`, the one serializer:
 * JSON body per RFC 6749 section 5.2, `Cache-Control: no-store`, and for invalid_client a
 * 401 with `WWW-Authenticate: Basic` (section 5.2). Anything that is not an OAuthError is a
 * generic 500 whose details go to the log only.
 */
import { OAuthError, DependencyUnavailableError } from '../errors';
import type { HttpResponse } from '../http';
import { contentSecurityPolicy } from './content-security-policy';
import type { RenderedPage } from './page-layout';

export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** Pages that show login, consent or errors: no framing, no sniffing, no referrer leaks of codes. The CSP is per page. */
export const PAGE_SECURITY_HEADERS = {
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...NO_STORE, ...headers },
    body: JSON.stringify(body),
  };
}

/** Public, cacheable JSON (metadata, JWKS). */
export function publicJsonResponse(body: unknown, maxAgeSeconds: number): HttpResponse {
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': `public, max-age=${maxAgeSeconds}` },
    body: JSON.stringify(body),
  };
}

export interface HtmlResponseOptions {
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
  /** Where the page's form and the redirects answering it may lead (see content-security-policy.ts). Absent: no form. */
  readonly formTargets?: readonly string[];
}

export function htmlResponse(status: number, page: RenderedPage, extra: HtmlResponseOptions = {}): HttpResponse {
  const csp = contentSecurityPolicy({ stylesheet: page.stylesheet, imageSources: page.imageSources, formTargets: extra.formTargets });
  return {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', ...NO_STORE, ...PAGE_SECURITY_HEADERS, 'Content-Security-Policy': csp, ...(extra.headers ?? {}) },
    multiValueHeaders: extra.cookies?.length ? { 'Set-Cookie': extra.cookies } : undefined,
    body: page.html,
  };
}

/** 303 so that a POST is never replayed to the next hop (RFC 9700 section 4.12: never 307). */
export function redirectResponse(location: string, cookies: string[] = [], status: 302 | 303 = 303): HttpResponse {
  return {
    status,
    headers: { Location: location, ...NO_STORE, 'Referrer-Policy': 'no-referrer' },
    multiValueHeaders: cookies.length ? { 'Set-Cookie': cookies } : undefined,
    body: '',
  };
}

export function errorResponse(error: unknown, logError: (message: string, error: unknown) => void): HttpResponse {
  if (error instanceof OAuthError && error.exposed) {
    const headers: Record<string, string> = { ...error.headers };
    if (error.code === 'invalid_client' && error.status === 401) headers['WWW-Authenticate'] = 'Basic realm="token", charset="UTF-8"';
    return jsonResponse(error.status, { error: error.code, error_description: error.description }, headers);
  }
  if (error instanceof OAuthError && error.code === 'temporarily_unavailable') {
    logError('dependency unavailable', error);
    return jsonResponse(503, { error: 'temporarily_unavailable', error_description: 'The service is busy. Retry shortly.' }, { 'Retry-After': '1', ...error.headers });
  }
  if (error instanceof DependencyUnavailableError) {
    logError('dependency unavailable', error);
    return jsonResponse(503, { error: 'temporarily_unavailable', error_description: 'The service is busy. Retry shortly.' }, { 'Retry-After': '1' });
  }
  logError('unhandled error', error);
  return jsonResponse(500, { error: 'server_error', error_description: 'The server could not complete the request.' });
}
