/**
 * The dev IdP: local mode's stand-in for Cognito, so that login locally takes the same
 * federated OIDC path as in AWS. It is the certified `oidc-provider` with a plain HTML
 * login form (inputs `username` and `password`) and no consent step of its own.
 *
 * DEVELOPMENT ONLY: users and passwords come from the config file in clear text, keys
 * and cookie secrets live in memory and die with the process, and everything is plain
 * http on loopback.
 *
 * Like Cognito's AdminListGroupsForUser, it answers `GET /admin/users/<sub>/groups` to its
 * client (HTTP Basic with the client's id and secret), so a refresh can re-read a user's groups;
 * `PUT` on the same path sets them, as an administrator removing a user from a group would.
 *
 * oidc-provider is ESM-only; this file is CommonJS, so it is loaded with a dynamic
 * import(), which works under node and tsx but never inside a Jest process. Tests run the
 * dev IdP as a child process (test/support/dev-idp-process.ts).
 */
import { generateKeyPairSync, randomBytes, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { styleSource } from '../lambda/core/authorization-server/content-security-policy';
import { DEFAULT_BRANDING, escapeHtml, renderPage, type Branding, type RenderedPage } from '../lambda/core/authorization-server/page-layout';
import { constantTimeEqual } from '../lambda/core/crypto';
import type { DevUserConfig } from './local-config';

/** RFC 8693 token exchange at the dev IdP, and what an ID-JAG asks for and is. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const ID_JAG_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id-jag';
export const ID_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:id_token';

export interface DevIdpClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
  /** oidc-provider holds each client to one method. @default 'client_secret_basic' */
  readonly tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  /** `native`: a loopback redirect URI matches on any port (RFC 8252 section 7.3). @default 'web' */
  readonly applicationType?: 'web' | 'native';
  /** Whether it may exchange its ID tokens for ID-JAGs (RFC 8693). @default false */
  readonly idJagExchange?: boolean;
}

/** The enterprise policy behind the dev IdP's ID-JAGs: which MCP servers and scopes each group's members may get. */
export interface DevIdpIdJagPolicy {
  /** The authorization server's issuer: the one `audience` an ID-JAG is issued for. */
  readonly audience: string;
  /** Group -> resource URI -> the scopes its members' ID-JAGs may carry there. */
  readonly groups: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  /** @default 300 */
  readonly lifetimeSeconds?: number;
}

export interface DevIdpOptions {
  readonly port: number;
  /** An origin such as http://localhost:8789 (no path: the provider is mounted at /). */
  readonly issuer: string;
  readonly clients: readonly DevIdpClient[];
  readonly users: readonly DevUserConfig[];
  /** @default '127.0.0.1' (and ::1 when the machine has it) */
  readonly host?: string;
  /** The look of the login page: the product's branding. @default the built-in look */
  readonly branding?: Branding;
  /** ID-JAGs by token exchange (Enterprise-Managed Authorization); absent: none are issued. */
  readonly idJag?: DevIdpIdJagPolicy;
}

export interface RunningDevIdp {
  readonly issuer: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The stable subject of a dev user, shaped like a federated id so nobody mistakes it for a username. */
export function devSubject(username: string): string {
  return `dev|${username}`;
}

const MAX_FORM_BYTES = 8 * 1024;
const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]{1,128})(\/login)?$/;
const ADMIN_GROUPS_PATH = /^\/admin\/users\/([^/]{1,300})\/groups$/;

export async function startDevIdp(options: DevIdpOptions): Promise<RunningDevIdp> {
  const issuerUrl = new URL(options.issuer);
  if (issuerUrl.pathname !== '/' || options.issuer.endsWith('/')) {
    throw new Error(`dev IdP issuer must be an origin without a trailing slash, got ${options.issuer}`);
  }
  if (options.clients.length === 0) throw new Error('dev IdP needs at least one client');

  const branding = options.branding ?? DEFAULT_BRANDING;
  const Provider = await loadProvider();
  const users = new Map(options.users.map((u) => [devSubject(u.username), u]));
  // Groups change at run time (the admin endpoint); logins, group reads and ID-JAGs all see the change.
  const groups = new Map(options.users.map((u) => [devSubject(u.username), [...u.groups]]));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signing: SigningKey = { privateKey, publicKey, kid: `dev-${randomUUID()}` };
  const provider = new Provider(options.issuer, providerConfiguration(options, users, groups, signing));
  if (options.clients.some((c) => c.idJagExchange)) {
    provider.registerGrantType(TOKEN_EXCHANGE_GRANT, (ctx: TokenExchangeContext) => exchangeForIdJag(ctx, options, users, groups, signing), ['subject_token', 'subject_token_type', 'requested_token_type', 'audience', 'resource', 'scope']);
  }
  const providerCallback = provider.callback();

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const admin = ADMIN_GROUPS_PATH.exec(path);
    if (admin) {
      handleAdminGroups(options.clients, groups, req, res, admin[1] ?? '').catch(() => {
        if (!res.headersSent) sendJson(res, 500, { error: 'server_error' });
        else res.end();
      });
      return;
    }
    const match = INTERACTION_PATH.exec(path);
    if (!match) {
      // oidc-provider's own pages (errors, form_post) must not be framed either.
      res.setHeader('X-Frame-Options', 'DENY');
      res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
      providerCallback(req, res);
      return;
    }
    handleInteraction(provider, options.users, branding, req, res, match[1] ?? '', Boolean(match[2])).catch(() => {
      if (!res.headersSent) sendPage(res, 500, page(branding, 'Something went wrong', '<p>The dev IdP failed to handle this request. Start again from the application.</p>'));
      else res.end();
    });
  };

  const host = options.host ?? '127.0.0.1';
  const servers = [await listen(createServer(handler), options.port, host)];
  // "localhost" resolves to ::1 first on many machines; answer there too when IPv6 loopback exists.
  if (host === '127.0.0.1') {
    const v6 = await listen(createServer(handler), options.port, '::1').catch(() => undefined);
    if (v6) servers.push(v6);
  }
  return {
    issuer: options.issuer,
    port: options.port,
    close: () => Promise.all(servers.map(closeServer)).then(() => undefined),
  };
}

// ---------------------------------------------------------------------------------------
// oidc-provider wiring

/** The part of oidc-provider's API this file uses (the package ships no types). */
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  registerGrantType(name: string, handler: (ctx: TokenExchangeContext) => Promise<void>, parameters: string[]): void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  readonly Grant: GrantConstructor;
}
type OidcProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

interface InteractionDetails {
  readonly uid: string;
  readonly prompt: { readonly name: string };
  readonly params: Record<string, unknown>;
  readonly session?: { readonly accountId?: string };
  readonly grantId?: string;
}

interface Grant {
  readonly accountId?: string;
  readonly clientId?: string;
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  save(): Promise<string>;
}
interface GrantConstructor {
  new (init: { accountId: string; clientId: string }): Grant;
  find(id: string): Promise<Grant | undefined>;
}

/** What oidc-provider passes to loadExistingGrant: its Koa context, reduced to what we read. */
interface GrantContext {
  readonly oidc: {
    readonly provider: OidcProvider;
    readonly client: { readonly clientId: string };
    readonly session: { readonly accountId?: string; grantIdFor(clientId: string): string | undefined };
    readonly result?: { readonly consent?: { readonly grantId?: string } };
    readonly requestParamOIDCScopes: Set<string>;
    readonly requestParamClaims: Set<string>;
  };
}

async function loadProvider(): Promise<OidcProviderConstructor> {
  // A variable specifier keeps TypeScript from looking for type declarations the package does not have.
  const specifier = 'oidc-provider';
  const loaded = (await import(specifier)) as { default: OidcProviderConstructor };
  return loaded.default;
}

interface SigningKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly kid: string;
}

function providerConfiguration(options: DevIdpOptions, users: ReadonlyMap<string, DevUserConfig>, groups: ReadonlyMap<string, readonly string[]>, signing: SigningKey): Record<string, unknown> {
  const signingKey = { ...signing.privateKey.export({ format: 'jwk' }), kid: signing.kid, alg: 'RS256', use: 'sig' };

  return {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: [...c.redirectUris],
      application_type: c.applicationType ?? 'web',
      grant_types: c.idJagExchange ? ['authorization_code', TOKEN_EXCHANGE_GRANT] : ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
      // auth_time in every ID token, as Cognito's: the AS refuses a sign-in older than a revocation.
      require_auth_time: true,
    })),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    responseTypes: ['code'],
    scopes: ['openid', 'email', 'profile'],
    // groups rides on openid so that every ID token carries it, as Cognito does with cognito:groups.
    claims: { openid: ['sub', 'groups'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
    // With response_type=code, oidc-provider would otherwise move scope claims to userinfo only.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    // What an Enterprise-Managed Authorization client looks for (draft-ietf-oauth-identity-assertion-authz-grant section 7.1).
    ...(options.idJag ? { discovery: { identity_chaining_requested_token_types_supported: [ID_JAG_TOKEN_TYPE] } } : {}),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => {
      const user = users.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: async () => ({
          sub,
          email: user.email,
          email_verified: user.email !== undefined,
          preferred_username: user.username,
          groups: [...(groups.get(sub) ?? [])],
        }),
      };
    },
    // No consent step: the dev IdP stands in for the organisation's IdP, whose consent (if
    // any) is not what we test. The AS shows its own consent page.
    loadExistingGrant: autoGrant,
    renderError: (ctx: { type: string; body: string }, out: { error?: string; error_description?: string }) => {
      ctx.type = 'html';
      ctx.body = page(options.branding ?? DEFAULT_BRANDING, 'Sign-in error', `<p><strong>${escapeHtml(out.error ?? 'error')}</strong>: ${escapeHtml(out.error_description ?? '')}</p>`).html;
    },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
  };
}

async function autoGrant(ctx: GrantContext): Promise<Grant | undefined> {
  const { provider, client, session, result } = ctx.oidc;
  if (!session.accountId) return undefined;
  const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  const existing = grantId ? await provider.Grant.find(grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId: session.accountId, clientId: client.clientId });
  grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes].join(' '));
  const claims = [...ctx.oidc.requestParamClaims];
  if (claims.length) grant.addOIDCClaims(claims);
  await grant.save();
  return grant;
}

// ---------------------------------------------------------------------------------------
// The admin endpoint: a user's groups

async function handleAdminGroups(clients: readonly DevIdpClient[], groups: Map<string, string[]>, req: IncomingMessage, res: ServerResponse, encodedSubject: string): Promise<void> {
  if (!isClient(clients, req.headers.authorization)) {
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="dev-idp admin"', 'Cache-Control': 'no-store' }).end();
    return;
  }
  let subject: string;
  try {
    subject = decodeURIComponent(encodedSubject);
  } catch {
    sendJson(res, 400, { error: 'invalid_request' });
    return;
  }
  if (!groups.has(subject)) {
    sendJson(res, 404, { error: 'user_not_found' });
    return;
  }
  if (req.method === 'GET') {
    sendJson(res, 200, { groups: groups.get(subject) });
    return;
  }
  if (req.method !== 'PUT') {
    res.writeHead(405, { Allow: 'GET, PUT' }).end();
    return;
  }
  const body = await readJson(req);
  const next = (body as { groups?: unknown } | undefined)?.groups;
  if (!Array.isArray(next) || !next.every((g): g is string => typeof g === 'string')) {
    sendJson(res, 400, { error: 'invalid_request', error_description: 'expected {"groups": [string, ...]}' });
    return;
  }
  groups.set(subject, [...new Set(next)]);
  res.writeHead(204, { 'Cache-Control': 'no-store' }).end();
}

/** HTTP Basic with one of the dev IdP's clients (RFC 6749 section 2.3.1 encoding), compared in constant time. */
function isClient(clients: readonly DevIdpClient[], authorization: string | undefined): boolean {
  const match = /^Basic ([A-Za-z0-9+/=]+)$/.exec(authorization ?? '');
  const decoded = match ? Buffer.from(match[1] ?? '', 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  const formDecode = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return undefined;
    }
  };
  const id = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (id === undefined || secret === undefined) return false;
  let found = false;
  for (const client of clients) if (constantTimeEqual(client.clientId, id) && constantTimeEqual(client.clientSecret, secret)) found = true;
  return found;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// ID-JAGs by token exchange (RFC 8693; draft-ietf-oauth-identity-assertion-authz-grant section 4)

/** What oidc-provider hands a registered grant's handler, reduced to what we read and write. */
interface TokenExchangeContext {
  readonly oidc: { readonly client: { readonly clientId: string }; readonly params: Readonly<Record<string, unknown>> };
  status: number;
  body: unknown;
  set(name: string, value: string): void;
}

/**
 * Trades one of this IdP's own ID tokens, issued to the calling client, for an ID-JAG for
 * the authorization server (`audience`) and one MCP server (`resource`), with the scopes
 * the user's groups allow there (the policy), narrowed to what was asked.
 */
async function exchangeForIdJag(ctx: TokenExchangeContext, options: DevIdpOptions, users: ReadonlyMap<string, DevUserConfig>, groups: ReadonlyMap<string, readonly string[]>, signing: SigningKey): Promise<void> {
  const refuse = (error: string, description: string) => {
    ctx.status = 400;
    ctx.body = { error, error_description: description };
  };
  const { params } = ctx.oidc;
  const policy = options.idJag;
  if (!policy) return refuse('unsupported_grant_type', 'This dev IdP issues no ID-JAGs.');
  if (params.requested_token_type !== ID_JAG_TOKEN_TYPE) return refuse('invalid_request', `requested_token_type must be ${ID_JAG_TOKEN_TYPE}.`);
  if (params.subject_token_type !== ID_TOKEN_TYPE) return refuse('invalid_request', `subject_token_type must be ${ID_TOKEN_TYPE}.`);
  if (params.audience !== policy.audience) return refuse('invalid_target', 'ID-JAGs are issued for the configured authorization server only.');
  const now = Math.floor(Date.now() / 1000);
  const idToken = typeof params.subject_token === 'string' ? ownIdToken(params.subject_token, options.issuer, ctx.oidc.client.clientId, signing, now) : undefined;
  const user = idToken && typeof idToken.sub === 'string' ? users.get(idToken.sub) : undefined;
  if (!idToken || !user) return refuse('invalid_grant', 'The subject token is not a valid ID token of this IdP for this client.');
  const resource = params.resource;
  if (typeof resource !== 'string') return refuse('invalid_target', 'Name the MCP server with the resource parameter.');
  const allowed = new Set((groups.get(idToken.sub as string) ?? []).flatMap((group) => policy.groups[group]?.[resource] ?? []));
  if (allowed.size === 0) return refuse('invalid_target', 'The enterprise policy gives this user no access to that resource.');
  const requested = typeof params.scope === 'string' ? params.scope.split(' ').filter(Boolean) : [...allowed];
  const scope = requested.filter((s) => allowed.has(s));
  if (scope.length === 0) return refuse('invalid_scope', 'The enterprise policy allows none of the requested scopes.');

  const lifetime = policy.lifetimeSeconds ?? 300;
  const idJag = signJwt(signing, 'oauth-id-jag+jwt', {
    iss: options.issuer,
    sub: idToken.sub,
    aud: policy.audience,
    client_id: ctx.oidc.client.clientId,
    jti: randomUUID(),
    iat: now,
    exp: now + lifetime,
    resource,
    scope: scope.join(' '),
    ...(typeof idToken.auth_time === 'number' ? { auth_time: idToken.auth_time } : {}),
    ...(user.email ? { email: user.email } : {}),
  });
  ctx.set('Cache-Control', 'no-store');
  ctx.status = 200;
  // RFC 8693 section 2.2.1: the ID-JAG is not an access token, so token_type is N_A.
  ctx.body = { access_token: idJag, issued_token_type: ID_JAG_TOKEN_TYPE, token_type: 'N_A', scope: scope.join(' '), expires_in: lifetime };
}

/** The claims of an ID token this IdP signed for `clientId` that has not expired, or undefined. */
function ownIdToken(token: string, issuer: string, clientId: string, signing: SigningKey, now: number): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    if (header.alg !== 'RS256' || header.kid !== signing.kid) return undefined;
    if (!verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), signing.publicKey, Buffer.from(parts[2]!, 'base64url'))) return undefined;
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (claims.iss !== issuer || !audience.includes(clientId) || typeof claims.exp !== 'number' || claims.exp <= now) return undefined;
    return claims;
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(body));
}

function signJwt(signing: SigningKey, typ: string, payload: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'RS256', typ, kid: signing.kid })}.${encode(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), signing.privateKey).toString('base64url')}`;
}

// ---------------------------------------------------------------------------------------
// The login form

async function handleInteraction(provider: OidcProvider, users: readonly DevUserConfig[], branding: Branding, req: IncomingMessage, res: ServerResponse, uid: string, isLoginPost: boolean): Promise<void> {
  let details: InteractionDetails;
  try {
    details = await provider.interactionDetails(req, res);
  } catch {
    sendPage(res, 400, page(branding, 'Sign-in expired', '<p>This sign-in has expired or was already used. Start again from the application.</p>'));
    return;
  }
  if (details.uid !== uid) {
    sendPage(res, 400, page(branding, 'Sign-in expired', '<p>This sign-in does not belong to this browser. Start again from the application.</p>'));
    return;
  }

  if (details.prompt.name !== 'login') {
    // autoGrant normally satisfies consent before it is asked; should a prompt still come, grant it.
    await finishConsent(provider, branding, req, res, details);
    return;
  }

  if (req.method === 'GET' && !isLoginPost) {
    sendPage(res, 200, loginPage(branding, uid));
    return;
  }
  if (req.method !== 'POST' || !isLoginPost) {
    res.writeHead(405, { Allow: isLoginPost ? 'POST' : 'GET', 'Content-Type': 'text/plain' }).end('Method Not Allowed');
    return;
  }

  const form = await readForm(req);
  const username = form?.get('username') ?? '';
  const password = form?.get('password') ?? '';
  const user = authenticate(users, username, password);
  if (!user) {
    sendPage(res, 401, loginPage(branding, uid, { username, error: 'Wrong username or password.' }));
    return;
  }
  // interactionFinished answers 303, so the browser turns the POST into a GET (never 307).
  await provider.interactionFinished(req, res, { login: { accountId: devSubject(user.username) } }, { mergeWithLastSubmission: false });
}

async function finishConsent(provider: OidcProvider, branding: Branding, req: IncomingMessage, res: ServerResponse, details: InteractionDetails): Promise<void> {
  const accountId = details.session?.accountId;
  const clientId = typeof details.params.client_id === 'string' ? details.params.client_id : undefined;
  if (!accountId || !clientId) {
    sendPage(res, 400, page(branding, 'Sign-in expired', '<p>Start again from the application.</p>'));
    return;
  }
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId });
  if (typeof details.params.scope === 'string') grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function authenticate(users: readonly DevUserConfig[], username: string, password: string): DevUserConfig | undefined {
  let found: DevUserConfig | undefined;
  // Look at every user and compare in constant time, so timing says nothing about which part was wrong.
  for (const user of users) {
    const nameMatches = constantTimeEqual(user.username, username);
    const passwordMatches = constantTimeEqual(user.password, password);
    if (nameMatches && passwordMatches) found = user;
  }
  return found;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function loginPage(branding: Branding, uid: string, state: { username?: string; error?: string } = {}): RenderedPage {
  const error = state.error ? `<p class="error" role="alert">${escapeHtml(state.error)}</p>` : '';
  return page(branding, 'Sign in', `<p class="muted">with a local test account, to continue to ${escapeHtml(branding.productName)}</p>
${error}
<form class="login" method="post" action="/interaction/${escapeHtml(uid)}/login">
<label for="username">Username</label>
<input id="username" type="text" name="username" value="${escapeHtml(state.username ?? '')}" autocomplete="username" autocapitalize="none" spellcheck="false" ${state.error ? '' : 'autofocus '}required>
<label for="password">Password</label>
<input id="password" type="password" name="password" autocomplete="current-password" ${state.error ? 'autofocus ' : ''}required>
<button type="submit">Sign in</button>
</form>`);
}

function page(branding: Branding, title: string, body: string): RenderedPage {
  const notice = '<p class="notice"><strong>Development IdP.</strong> For local testing only: never use it in production or with real passwords.</p>';
  return renderPage({ title, main: `${notice}\n<h1>${escapeHtml(title)}</h1>\n${body}`, branding });
}

function sendPage(res: ServerResponse, status: number, rendered: RenderedPage): void {
  const images = rendered.imageSources.length ? `; img-src ${rendered.imageSources.join(' ')}` : '';
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    // No form-action: browsers apply it to the redirect chain after the POST, which leaves this origin.
    'Content-Security-Policy': `default-src 'none'; style-src ${styleSource(rendered.stylesheet)}${images}; frame-ancestors 'none'; base-uri 'none'`,
    'Referrer-Policy': 'no-referrer',
  }).end(rendered.html);
}

// ---------------------------------------------------------------------------------------

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
