/**
 * What the attack suite shares: one local stack per test file (through the real CLI), the
 * clients docs/security.md names (C1 public, C2 public with two redirect URIs, C3
 * confidential, LOOP loopback, RS the resource server that may introspect), a signed-in
 * browser that gets codes the way a user would, and small raw clients for /token,
 * /introspect, /revoke and the MCP server.
 *
 * The registered redirect URIs are not loopback on purpose: the AS only ever redirects a
 * browser there, and the test browser stops at the redirect without following it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { freePort } from '../../../local/dynamodb-local';
import { Browser, authorizeInBrowser } from '../../support/browser';
import { startLocalStack, type LocalStack, type LocalStackPorts } from '../../support/local-stack-process';

export const C1 = { clientId: 'C1', redirectUri: 'https://c1.example/cb' } as const;
export const C2 = { clientId: 'C2', redirectUris: ['https://c2.example/a', 'https://c2.example/b'] } as const;
export const C3 = { clientId: 'C3', redirectUri: 'https://c3.example/cb', secret: 'c3-secret-for-the-attack-suite-0123456789abcdef' } as const;
export const LOOP = { clientId: 'LOOP', redirectUri: 'http://127.0.0.1/cb' } as const;
export const RS = { clientId: 'RS', secret: 'rs-introspection-secret-0123456789abcdef' } as const;

const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('base64url');

export interface SecurityStackOptions {
  /** Serve a second MCP server (R2, scope files:read) on its own port, for the resource cases. */
  readonly secondResource?: boolean;
  readonly configOverrides?: (config: any, ports: LocalStackPorts) => void;
  /** A DynamoDB Local of the test's own. @default the Jest run's */
  readonly dynamoDbEndpoint?: string;
}

export interface SecurityStack {
  readonly stack: LocalStack;
  readonly issuer: string;
  /** The demo MCP server's canonical URI (R1). */
  readonly r1: string;
  /** The second resource, when asked for. */
  readonly r2?: string;
  stop(): Promise<void>;
}

export async function startSecurityStack(options: SecurityStackOptions = {}): Promise<SecurityStack> {
  const r2Port = options.secondResource ? await freePort() : undefined;
  const stack = await startLocalStack({
    dynamoDbEndpoint: options.dynamoDbEndpoint,
    configOverrides: (config, ports) => {
      config.clients = [
        { clientId: C1.clientId, clientName: 'Client One', redirectUris: [C1.redirectUri], tokenEndpointAuthMethod: 'none' },
        { clientId: C2.clientId, clientName: 'Client Two', redirectUris: [...C2.redirectUris], tokenEndpointAuthMethod: 'none' },
        { clientId: C3.clientId, clientName: 'Client Three', redirectUris: [C3.redirectUri], tokenEndpointAuthMethod: 'client_secret_basic', clientSecretHash: hashSecret(C3.secret) },
        { clientId: LOOP.clientId, clientName: 'Loopback app', redirectUris: [LOOP.redirectUri], tokenEndpointAuthMethod: 'none' },
        { clientId: RS.clientId, clientName: 'Resource server', redirectUris: ['https://rs.example/unused'], tokenEndpointAuthMethod: 'client_secret_basic', clientSecretHash: hashSecret(RS.secret) },
      ];
      config.resources[0].introspectionClients = [RS.clientId];
      if (r2Port !== undefined) {
        config.resources.push({
          uri: `http://localhost:${r2Port}/mcp`,
          name: 'File server',
          scopes: [{ name: 'files:read', description: 'Read your files' }],
          defaultScopes: ['files:read'],
          routes: [{ method: 'POST', path: '/mcp', scopes: ['files:read'] }],
          tools: [],
          introspectionClients: [RS.clientId],
        });
        config.groupScopes['mcp-users'] = [...config.groupScopes['mcp-users'], 'files:read'];
      }
      // A revoked token must fail at the MCP server on the very next request, not after a cache expires.
      config.guard.authorizerCacheTtlSeconds = 0;
      config.guard.revocationCacheTtlSeconds = 0;
      // Likewise a deleted client (case 59); the client cache's bound is unit tested (cached-client-store.test.ts).
      config.registration.clientCacheSeconds = 0;
      options.configOverrides?.(config, ports);
    },
  });
  return {
    stack,
    issuer: stack.issuer,
    r1: stack.config.resources[0].uri,
    r2: r2Port === undefined ? undefined : stack.config.resources[1].uri,
    stop: () => stack.stop(),
  };
}

// ---------------------------------------------------------------------------------------
// Authorization requests

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

export function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * The A0 request of docs/security.md against this stack, with parameters replaced
 * (undefined removes one, an array repeats it). Its scope is the demo resource's tool:read.
 */
export function a0Url(ctx: SecurityStack, pkce: Pkce, changes: Record<string, string | string[] | undefined> = {}): string {
  const params: Record<string, string | string[] | undefined> = {
    response_type: 'code',
    client_id: C1.clientId,
    redirect_uri: C1.redirectUri,
    code_challenge: pkce.challenge,
    code_challenge_method: 'S256',
    state: 'S',
    scope: 'tool:read',
    resource: ctx.r1,
    ...changes,
  };
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) search.append(name, v);
  }
  return `${ctx.issuer}/authorize?${search.toString()}`;
}

export interface IssuedCode {
  readonly code: string;
  readonly pkce: Pkce;
  readonly redirectUri: string;
  readonly params: URLSearchParams;
}

/**
 * A code as a user gets it: alice signs in at the dev IdP and approves. Pass the same
 * browser again and consent is remembered, so later codes come straight back.
 */
export async function obtainCode(
  ctx: SecurityStack,
  browser: Browser,
  options: { clientId?: string; redirectUri?: string; scope?: string; resources?: readonly string[]; user?: 'alice' | 'bob' } = {},
): Promise<IssuedCode> {
  const pkce = newPkce();
  const redirectUri = options.redirectUri ?? C1.redirectUri;
  const url = a0Url(ctx, pkce, {
    client_id: options.clientId ?? C1.clientId,
    redirect_uri: redirectUri,
    scope: options.scope ?? 'tool:read',
    resource: [...(options.resources ?? [ctx.r1])],
    state: randomBytes(8).toString('base64url'),
  });
  const user = options.user ?? 'alice';
  const flow = await authorizeInBrowser(url, { username: user, password: user, browser });
  const code = flow.params.get('code');
  if (!code) throw new Error(`no code came back: ${flow.redirectUrl}`);
  return { code, pkce, redirectUri, params: flow.params };
}

// ---------------------------------------------------------------------------------------
// Raw clients

export interface JsonReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  readonly json: any;
}

export async function postForm(url: string, fields: Record<string, string | string[] | undefined>, headers: Record<string, string> = {}): Promise<JsonReply> {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: body.toString() });
  return reply(response);
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonReply> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return reply(response);
}

/** A response read as text, and as JSON when it is JSON. */
export async function reply(response: Response): Promise<JsonReply> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export function basic(clientId: string, secret: string): Record<string, string> {
  const encode = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return { authorization: `Basic ${Buffer.from(`${encode(clientId)}:${encode(secret)}`).toString('base64')}` };
}

/** T0 of docs/security.md: redeem a code as C1 (or whatever the fields replace). */
export function redeemCode(ctx: SecurityStack, issued: IssuedCode, changes: Record<string, string | string[] | undefined> = {}, headers: Record<string, string> = {}): Promise<JsonReply> {
  return postForm(`${ctx.issuer}/token`, {
    grant_type: 'authorization_code',
    code: issued.code,
    code_verifier: issued.pkce.verifier,
    client_id: C1.clientId,
    redirect_uri: issued.redirectUri,
    resource: ctx.r1,
    ...changes,
  }, headers);
}

export function refresh(ctx: SecurityStack, refreshToken: string, changes: Record<string, string | string[] | undefined> = {}, headers: Record<string, string> = {}): Promise<JsonReply> {
  return postForm(`${ctx.issuer}/token`, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: C1.clientId, ...changes }, headers);
}

/** Introspection as the resource server (allowed for tokens of R1 and R2). */
export async function introspect(ctx: SecurityStack, token: string): Promise<any> {
  const answer = await postForm(`${ctx.issuer}/introspect`, { token }, basic(RS.clientId, RS.secret));
  if (answer.status !== 200) throw new Error(`introspection answered ${answer.status}: ${answer.text}`);
  return answer.json;
}

/** The status the MCP server (through the emulated API Gateway authorizer) gives this access token. */
export async function statusAtMcpServer(mcpUrl: string, accessToken: string): Promise<number> {
  const response = await fetch(mcpUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-method': 'initialize' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'attack-suite', version: '1' } } }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** The claims of a JWT, unverified (the tests only read what the AS put there). */
export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

/**
 * Nothing internal in an error body: no stack frame, no exception class of the SDK or the
 * runtime, no file path. An OAuth error is exactly {error, error_description?}.
 */
export function expectNoLeak(text: string): void {
  expect(text).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+|\.js:\d+|Exception\b|TypeError|ReferenceError|DynamoDB|ECONNREFUSED|stack/i);
}

export function expectOAuthError(answer: JsonReply, status: number, error: string): void {
  expect({ status: answer.status, error: answer.json?.error }).toEqual({ status, error });
  expect(Object.keys(answer.json).sort()).toEqual(Object.keys(answer.json).length === 1 ? ['error'] : ['error', 'error_description']);
  expect(answer.headers.get('cache-control')).toContain('no-store');
  expect(answer.json.access_token).toBeUndefined();
  expectNoLeak(answer.text);
}
