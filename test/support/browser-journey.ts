/**
 * What the browser tests do around Chromium: register a client the way an MCP client does
 * (a plain POST, where a browser adds nothing), build its authorization request, receive
 * the redirect on loopback as a native app would, and play the user on the dev IdP's
 * login form and on the consent page.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page, Request } from 'playwright-core';

export interface RegisteredClient {
  readonly clientId: string;
  readonly redirectUri: string;
}

export async function registerPublicClient(issuer: string, clientName: string, redirectUri: string): Promise<RegisteredClient> {
  const response = await fetch(`${issuer}/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: clientName, redirect_uris: [redirectUri], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }),
  });
  const body = (await response.json()) as { client_id?: string };
  if (response.status !== 201 || !body.client_id) throw new Error(`registration of ${clientName} failed: ${response.status} ${JSON.stringify(body)}`);
  return { clientId: body.client_id, redirectUri };
}

export interface AuthorizationRequest {
  readonly url: string;
  readonly state: string;
  readonly verifier: string;
}

export function authorizationRequest(issuer: string, client: RegisteredClient, resource: string, scope = 'tool:read tool:execute'): AuthorizationRequest {
  const state = randomBytes(12).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    scope,
    resource,
  });
  return { url: `${issuer}/authorize?${query}`, state, verifier };
}

/** Redeems a code at /token, as the client would; returns the parsed answer. */
export async function redeemCode(issuer: string, client: RegisteredClient, request: AuthorizationRequest, code: string, resource: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, code_verifier: request.verifier, client_id: client.clientId, redirect_uri: client.redirectUri, resource }).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A native app's loopback listener: answers every request with a small page and remembers the URLs it was sent to. */
export interface LoopbackReceiver {
  readonly redirectUri: string;
  readonly received: URL[];
  close(): Promise<void>;
}

export async function startLoopbackReceiver(path = '/callback', host: '127.0.0.1' | '::1' = '127.0.0.1'): Promise<LoopbackReceiver> {
  const received: URL[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (url.pathname === path) received.push(url);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="en"><title>Done</title><p>Signed in. You can close this window.</p></html>');
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    redirectUri: `http://${host === '::1' ? '[::1]' : host}:${port}${path}`,
    received,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Fills in and submits the dev IdP's login form (inputs username and password); returns once the form's POST is answered. */
export async function signInAtDevIdp(page: Page, username: string, password: string): Promise<void> {
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  const answered = page.waitForResponse((r) => r.request().method() === 'POST' && /\/interaction\/[^/]+\/login$/.test(new URL(r.url()).pathname));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await answered;
}

/**
 * The navigation Chromium starts to a URL beginning with `prefix`, for example a private-use
 * scheme: Chromium has no handler for it, so the navigation goes no further, but the request
 * shows that the page's CSP let it leave (a blocked one never becomes a request).
 */
export async function navigationTo(page: Page, prefix: string, timeoutMs = 15_000): Promise<Request> {
  const request = await page.waitForRequest((r) => r.isNavigationRequest() && r.url().startsWith(prefix), { timeout: timeoutMs });
  // Let Chromium finish with it (it fails: nothing handles the scheme) before the test navigates again.
  await request.response();
  return request;
}

/**
 * The same browser (same cookies) in a new tab. After a navigation to a scheme no app
 * handles, Chromium holds the tab behind its "open this app?" prompt, which is invisible
 * when headless and swallows the tab's clicks; the user's next authorization starts in a
 * new tab anyway, since the app opens the system browser again.
 */
export async function freshTab(page: Page): Promise<Page> {
  const next = await page.context().newPage();
  await page.close();
  return next;
}

/** The console messages a page logs, CSP violations among them. */
export function consoleOf(page: Page): string[] {
  const messages: string[] = [];
  page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
  return messages;
}
