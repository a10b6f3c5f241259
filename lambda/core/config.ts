/**
 * The one configuration of the product, typed and validated once. Local mode reads it from
 * a JSON file (config/local.json); the CDK app reads the same file and hands the parts each
 * function needs to it as one JSON environment variable. Validation errors name the option
 * by its dotted path, e.g. `resources[0].uri: must be an absolute https URL`.
 */
import { parseBranding, type BrandingConfig } from './branding';

export interface ScopeConfig {
  readonly name: string;
  /** Shown on the consent page. */
  readonly description: string;
}

/** A route of the protected API and the scopes it needs (all of them). */
export interface RouteRuleConfig {
  /** HTTP method, or '*' for any. */
  readonly method: string;
  /** Path pattern: exact segments, `{param}` for one segment, a trailing `{proxy+}` for the rest. */
  readonly path: string;
  readonly scopes: readonly string[];
}

/** An MCP tool (or other JSON-RPC name) and the scopes a call needs (all of them). */
export interface ToolRuleConfig {
  readonly name: string;
  readonly scopes: readonly string[];
}

export interface ResourceConfig {
  /** Canonical resource URI (RFC 8707, MCP): the `aud` of tokens minted for it. */
  readonly uri: string;
  readonly name: string;
  readonly scopes: readonly ScopeConfig[];
  /** Scopes granted when a request names none, and advertised in the 401 challenge. */
  readonly defaultScopes: readonly string[];
  readonly routes: readonly RouteRuleConfig[];
  readonly tools: readonly ToolRuleConfig[];
  /**
   * Confidential clients (typically this resource's own server) allowed to introspect
   * tokens whose aud is this resource (RFC 7662), besides each token's own client.
   * @default []
   */
  readonly introspectionClients?: readonly string[];
}

export interface StaticClientConfig {
  readonly clientId: string;
  readonly clientName: string;
  readonly redirectUris: readonly string[];
  readonly tokenEndpointAuthMethod: 'none' | 'client_secret_basic' | 'client_secret_post';
  /** SHA-256 of the secret, base64url; required for confidential clients. */
  readonly clientSecretHash?: string;
}

export interface RegistrationConfig {
  /** RFC 7591 dynamic registration at /register. */
  readonly dynamicRegistrationEnabled: boolean;
  /** Client ID metadata documents (https client_id URLs). */
  readonly clientIdMetadataDocumentsEnabled: boolean;
  /** Dynamic clients expire after this long without renewal; 0 = never. */
  readonly dynamicClientTtlSeconds: number;
  readonly metadataDocumentCacheSeconds: number;
  readonly metadataDocumentTimeoutMs: number;
  readonly metadataDocumentMaxBytes: number;
}

export interface UpstreamConfig {
  /** Issuer of the upstream OIDC IdP; its discovery document is at issuer + /.well-known/openid-configuration. */
  readonly issuer: string;
  readonly clientId: string;
  /** Local mode only. In AWS the secret comes from Secrets Manager (clientSecretArn). */
  readonly clientSecret?: string;
  readonly clientSecretArn?: string;
  readonly scopes: readonly string[];
  /** The ID token claim that lists the user's groups (Cognito: cognito:groups). */
  readonly groupsClaim: string;
}

export interface TokenLifetimesConfig {
  readonly accessTokenSeconds: number;
  readonly authorizationCodeSeconds: number;
  /** A refresh token unused for this long is dead. */
  readonly refreshTokenIdleSeconds: number;
  /** A family ends this long after the first login, whatever happens. */
  readonly refreshTokenAbsoluteSeconds: number;
  readonly loginSessionSeconds: number;
  readonly consentSeconds: number;
  /** How long a user has to finish login and consent. */
  readonly pendingAuthorizationSeconds: number;
}

export interface GuardConfig {
  /** API Gateway's authorizer result cache. Part of the revocation delay. */
  readonly authorizerCacheTtlSeconds: number;
  /** The authorizer's in-memory revocation cache. The other part of the revocation delay. */
  readonly revocationCacheTtlSeconds: number;
  /** Tolerated clock skew for exp, nbf and iat. */
  readonly clockSkewSeconds: number;
}

export interface DevUserConfig {
  readonly username: string;
  readonly password: string;
  readonly groups: readonly string[];
  readonly email?: string;
}

/** Only local mode reads this section. */
export interface LocalConfig {
  /** Port of the dev IdP; its issuer is http://localhost:<port>. */
  readonly devIdpPort: number;
  readonly devUsers: readonly DevUserConfig[];
  /** Port of DynamoDB Local. */
  readonly dynamoDbPort: number;
  /**
   * TESTS ONLY. Origins (`https://<name>.localhost:<port>`) whose client ID metadata
   * documents local mode fetches from loopback despite the SSRF policy, so an end-to-end
   * test can serve a document. Names under `.localhost` always mean loopback (RFC 6761);
   * anything else is refused by validation. Never available in AWS: the deployed
   * functions do not read the local section.
   * @default []
   */
  readonly trustedMetadataOrigins?: readonly string[];
  /**
   * TESTS ONLY. A PEM file with the CA certificate of the test server behind
   * trustedMetadataOrigins, trusted in addition to the public CAs (a relative path is
   * read from the config file's folder). Certificate verification is never turned off.
   */
  readonly metadataCaFile?: string;
}

export interface Config {
  /** Exact issuer identifier: https (or http://localhost in local mode), no trailing slash, no query or fragment. */
  readonly issuer: string;
  readonly resources: readonly ResourceConfig[];
  /** The resource used when /authorize names none (the MCP conformance suite sends none). */
  readonly defaultResource: string;
  readonly clients: readonly StaticClientConfig[];
  readonly registration: RegistrationConfig;
  readonly upstream: UpstreamConfig;
  /** Group name -> scopes its members may be granted. A user gets the union over their groups. */
  readonly groupScopes: Readonly<Record<string, readonly string[]>>;
  readonly tokens: TokenLifetimesConfig;
  readonly guard: GuardConfig;
  /** The look of the pages people see (lambda/core/branding.ts). @default the built-in look */
  readonly branding?: BrandingConfig;
  readonly local?: LocalConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const DEFAULT_REGISTRATION: RegistrationConfig = {
  dynamicRegistrationEnabled: true,
  clientIdMetadataDocumentsEnabled: true,
  dynamicClientTtlSeconds: 90 * 24 * 3600,
  metadataDocumentCacheSeconds: 300,
  metadataDocumentTimeoutMs: 3000,
  metadataDocumentMaxBytes: 5120,
};

const DEFAULT_TOKENS: TokenLifetimesConfig = {
  accessTokenSeconds: 900,
  authorizationCodeSeconds: 60,
  refreshTokenIdleSeconds: 14 * 24 * 3600,
  refreshTokenAbsoluteSeconds: 90 * 24 * 3600,
  loginSessionSeconds: 8 * 3600,
  consentSeconds: 90 * 24 * 3600,
  pendingAuthorizationSeconds: 600,
};

const DEFAULT_GUARD: GuardConfig = {
  authorizerCacheTtlSeconds: 30,
  revocationCacheTtlSeconds: 15,
  clockSkewSeconds: 30,
};

/** Validates untrusted input (parsed JSON) into a Config, or throws ConfigError listing every problem. */
export function parseConfig(input: unknown): Config {
  const v = new Validator();
  const root = v.object(input, '');
  const issuer = v.issuer(root.issuer, 'issuer');
  const resources = v.array(root.resources, 'resources', { min: 1 }).map((r, i) => parseResource(v, r, `resources[${i}]`));
  const resourceUris = new Set(resources.map((r) => r.uri));
  const defaultResource = root.defaultResource === undefined ? resources[0]?.uri ?? '' : v.string(root.defaultResource, 'defaultResource');
  if (defaultResource && resources.length && !resourceUris.has(defaultResource)) v.problem('defaultResource', 'must be the uri of one of resources');
  const allScopes = new Set(resources.flatMap((r) => r.scopes.map((s) => s.name)));

  const clients = (root.clients === undefined ? [] : v.array(root.clients, 'clients')).map((c, i) => parseStaticClient(v, c, `clients[${i}]`));
  const registration = parseRegistration(v, root.registration, 'registration');
  const upstream = parseUpstream(v, root.upstream, 'upstream');

  const groupScopesInput = v.object(root.groupScopes, 'groupScopes');
  const groupScopes: Record<string, readonly string[]> = {};
  for (const [group, scopes] of Object.entries(groupScopesInput)) {
    groupScopes[group] = v.array(scopes, `groupScopes.${group}`).map((s, i) => {
      const scope = v.string(s, `groupScopes.${group}[${i}]`);
      if (!allScopes.has(scope)) v.problem(`groupScopes.${group}[${i}]`, `"${scope}" is not a scope of any resource`);
      return scope;
    });
  }

  const tokens = mergeNumbers(v, DEFAULT_TOKENS, root.tokens, 'tokens');
  if (tokens.authorizationCodeSeconds > 600) v.problem('tokens.authorizationCodeSeconds', 'must be at most 600 (OAuth 2.1 section 4.1.2)');
  if (tokens.refreshTokenIdleSeconds > tokens.refreshTokenAbsoluteSeconds) v.problem('tokens.refreshTokenIdleSeconds', 'must not exceed tokens.refreshTokenAbsoluteSeconds');
  const guard = mergeNumbers(v, DEFAULT_GUARD, root.guard, 'guard', { allowZero: true });
  if (guard.authorizerCacheTtlSeconds > 3600) v.problem('guard.authorizerCacheTtlSeconds', 'must be at most 3600 (API Gateway limit)');
  const local = root.local === undefined ? undefined : parseLocal(v, root.local, 'local');
  // branding: validated in its own module (every value lands in HTML or CSS).
  const branding = root.branding === undefined ? undefined : parseBranding(root.branding);
  for (const p of branding?.problems ?? []) v.problem(`branding${p.path}`, p.message);

  v.finish();
  return { issuer, resources, defaultResource, clients, registration, upstream, groupScopes, tokens, guard, ...(branding ? { branding: branding.branding } : {}), local };
}

function parseResource(v: Validator, input: unknown, path: string): ResourceConfig {
  const o = v.object(input, path);
  const uri = v.resourceUri(o.uri, `${path}.uri`);
  const name = v.string(o.name, `${path}.name`);
  const scopes = v.array(o.scopes, `${path}.scopes`, { min: 1 }).map((s, i) => {
    const so = v.object(s, `${path}.scopes[${i}]`);
    const scopeName = v.string(so.name, `${path}.scopes[${i}].name`);
    if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scopeName)) v.problem(`${path}.scopes[${i}].name`, 'must be a scope-token (RFC 6749 section 3.3)');
    return { name: scopeName, description: v.string(so.description, `${path}.scopes[${i}].description`) };
  });
  const known = new Set(scopes.map((s) => s.name));
  const scopeList = (value: unknown, at: string): string[] =>
    v.array(value, at).map((s, i) => {
      const scope = v.string(s, `${at}[${i}]`);
      if (!known.has(scope)) v.problem(`${at}[${i}]`, `"${scope}" is not in ${path}.scopes`);
      return scope;
    });
  const defaultScopes = o.defaultScopes === undefined ? [scopes[0]?.name ?? ''] : scopeList(o.defaultScopes, `${path}.defaultScopes`);
  const routes = (o.routes === undefined ? [] : v.array(o.routes, `${path}.routes`)).map((r, i) => {
    const at = `${path}.routes[${i}]`;
    const ro = v.object(r, at);
    const method = v.string(ro.method, `${at}.method`).toUpperCase();
    const routePath = v.string(ro.path, `${at}.path`);
    if (!routePath.startsWith('/')) v.problem(`${at}.path`, 'must start with /');
    return { method, path: routePath, scopes: scopeList(ro.scopes, `${at}.scopes`) };
  });
  const tools = (o.tools === undefined ? [] : v.array(o.tools, `${path}.tools`)).map((t, i) => {
    const at = `${path}.tools[${i}]`;
    const to = v.object(t, at);
    return { name: v.string(to.name, `${at}.name`), scopes: scopeList(to.scopes, `${at}.scopes`) };
  });
  const introspectionClients = (o.introspectionClients === undefined ? [] : v.array(o.introspectionClients, `${path}.introspectionClients`))
    .map((c, i) => v.string(c, `${path}.introspectionClients[${i}]`));
  return { uri, name, scopes, defaultScopes, routes, tools, introspectionClients };
}

function parseStaticClient(v: Validator, input: unknown, path: string): StaticClientConfig {
  const o = v.object(input, path);
  const method = v.string(o.tokenEndpointAuthMethod ?? 'none', `${path}.tokenEndpointAuthMethod`);
  if (!['none', 'client_secret_basic', 'client_secret_post'].includes(method)) v.problem(`${path}.tokenEndpointAuthMethod`, 'must be none, client_secret_basic or client_secret_post');
  const clientSecretHash = o.clientSecretHash === undefined ? undefined : v.string(o.clientSecretHash, `${path}.clientSecretHash`);
  if (method !== 'none' && !clientSecretHash) v.problem(`${path}.clientSecretHash`, 'is required for a confidential client');
  return {
    clientId: v.string(o.clientId, `${path}.clientId`),
    clientName: v.string(o.clientName, `${path}.clientName`),
    redirectUris: v.array(o.redirectUris, `${path}.redirectUris`, { min: 1 }).map((u, i) => v.string(u, `${path}.redirectUris[${i}]`)),
    tokenEndpointAuthMethod: method as StaticClientConfig['tokenEndpointAuthMethod'],
    clientSecretHash,
  };
}

function parseRegistration(v: Validator, input: unknown, path: string): RegistrationConfig {
  if (input === undefined) return DEFAULT_REGISTRATION;
  const o = v.object(input, path);
  const flag = (key: 'dynamicRegistrationEnabled' | 'clientIdMetadataDocumentsEnabled') =>
    o[key] === undefined ? DEFAULT_REGISTRATION[key] : v.boolean(o[key], `${path}.${key}`);
  const numbers = mergeNumbers(v, {
    dynamicClientTtlSeconds: DEFAULT_REGISTRATION.dynamicClientTtlSeconds,
    metadataDocumentCacheSeconds: DEFAULT_REGISTRATION.metadataDocumentCacheSeconds,
    metadataDocumentTimeoutMs: DEFAULT_REGISTRATION.metadataDocumentTimeoutMs,
    metadataDocumentMaxBytes: DEFAULT_REGISTRATION.metadataDocumentMaxBytes,
  }, Object.fromEntries(Object.entries(o).filter(([k]) => !k.endsWith('Enabled'))), path, { allowZero: true });
  return { dynamicRegistrationEnabled: flag('dynamicRegistrationEnabled'), clientIdMetadataDocumentsEnabled: flag('clientIdMetadataDocumentsEnabled'), ...numbers };
}

function parseUpstream(v: Validator, input: unknown, path: string): UpstreamConfig {
  const o = v.object(input, path);
  return {
    issuer: v.absoluteUrl(o.issuer, `${path}.issuer`),
    clientId: v.string(o.clientId, `${path}.clientId`),
    clientSecret: o.clientSecret === undefined ? undefined : v.string(o.clientSecret, `${path}.clientSecret`),
    clientSecretArn: o.clientSecretArn === undefined ? undefined : v.string(o.clientSecretArn, `${path}.clientSecretArn`),
    scopes: o.scopes === undefined ? ['openid', 'email', 'profile'] : v.array(o.scopes, `${path}.scopes`).map((s, i) => v.string(s, `${path}.scopes[${i}]`)),
    groupsClaim: o.groupsClaim === undefined ? 'cognito:groups' : v.string(o.groupsClaim, `${path}.groupsClaim`),
  };
}

function parseLocal(v: Validator, input: unknown, path: string): LocalConfig {
  const o = v.object(input, path);
  const trustedMetadataOrigins = (o.trustedMetadataOrigins === undefined ? [] : v.array(o.trustedMetadataOrigins, `${path}.trustedMetadataOrigins`))
    .map((origin, i) => v.loopbackHttpsOrigin(origin, `${path}.trustedMetadataOrigins[${i}]`));
  const metadataCaFile = o.metadataCaFile === undefined ? undefined : v.string(o.metadataCaFile, `${path}.metadataCaFile`);
  if (metadataCaFile !== undefined && trustedMetadataOrigins.length === 0) v.problem(`${path}.metadataCaFile`, `is only for the test servers of ${path}.trustedMetadataOrigins, which is empty`);
  return {
    trustedMetadataOrigins,
    metadataCaFile,
    devIdpPort: v.port(o.devIdpPort ?? 8789, `${path}.devIdpPort`),
    dynamoDbPort: v.port(o.dynamoDbPort ?? 8790, `${path}.dynamoDbPort`),
    devUsers: v.array(o.devUsers, `${path}.devUsers`).map((u, i) => {
      const at = `${path}.devUsers[${i}]`;
      const uo = v.object(u, at);
      return {
        username: v.string(uo.username, `${at}.username`),
        password: v.string(uo.password, `${at}.password`),
        groups: v.array(uo.groups, `${at}.groups`).map((g, j) => v.string(g, `${at}.groups[${j}]`)),
        email: uo.email === undefined ? undefined : v.string(uo.email, `${at}.email`),
      };
    }),
  };
}

function mergeNumbers<T extends { readonly [K in keyof T]: number }>(v: Validator, defaults: T, input: unknown, path: string, opts: { allowZero?: boolean } = {}): T {
  if (input === undefined) return defaults;
  const o = v.object(input, path);
  const out: Record<string, number> = { ...(defaults as Record<string, number>) };
  for (const [key, value] of Object.entries(o)) {
    if (!(key in defaults)) {
      v.problem(`${path}.${key}`, `is not a known option (known: ${Object.keys(defaults).join(', ')})`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || (!opts.allowZero && value === 0)) {
      v.problem(`${path}.${key}`, opts.allowZero ? 'must be a whole number >= 0' : 'must be a whole number > 0');
      continue;
    }
    out[key] = value;
  }
  return out as unknown as T;
}

class Validator {
  private readonly problems: string[] = [];

  problem(path: string, message: string): void {
    this.problems.push(`${path || '(root)'}: ${message}`);
  }

  finish(): void {
    if (this.problems.length) throw new ConfigError(this.problems);
  }

  object(value: unknown, path: string): Record<string, unknown> {
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    this.problem(path, 'must be an object');
    return {};
  }

  array(value: unknown, path: string, opts: { min?: number } = {}): unknown[] {
    if (!Array.isArray(value)) {
      this.problem(path, 'must be an array');
      return [];
    }
    if (opts.min !== undefined && value.length < opts.min) this.problem(path, `must have at least ${opts.min} item(s)`);
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value === 'string' && value.length > 0) return value;
    this.problem(path, 'must be a non-empty string');
    return '';
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value === 'boolean') return value;
    this.problem(path, 'must be true or false');
    return false;
  }

  port(value: unknown, path: string): number {
    if (typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 65536) return value;
    this.problem(path, 'must be a port number (1-65535)');
    return 0;
  }

  absoluteUrl(value: unknown, path: string): string {
    const s = this.string(value, path);
    if (!s) return s;
    const url = safeUrl(s);
    if (!url || (url.protocol !== 'https:' && !isLocalhostHttp(url))) this.problem(path, 'must be an absolute https URL (http only for localhost)');
    return s;
  }

  issuer(value: unknown, path: string): string {
    const s = this.absoluteUrl(value, path);
    const url = safeUrl(s);
    if (url && (url.search || url.hash || s.includes('?') || s.includes('#'))) this.problem(path, 'must have no query or fragment (RFC 8414 section 2)');
    if (s.endsWith('/')) this.problem(path, 'must not end with / (it is compared as an exact string)');
    return s;
  }

  /** An https origin on a name under .localhost (RFC 6761: always loopback). */
  loopbackHttpsOrigin(value: unknown, path: string): string {
    const s = this.string(value, path);
    if (!s) return s;
    const url = safeUrl(s);
    if (!url || url.protocol !== 'https:' || url.origin !== s || !isLocalhostSubdomain(url.hostname)) {
      this.problem(path, 'must be an https origin (no path) on a name under .localhost, e.g. https://client.localhost:8443 (a test-only loopback server)');
    }
    return s;
  }

  resourceUri(value: unknown, path: string): string {
    const s = this.absoluteUrl(value, path);
    if (s.includes('#')) this.problem(path, 'must have no fragment (RFC 8707 section 2)');
    const url = safeUrl(s);
    if (url && url.href.replace(/\/$/, '') !== s.replace(/\/$/, '') && url.href !== s) this.problem(path, `must be in canonical form (${url.href})`);
    return s;
  }
}

function safeUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

/** `<label>.localhost` and deeper: client ID URLs need a fully qualified name, so bare `localhost` cannot serve one. */
function isLocalhostSubdomain(hostname: string): boolean {
  return /^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+localhost$/.test(hostname);
}

function isLocalhostHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}
