/**
 * The side-by-side benchmark's baseline authorization server: the certified oidc-provider,
 * in memory, configured as an MCP authorization server should be (PKCE S256 required,
 * resource indicators with JWT access tokens whose aud is the resource, dynamic client
 * registration, a refresh token for clients that register the grant), with a plain login
 * form and a one-click consent page for the dev users. Nothing is durable, and there are no
 * revocation checks, no KMS-style remote signing and no WAF: docs/performance.md ("Full
 * flow, side by side") says what that means for the ratio.
 *
 * oidc-provider is ESM-only: loaded with a dynamic import(), which works under tsx (the
 * benchmark's runner) but never inside Jest.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { constantTimeEqual } from '../lambda/core/crypto';
import { escapeHtml } from '../lambda/core/authorization-server/page-layout';
import type { DevUserConfig } from '../local/local-config';

export interface BaselineServerOptions {
  readonly port: number;
  /** An origin (http://localhost:<port>), the provider mounted at /. */
  readonly issuer: string;
  /** The one resource it issues tokens for, and its scopes. */
  readonly resource: { readonly uri: string; readonly scopes: readonly string[] };
  readonly users: readonly DevUserConfig[];
  readonly accessTokenSeconds: number;
}

export interface RunningBaselineServer {
  close(): Promise<void>;
}

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]{1,128})(?:\/(login|consent))?$/;
const MAX_FORM_BYTES = 8 * 1024;

export async function startBaselineServer(options: BaselineServerOptions): Promise<RunningBaselineServer> {
  const { Provider, errors } = await loadProvider();
  const provider = new Provider(options.issuer, providerConfiguration(options, errors));
  const providerCallback = provider.callback();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // MCP clients look for RFC 8414 metadata first; oidc-provider serves the same document under its OpenID name.
    if (path === '/.well-known/oauth-authorization-server') req.url = '/.well-known/openid-configuration';
    const interaction = INTERACTION_PATH.exec(path);
    if (!interaction) return providerCallback(req, res);
    handleInteraction(provider, options.users, req, res, interaction[2]).catch(() => {
      if (!res.headersSent) sendHtml(res, 500, '<p>interaction failed</p>');
      else res.end();
    });
  };
  const servers = [await listen(createServer(handler), options.port, '127.0.0.1')];
  // "localhost" may resolve to ::1 first, as for the dev IdP.
  const v6 = await listen(createServer(handler), options.port, '::1').catch(() => undefined);
  if (v6) servers.push(v6);
  return { close: () => Promise.all(servers.map(closeServer)).then(() => undefined) };
}

// The part of oidc-provider's API used here (the package ships no types).
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
  interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, unknown>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
  readonly Grant: GrantConstructor;
}
interface InteractionDetails {
  readonly prompt: { readonly name: string; readonly details: { readonly missingOIDCScope?: string[]; readonly missingOIDCClaims?: string[]; readonly missingResourceScopes?: Record<string, string[]> } };
  readonly params: Record<string, unknown>;
  readonly session?: { readonly accountId?: string };
  readonly grantId?: string;
}
interface Grant {
  addOIDCScope(scope: string): void;
  addOIDCClaims(claims: string[]): void;
  addResourceScope(resource: string, scope: string): void;
  save(): Promise<string>;
}
interface GrantConstructor {
  new (init: { accountId: string; clientId: string }): Grant;
  find(id: string): Promise<Grant | undefined>;
}
type ProviderErrors = { InvalidTarget: new (description?: string) => Error };
type ProviderConstructor = new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;

async function loadProvider(): Promise<{ Provider: ProviderConstructor; errors: ProviderErrors }> {
  const specifier = 'oidc-provider';
  const loaded = (await import(specifier)) as { default: ProviderConstructor; errors: ProviderErrors };
  return { Provider: loaded.default, errors: loaded.errors };
}

function providerConfiguration(options: BaselineServerOptions, errors: ProviderErrors): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const resourceScope = options.resource.scopes.join(' ');
  return {
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    responseTypes: ['code'],
    // Advertised, and what a registration may name; the resource server info below grants them.
    scopes: ['openid', 'offline_access', ...options.resource.scopes],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.resource.uri,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          if (indicator !== options.resource.uri) throw new errors.InvalidTarget();
          return { scope: resourceScope, audience: indicator, accessTokenTTL: options.accessTokenSeconds, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    // As our authorization server: a client that registered the refresh_token grant gets a refresh token (no offline_access needed).
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(grant: string): boolean }) => client.grantTypeAllowed('refresh_token'),
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: (_ctx: unknown, sub: string) => (options.users.some((u) => u.username === sub) ? { accountId: sub, claims: async () => ({ sub }) } : undefined),
    ttl: { AccessToken: options.accessTokenSeconds, AuthorizationCode: 60, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600, RefreshToken: 30 * 24 * 3600 },
  };
}

async function handleInteraction(provider: OidcProvider, users: readonly DevUserConfig[], req: IncomingMessage, res: ServerResponse, action: string | undefined): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const here = (req.url ?? '').split('?')[0]!.replace(/\/(login|consent)$/, '');
  if (req.method === 'GET') {
    if (details.prompt.name === 'login') return sendHtml(res, 200, loginPage(here));
    return sendHtml(res, 200, consentPage(here, String(details.params.scope ?? '')));
  }
  if (req.method !== 'POST') return sendHtml(res, 405, '<p>method not allowed</p>');
  const form = new URLSearchParams(await readBody(req));
  if (action === 'login' && details.prompt.name === 'login') {
    const user = users.find((u) => u.username === form.get('username'));
    if (!user || !constantTimeEqual(user.password, form.get('password') ?? '')) return sendHtml(res, 200, loginPage(here, 'Wrong username or password.'));
    return provider.interactionFinished(req, res, { login: { accountId: user.username } }, { mergeWithLastSubmission: false });
  }
  if (action === 'consent' && details.prompt.name === 'consent') {
    if (form.get('decision') !== 'approve') return provider.interactionFinished(req, res, { error: 'access_denied' }, { mergeWithLastSubmission: false });
    const grantId = await saveGrant(provider, details);
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return sendHtml(res, 400, '<p>unexpected submission</p>');
}

async function saveGrant(provider: OidcProvider, details: InteractionDetails): Promise<string> {
  const accountId = details.session?.accountId;
  if (!accountId) throw new Error('consent without a login');
  const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
  return grant.save();
}

function loginPage(action: string, error?: string): string {
  return `<h1>Sign in</h1>${error ? `<p>${escapeHtml(error)}</p>` : ''}<form method="post" action="${escapeHtml(action)}/login"><input name="username" autocomplete="username"><input name="password" type="password"><button type="submit">Sign in</button></form>`;
}

function consentPage(action: string, scope: string): string {
  return `<h1>Allow access?</h1><p>${escapeHtml(scope)}</p><form method="post" action="${escapeHtml(action)}/consent"><button type="submit" name="decision" value="approve">Approve</button><button type="submit" name="decision" value="deny">Deny</button></form>`;
}

function sendHtml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Frame-Options': 'DENY' });
  res.end(`<!doctype html><html><body>${body}</body></html>`);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new Error('form too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function listen(server: Server, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
