/**
 * One soak worker: a dev user who, until the deadline, registers a client now and then,
 * authorizes it (PKCE, login and consent in the test browser; a fresh browser every third
 * time, so both a new login and a remembered session are exercised), calls MCP tools with
 * each access token, refreshes the family three times and then ends it, alternately by
 * revoking the current refresh token and by presenting one rotated away two rotations
 * before (reuse). Every refresh of a live family must succeed; after the end every refresh
 * of that family must fail: that is how each worker tracks its own families.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ENDPOINT_PATHS } from '../lambda/core/authorization-server/endpoints';
import { Browser, authorizeInBrowser, type BrowserResponse, type NavigationRequest } from '../test/support/browser';
import type { DevUser } from '../test/support/mcp-sdk-session';
import type { SoakRecorder } from './soak-stats';

export interface SoakTarget {
  readonly issuer: string;
  readonly mcpUrl: string;
  readonly devIdp: string;
  readonly redirectUri: string;
}

export interface SoakWorkerOptions {
  readonly target: SoakTarget;
  readonly user: DevUser;
  /** Tools this user may call: whoami for alice; bob (tool:read only) lists tools. */
  readonly canExecuteTools: boolean;
  readonly recorder: SoakRecorder;
  readonly deadline: number;
  /** Pause between requests, so eight workers do not take both CPUs from everyone else. */
  readonly thinkMs: number;
  readonly name: string;
}

const REQUEST_TIMEOUT_MS = 30_000;
const REFRESHES_PER_FAMILY = 3;
const FAMILIES_PER_CLIENT = 5;
const SCOPE = 'tool:read tool:execute';

interface Tokens {
  readonly access: string;
  readonly refresh: string;
}

class UnexpectedAnswer extends Error {}

export async function runSoakWorker(options: SoakWorkerOptions): Promise<void> {
  const { recorder } = options;
  const http = new RecordingHttp(options);
  let clientId: string | undefined;
  let browser = new TimedBrowser(http);
  for (let family = 0; Date.now() < options.deadline; family++) {
    try {
      if (family % FAMILIES_PER_CLIENT === 0 || clientId === undefined) clientId = await register(http, options);
      if (family % 3 === 0) browser = new TimedBrowser(http);
      let tokens = await authorize(http, browser, options, clientId!);
      recorder.families.started++;
      const rotatedAway: string[] = [];
      await callTools(http, options, tokens.access);
      for (let i = 0; i < REFRESHES_PER_FAMILY; i++) {
        recorder.families.refreshesExpectedToSucceed++;
        const next = await refresh(http, options, clientId!, tokens.refresh);
        if (!next.ok) {
          recorder.families.lost++;
          recorder.noteUnexpected(`${options.name}: refresh ${i + 1} of a live family answered ${next.status} ${next.error}`);
          break;
        }
        rotatedAway.push(tokens.refresh);
        tokens = next.tokens;
        await callTools(http, options, tokens.access);
      }
      if (rotatedAway.length < REFRESHES_PER_FAMILY) continue;
      if (family % 2 === 0) {
        await revoke(http, options, clientId!, tokens.refresh);
        await expectRefused(http, options, clientId!, tokens.refresh, 'the revoked refresh token');
      } else {
        // Two rotations back: its successor was used, so this is reuse, not a retry; it must fail and end the family.
        await expectRefused(http, options, clientId!, rotatedAway[rotatedAway.length - 2]!, 'a refresh token retired two rotations before');
        await expectRefused(http, options, clientId!, tokens.refresh, 'the current refresh token after reuse of a retired one');
      }
      recorder.families.completed++;
    } catch (error) {
      recorder.noteUnexpected(`${options.name}: ${error instanceof UnexpectedAnswer ? '' : 'error: '}${(error as Error).message}`);
      await pause(1000); // a failing stack must not be hammered in a tight loop
    }
  }
}

async function expectRefused(http: RecordingHttp, options: SoakWorkerOptions, clientId: string, refreshToken: string, what: string): Promise<void> {
  options.recorder.families.refreshesExpectedToFail++;
  const answer = await refresh(http, options, clientId, refreshToken);
  if (answer.ok) {
    options.recorder.families.forked++;
    options.recorder.noteUnexpected(`${options.name}: ${what} was accepted`);
  } else if (answer.status !== 400 || answer.error !== 'invalid_grant') {
    throw new UnexpectedAnswer(`${what}: expected 400 invalid_grant, got ${answer.status} ${answer.error}`);
  }
}

async function register(http: RecordingHttp, options: SoakWorkerOptions): Promise<string> {
  const response = await http.fetch(`${options.target.issuer}${ENDPOINT_PATHS.register}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: `soak ${options.name}`, redirect_uris: [options.target.redirectUri], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none' }),
  });
  const body = (await response.json()) as { client_id?: string };
  if (response.status !== 201 || !body.client_id) throw new UnexpectedAnswer(`register answered ${response.status}`);
  return body.client_id;
}

async function authorize(http: RecordingHttp, browser: Browser, options: SoakWorkerOptions, clientId: string): Promise<Tokens> {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const url = new URL(`${options.target.issuer}${ENDPOINT_PATHS.authorize}`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: options.target.redirectUri,
    scope: SCOPE,
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    resource: options.target.mcpUrl,
  }).toString();
  const started = performance.now();
  const result = await authorizeInBrowser(url.href, { username: options.user.username, password: options.user.password, browser });
  // The whole browser leg as one figure, beside the per-request ones TimedBrowser records.
  http.recorder.recordLatency('browser: authorization (all pages)', performance.now() - started);
  const code = result.params.get('code');
  if (!code || result.params.get('state') !== state) throw new UnexpectedAnswer(`authorization ended without a code for our state: ${result.redirectUrl}`);
  await pause(options.thinkMs);
  const answer = await tokenRequest(http, options, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: options.target.redirectUri, client_id: clientId, resource: options.target.mcpUrl });
  if (!answer.ok) throw new UnexpectedAnswer(`code exchange answered ${answer.status} ${answer.error}`);
  return answer.tokens;
}

function refresh(http: RecordingHttp, options: SoakWorkerOptions, clientId: string, refreshToken: string) {
  return tokenRequest(http, options, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId, resource: options.target.mcpUrl });
}

type TokenAnswer = { ok: true; tokens: Tokens } | { ok: false; status: number; error: string };

async function tokenRequest(http: RecordingHttp, options: SoakWorkerOptions, form: Record<string, string>): Promise<TokenAnswer> {
  const response = await http.fetch(`${options.target.issuer}${ENDPOINT_PATHS.token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  const body = (await response.json().catch(() => ({}))) as { access_token?: string; refresh_token?: string; error?: string };
  await pause(options.thinkMs);
  if (response.status === 200 && body.access_token && body.refresh_token) return { ok: true, tokens: { access: body.access_token, refresh: body.refresh_token } };
  return { ok: false, status: response.status, error: body.error ?? (response.status === 200 ? 'no refresh_token in a 200' : 'no error code') };
}

async function revoke(http: RecordingHttp, options: SoakWorkerOptions, clientId: string, refreshToken: string): Promise<void> {
  const response = await http.fetch(`${options.target.issuer}${ENDPOINT_PATHS.revoke}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: refreshToken, token_type_hint: 'refresh_token', client_id: clientId }).toString() });
  await response.arrayBuffer();
  if (response.status !== 200) throw new UnexpectedAnswer(`revoke answered ${response.status}`);
  await pause(options.thinkMs);
}

/** initialize, then a tool call the user's scopes allow (stateless server: no session to keep). */
async function callTools(http: RecordingHttp, options: SoakWorkerOptions, accessToken: string): Promise<void> {
  const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mcp-oauth-soak', version: '1.0.0' } } };
  const call = options.canExecuteTools ? { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'whoami', arguments: {} } } : { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
  for (const message of [initialize, call]) {
    const response = await http.fetch(options.target.mcpUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify(message),
    });
    const text = await response.text();
    if (response.status !== 200 || text.includes('"isError":true') || !text.includes('"result"')) throw new UnexpectedAnswer(`MCP ${message.method} answered ${response.status}: ${text.slice(0, 200)}`);
    await pause(options.thinkMs);
  }
}

/** fetch, with each answer recorded by endpoint (its latency until the headers came, and its status). */
class RecordingHttp {
  readonly recorder: SoakRecorder;
  private readonly target: SoakTarget;

  constructor(options: SoakWorkerOptions) {
    this.recorder = options.recorder;
    this.target = options.target;
  }

  async fetch(url: string, init: RequestInit): Promise<Response> {
    const started = performance.now();
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    this.recorder.record(this.endpointOf(url, init), response.status, performance.now() - started);
    return response;
  }

  endpointOf(url: string, init: { method?: string; body?: unknown }): string {
    const parsed = new URL(url);
    const side = parsed.origin === new URL(this.target.issuer).origin ? 'AS' : parsed.origin === new URL(this.target.devIdp).origin ? 'dev IdP' : parsed.origin === new URL(this.target.mcpUrl).origin ? 'MCP' : parsed.origin;
    // Interaction ids and the like become :id, so each endpoint is one line.
    const path = parsed.pathname.replace(/\/[A-Za-z0-9_-]{20,}/g, '/:id');
    let detail = '';
    if (side === 'MCP' && typeof init.body === 'string') detail = ` ${(JSON.parse(init.body) as { method?: string }).method ?? ''}`;
    if (path === ENDPOINT_PATHS.token && typeof init.body === 'string') detail = ` ${new URLSearchParams(init.body).get('grant_type') ?? ''}`;
    return `${side} ${init.method ?? 'GET'} ${path}${detail}`;
  }
}

/** The test browser, with each page's answer recorded like any other request. */
class TimedBrowser extends Browser {
  constructor(private readonly http: RecordingHttp) {
    super();
  }

  override async send(request: NavigationRequest): Promise<BrowserResponse> {
    const started = performance.now();
    const response = await super.send(request);
    this.http.recorder.record(`browser: ${this.http.endpointOf(request.url, { method: request.method ?? 'GET' })}`, response.status, performance.now() - started);
    return response;
  }
}

function pause(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
