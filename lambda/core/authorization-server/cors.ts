/**
 * CORS for the endpoints a browser-based MCP client calls by script: metadata, JWKS,
 * token, registration, revocation, introspection. None of them uses cookies, so the
 * wildcard origin is safe and credentials are never allowed. The browser-facing pages
 * (/authorize, /consent, /callback) get no CORS header at all: a script on another origin
 * must not read them (docs/security.md, case 15).
 */
import type { HttpResponse } from '../http';

const ALLOWED_REQUEST_HEADERS = 'Authorization, Content-Type, DPoP, MCP-Protocol-Version';
/** Headers a script needs to see: the auth challenge, and pacing hints on 429/503. */
const EXPOSED_HEADERS = 'WWW-Authenticate, Retry-After, DPoP-Nonce';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

export function withCors(response: HttpResponse): HttpResponse {
  return {
    ...response,
    headers: { ...response.headers, 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': EXPOSED_HEADERS },
  };
}

export function preflightResponse(allowedMethods: readonly string[]): HttpResponse {
  return {
    status: 204,
    headers: {
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': [...allowedMethods, 'OPTIONS'].join(', '),
      'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS,
      'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
    },
    body: '',
  };
}
