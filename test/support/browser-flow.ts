/**
 * Helpers for unit tests of the browser side of the authorization server: building
 * requests, reading cookies and redirects, and walking the consent and sign-in steps
 * against the in-memory ports.
 */
import { serve } from './serve';
import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponse } from '../../lambda/core/http';
import type { LoginSessionRecord } from '../../lambda/core/ports';
import { cookieName } from '../../lambda/core/authorization-server/cookies';
import { openCookie, sealCookie } from '../../lambda/core/authorization-server/sealed-cookie';
import type { PendingAuthorization } from '../../lambda/core/authorization-server/pending-authorization';
import { inMemoryDepsWithSharedSigner, localTestConfig, type InMemoryDeps } from './in-memory-ports';

export const ISSUER = 'https://auth.example.com';
export const R1 = 'http://localhost:8788/mcp';
export const R2 = 'https://files.example.com/mcp';
export const VERIFIER = 'a-pkce-verifier-that-is-long-enough-to-be-valid-0123456789';
export const CHALLENGE = createHash('sha256').update(VERIFIER).digest('base64url');

/** The shipped local config, moved to an https issuer, with the clients the security cases name. */
export function browserTestDeps(overrides: (raw: any) => void = () => {}): InMemoryDeps {
  return inMemoryDepsWithSharedSigner(
    localTestConfig((raw) => {
      raw.issuer = ISSUER;
      raw.resources.push({
        uri: R2,
        name: 'File server',
        scopes: [{ name: 'files:read', description: 'Read your files' }],
      });
      raw.groupScopes['mcp-users'] = ['tool:read', 'tool:execute', 'files:read'];
      raw.clients = [
        { clientId: 'C1', clientName: 'Client One', redirectUris: ['https://c1.example/cb'], tokenEndpointAuthMethod: 'none' },
        { clientId: 'C2', clientName: 'Client Two', redirectUris: ['https://c2.example/a', 'https://c2.example/b'] },
        { clientId: 'LOOP', clientName: 'Loopback app', redirectUris: ['http://127.0.0.1/cb'] },
      ];
      overrides(raw);
    }),
  );
}

export function httpRequest(method: string, path: string, parts: { query?: Record<string, string | string[]>; cookie?: string; body?: string; headers?: Record<string, string[]> } = {}): HttpRequest {
  const query: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(parts.query ?? {})) query[k] = Array.isArray(v) ? v : [v];
  const headers: Record<string, string[]> = { ...(parts.headers ?? {}) };
  if (parts.cookie) headers.cookie = [parts.cookie];
  if (parts.body !== undefined && !headers['content-type']) headers['content-type'] = ['application/x-www-form-urlencoded'];
  return { method, path, query, headers, body: parts.body, sourceIp: '127.0.0.1' };
}

/** The A0 request of docs/security.md, with any parameter replaced (undefined removes it). */
export function a0(changes: Record<string, string | string[] | undefined> = {}): Record<string, string | string[]> {
  const base: Record<string, string | string[] | undefined> = {
    response_type: 'code',
    client_id: 'C1',
    redirect_uri: 'https://c1.example/cb',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    state: 'S',
    scope: 'tool:read',
    resource: R1,
    ...changes,
  };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string | string[]] => e[1] !== undefined));
}

export function authorize(deps: InMemoryDeps, query: Record<string, string | string[]>, cookie?: string): Promise<HttpResponse> {
  return serve(deps, httpRequest('GET', '/authorize', { query, cookie }));
}

export function setCookies(response: HttpResponse): string[] {
  return [...(response.multiValueHeaders?.['Set-Cookie'] ?? [])];
}

/** name -> value of every cookie the response sets. */
export function cookieValues(response: HttpResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const header of setCookies(response)) {
    const [pair] = header.split(';');
    const eq = pair.indexOf('=');
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** The query of a redirect, plus the URI it was appended to. */
export function redirectTarget(response: HttpResponse): { base: string; params: URLSearchParams } {
  const location = response.headers.Location;
  if (!location) throw new Error(`expected a redirect, got ${response.status}: ${response.body.slice(0, 300)}`);
  const q = location.indexOf('?');
  return { base: q < 0 ? location : location.slice(0, q), params: new URLSearchParams(q < 0 ? '' : location.slice(q + 1)) };
}

export function csrfTokenOf(page: HttpResponse): string {
  const match = /name="csrf_token" value="([^"]+)"/.exec(page.body);
  if (!match) throw new Error(`no consent form in: ${page.body.slice(0, 300)}`);
  return match[1];
}

export function postConsent(deps: InMemoryDeps, fields: Record<string, string | string[]>, cookie?: string): Promise<HttpResponse> {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const value of Array.isArray(v) ? v : [v]) body.append(k, value);
  return serve(deps, httpRequest('POST', '/consent', { body: body.toString(), cookie }));
}

export function upstreamCallback(deps: InMemoryDeps, query: Record<string, string | string[]>, cookie?: string): Promise<HttpResponse> {
  return serve(deps, httpRequest('GET', '/callback', { query, cookie }));
}

/** A signed-in browser: the session's listing record is stored as the callback would, the sealed cookie header to send is returned. */
export async function signedIn(deps: InMemoryDeps, session: Partial<LoginSessionRecord> & { cookieValue?: string } = {}): Promise<string> {
  const sessionId = session.cookieValue ?? 'session-id-for-tests-0123456789abcdef';
  const now = Math.floor(deps.clock.nowMs() / 1000);
  const record: LoginSessionRecord = {
    sessionHash: createHash('sha256').update(sessionId).digest('base64url'),
    subject: session.subject ?? 'alice-sub',
    groups: session.groups ?? ['mcp-users', 'mcp-admins'],
    authTime: session.authTime ?? now - 60,
    ...(session.accountName === undefined ? {} : { accountName: session.accountName }),
    expiresAt: session.expiresAt ?? now + 3600,
  };
  deps.sessions.logins.set(record.sessionHash, record);
  const name = cookieName(deps.config, 'loginSession');
  return `${name}=${sealCookie(await deps.cookieKeys.keyRing(), deps.random, name, record, record.expiresAt)}`;
}

/**
 * The whole browser journey of a user with no session: /authorize, consent page, approve,
 * upstream sign-in, callback. Returns every response so tests can look at each step.
 */
export async function fullFlow(deps: InMemoryDeps, query: Record<string, string | string[]> = a0()) {
  const consentPage = await authorize(deps, query);
  const pendingCookie = `__Host-mcp_authz=${cookieValues(consentPage)['__Host-mcp_authz']}`;
  const approved = await postConsent(deps, { csrf_token: csrfTokenOf(consentPage), decision: 'approve' }, pendingCookie);
  const upstreamState = deps.upstream.lastAuthorization?.state ?? '';
  // The consent answer re-seals the pending request with the upstream state: the browser sends that cookie back.
  const upstreamCookie = `__Host-mcp_authz=${cookieValues(approved)['__Host-mcp_authz']}`;
  const callback = await upstreamCallback(deps, { code: 'upstream-code', state: upstreamState }, upstreamCookie);
  return { consentPage, pendingCookie, approved, upstreamCookie, upstreamState, callback };
}

/** The pending authorization a response sealed into its cookie, opened as the AS would (undefined when it sets none). */
export async function pendingIn(deps: InMemoryDeps, response: HttpResponse): Promise<PendingAuthorization | undefined> {
  const name = cookieName(deps.config, 'pendingAuthorization');
  const value = cookieValues(response)[name];
  if (!value) return undefined;
  return openCookie(await deps.cookieKeys.keyRing(), name, value, Math.floor(deps.clock.nowMs() / 1000)) as PendingAuthorization | undefined;
}

/** The Cookie header a browser sends next: `cookie` with the response's Set-Cookie applied (Max-Age=0 removes). */
export function browserCookies(cookie: string | undefined, response: HttpResponse): string {
  const jar = new Map<string, string>();
  for (const part of (cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) jar.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  for (const header of setCookies(response)) {
    const [pair] = header.split(';');
    const eq = pair.indexOf('=');
    if (/;\s*Max-Age=0(;|$)/.test(header)) jar.delete(pair.slice(0, eq));
    else jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}
