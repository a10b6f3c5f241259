/**
 * The product configuration as one schema: what a config file may hold, its defaults, and
 * every rule an option must follow, each message fit to follow the option's dotted path
 * (`resources[0].uri: must have no fragment`). Unknown options are refused, so a typo never
 * passes silently. The core reads the plain types of lambda/core/config.ts; the compile-time
 * checks at the end keep this schema and those types the same shape.
 *
 * zod/mini rather than zod: the same engine without the method-chaining API, a few KB in the
 * authorizer's bundle instead of a few hundred (docs/performance.md).
 */
import * as z from 'zod/mini';
import { hasInvisibleCharacters, hexColour, MAX_PRODUCT_NAME_LENGTH, pageUrl, svgProblem } from '../../core/branding';
import type { BackendConfig, BrandingConfig, ClientGrantType, Config, DownstreamConfig, ServerClientConfig, TrustedIdentityProviderConfig, GuardConfig, RegistrationConfig, ResourceConfig, RouteRuleConfig, StaticClientConfig, TokenLifetimesConfig, UpstreamConfig } from '../../core/config';
import { awsCallWorstCaseMs, type AwsCallsConfig } from '../../core/config';
import { routeTableProblems } from '../../core/guard/route-table';
import { isScopeToken } from '../../core/scopes';

const NON_EMPTY = 'must be a non-empty string';
// Schemas are immutable, so one instance serves every option of its kind: building them is
// most of what this module costs at a cold start.
const nonEmptyText = z.string({ error: NON_EMPTY }).check(z.minLength(1, { error: NON_EMPTY }));

/** A string option that must not be empty. */
export const text = () => nonEmptyText;

/** A list option; `min` items at least. */
export const list = <T extends z.ZodMiniType>(item: T, min?: number) => {
  const array = z.array(item, { error: 'must be an array' });
  return min === undefined ? array : array.check(z.minLength(min, { error: `must have at least ${min} item(s)` }));
};

/** A list of non-empty strings (scopes, URIs, names). */
const textList = list(nonEmptyText);

/** An object option whose members are exactly `shape`'s: any other member is named as unknown. */
export const section = <T extends z.core.$ZodLooseShape>(shape: T) => {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, { error: (issue) => (issue.code === 'unrecognized_keys' ? `is not a known option (known: ${known})` : 'must be an object') });
};

/** Each message a value gets from `problems`, as issues of the option being checked. */
export const rule = <T>(problems: (value: T) => readonly string[]) =>
  z.superRefine<T>((value, ctx) => {
    for (const message of problems(value)) ctx.issues.push({ code: 'custom', message, input: value });
  });

const wholeNumber = (min: 0 | 1, max?: { readonly value: number; readonly why: string }) => {
  const message = min === 1 ? 'must be a whole number > 0' : 'must be a whole number >= 0';
  return z.int({ error: message }).check(
    z.gte(min, { error: message }),
    ...(max ? [z.lte(max.value, { error: `must be at most ${max.value} (${max.why})` })] : []),
  );
};

const withDefault = <T extends z.ZodMiniType>(schema: T, value: z.output<T> & {}) => z._default(schema, value as never);

/** What an option means, for editors that read the published JSON Schema. */
export const about = <T extends z.ZodMiniType>(schema: T, description: string): T => schema.check(z.describe(description)) as T;

// ---------------------------------------------------------------------------------------
// URLs

function safeUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

function isLocalhostHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

function absoluteUrlProblems(s: string): string[] {
  if (!s) return [];
  const url = safeUrl(s);
  return !url || (url.protocol !== 'https:' && !isLocalhostHttp(url)) ? ['must be an absolute https URL (http only for localhost)'] : [];
}

const absoluteUrl = text().check(rule(absoluteUrlProblems));

const issuer = text().check(rule((s: string) => {
  const problems = absoluteUrlProblems(s);
  const url = safeUrl(s);
  if (url && (url.search || url.hash || s.includes('?') || s.includes('#'))) problems.push('must have no query or fragment (RFC 8414 section 2)');
  if (s.endsWith('/')) problems.push('must not end with / (it is compared as an exact string)');
  return problems;
}));

const resourceUri = text().check(rule((s: string) => {
  const problems = absoluteUrlProblems(s);
  if (s.includes('#')) problems.push('must have no fragment (RFC 8707 section 2)');
  const url = safeUrl(s);
  if (url && url.href.replace(/\/$/, '') !== s.replace(/\/$/, '') && url.href !== s) problems.push(`must be in canonical form (${url.href})`);
  return problems;
}));

// ---------------------------------------------------------------------------------------
// Sections

const scopeSchema = section({
  name: text().check(rule((name: string) => (name && !isScopeToken(name) ? ['must be a scope-token (RFC 6749 section 3.3)'] : []))),
  /** Shown on the consent page. */
  description: text(),
});

const routeSchema = section({
  method: z.pipe(text(), z.transform((method: string) => method.toUpperCase())),
  path: text().check(rule((path: string) => (path && !path.startsWith('/') ? ['must start with /'] : []))),
  scopes: textList,
});

/** Loopback hosts: the only ones an http (not https) backend may be on. */
function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

const backendUrl = text().check(rule((s: string) => {
  const url = safeUrl(s);
  if (!url || (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname)))) return ['must be an absolute https URL (http only for a loopback address: 127.0.0.1, [::1], localhost)'];
  const problems: string[] = [];
  if (url.username || url.password) problems.push('must not hold credentials (use backend.sharedSecret)');
  if (url.search || url.hash || s.includes('?') || s.includes('#')) problems.push('must have no query or fragment');
  return problems;
}));

const LAMBDA_FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]{1,128})?$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** Request headers the MCP step writes or drops itself: a shared secret under one of these names could be overwritten or faked. */
const RESERVED_HEADERS = new Set(['authorization', 'host', 'content-length', 'connection', 'cookie', 'x-origin-verify']);
export const DEFAULT_SHARED_SECRET_HEADER = 'X-MCP-OAuth-Secret';

const backendSchema = section({
  httpUrl: about(z.optional(backendUrl), 'Any MCP server over HTTP: every route of this resource is proxied to this URL (the resource path replaced by its path), through the MCP step.'),
  lambdaFunctionArn: about(z.optional(text().check(rule((s: string) => (s && !LAMBDA_FUNCTION_ARN.test(s) ? ['must be a Lambda function ARN (arn:aws:lambda:<region>:<account>:function:<name>)'] : [])))), 'AWS only: your Lambda function, as a proxy integration behind the authorizer.'),
  sharedSecret: about(z.optional(section({
    header: withDefault(text().check(rule((s: string) => (!HEADER_NAME.test(s) ? ['must be an HTTP header name'] : RESERVED_HEADERS.has(s.toLowerCase()) ? ['is a header the MCP step writes or drops itself: choose another name'] : []))), DEFAULT_SHARED_SECRET_HEADER),
    secretArn: about(z.optional(text().check(rule((s: string) => (s && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(s) ? ['must be a Secrets Manager secret ARN'] : [])))), 'On AWS: the secret whose string value is sent.'),
    value: about(z.optional(text()), 'Local mode only: the value itself.'),
  }).check(z.superRefine((secret, ctx) => {
    if ((secret.secretArn === undefined) === (secret.value === undefined)) ctx.issues.push({ code: 'custom', message: 'needs exactly one of secretArn (AWS) and value (local mode)', input: secret });
  }))), 'A secret header the MCP step adds, so the backend can refuse requests that did not pass the guard.'),
}).check(z.superRefine((backend, ctx) => {
  if ((backend.httpUrl === undefined) === (backend.lambdaFunctionArn === undefined)) ctx.issues.push({ code: 'custom', message: 'needs exactly one of httpUrl and lambdaFunctionArn', input: backend });
  if (backend.sharedSecret && backend.httpUrl === undefined) ctx.issues.push({ code: 'custom', message: 'applies to an httpUrl backend only (a Lambda backend is invoked by API Gateway itself)', input: backend, path: ['sharedSecret'] });
}));

const downstreamSchema = section({
  resource: about(resourceUri, 'The downstream API\'s resource URI: the aud of exchanged tokens.'),
  scopes: about(z.record(z.string(), textList, { error: 'must be an object' }), 'A scope of this MCP server -> the downstream scopes a token holding it may be exchanged for.'),
});

const serverClientSchema = section({
  clientId: about(text(), 'A pre-registered confidential client with the token-exchange grant.'),
  clientSecretArn: about(z.optional(text().check(rule((s: string) => (s && !/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/.test(s) ? ['must be a Secrets Manager secret ARN'] : [])))), 'On AWS: the Secrets Manager secret holding its client secret.'),
  clientSecret: about(z.optional(text()), 'Local mode only: the client secret itself.'),
});

const resourceSchema = section({
  uri: about(resourceUri, 'Canonical resource URI (RFC 8707): the aud of tokens minted for it.'),
  name: text(),
  scopes: about(list(scopeSchema, 1), 'The scopes this resource defines; each description is shown on the consent page.'),
  defaultScopes: about(z.optional(textList), 'Scopes granted when a request names none, and advertised in the 401 challenge. Default: the first scope.'),
  routes: about(withDefault(list(routeSchema), []), 'Routes of the protected API and the scopes each needs (all of them). A route no rule names is refused.'),
  tools: about(withDefault(list(section({ name: text(), scopes: textList })), []), 'MCP tools and the scopes a call needs (all of them).'),
  introspectionClients: about(withDefault(textList, []), 'Confidential clients allowed to introspect tokens for this resource (RFC 7662), besides each token\'s own client.'),
  backend: about(z.optional(backendSchema), 'What serves this resource behind the guard: absent, the demo MCP server; {"httpUrl": ...} any MCP server over HTTP; {"lambdaFunctionArn": ...} (AWS only) your Lambda.'),
  serverClient: about(z.optional(serverClientSchema), 'The confidential client this MCP server authenticates as to exchange tokens (RFC 8693); required with downstream.'),
  downstream: about(withDefault(list(downstreamSchema), []), 'Downstream APIs this MCP server may get exchanged tokens for (RFC 8693 at /token).'),
});

const AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'] as const;
const GRANT_TYPES = [
  'authorization_code',
  'refresh_token',
  'client_credentials',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:token-exchange',
] as const satisfies readonly ClientGrantType[];
const DEFAULT_GRANT_TYPES: ClientGrantType[] = ['authorization_code', 'refresh_token'];
/** Grants with no user at the client, or a server trading tokens: only a client that authenticates may hold them. */
const CONFIDENTIAL_ONLY_GRANTS: readonly ClientGrantType[] = ['client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:token-exchange'];

const optionalText = z.optional(text());
/** A public JWK (RFC 7517): RSA for RS256 or EC P-256 for ES256. Private members (d, p, q...) are unknown options, so refused. */
export const publicJwkSchema = section({
  kty: z.enum(['RSA', 'EC'], { error: 'must be RSA or EC' }),
  kid: optionalText,
  alg: z.optional(z.enum(['RS256', 'ES256'], { error: 'must be RS256 or ES256' })),
  use: z.optional(z.enum(['sig'], { error: 'must be sig' })),
  n: optionalText,
  e: optionalText,
  crv: z.optional(z.enum(['P-256'], { error: 'must be P-256' })),
  x: optionalText,
  y: optionalText,
}).check(rule((key: { kty: string; n?: string; e?: string; crv?: string; x?: string; y?: string }) => {
  if (key.kty === 'RSA' && (!key.n || !key.e)) return ['an RSA key needs n and e'];
  if (key.kty === 'EC' && (!key.crv || !key.x || !key.y)) return ['an EC key needs crv, x and y'];
  return [];
}));

export const jwkSetSchema = section({ keys: list(publicJwkSchema, 1) });

const staticClientSchema = section({
  clientId: text(),
  clientName: text(),
  redirectUris: about(withDefault(list(text()), []), 'Where the authorization code may be sent; required with the authorization_code grant.'),
  tokenEndpointAuthMethod: withDefault(z.enum(AUTH_METHODS, { error: 'must be none, client_secret_basic, client_secret_post or private_key_jwt' }), 'none'),
  clientSecretHash: about(z.optional(text()), 'SHA-256 of the client secret, base64url: a hash, never the secret itself.'),
  grantTypes: about(withDefault(list(z.enum(GRANT_TYPES, { error: `must be one of ${GRANT_TYPES.join(', ')}` }), 1), DEFAULT_GRANT_TYPES), 'The grants this client may use at /token.'),
  allowedScopes: about(withDefault(z.record(z.string(), textList, { error: 'must be an object' }), {}), 'Resource URI -> the scopes this client may get without a user (client_credentials).'),
  jwks: about(z.optional(jwkSetSchema), 'private_key_jwt: the client\'s public keys, inline.'),
  jwksUri: about(z.optional(absoluteUrl), 'private_key_jwt: where the client publishes its public keys (fetched like client metadata documents).'),
}).check(z.superRefine((client, ctx) => {
  const problem = (path: string, message: string) => ctx.issues.push({ code: 'custom', message, input: client, path: [path] });
  if ((client.tokenEndpointAuthMethod === 'client_secret_basic' || client.tokenEndpointAuthMethod === 'client_secret_post') && !client.clientSecretHash) {
    problem('clientSecretHash', 'is required for a confidential client');
  }
  if (client.tokenEndpointAuthMethod === 'private_key_jwt') {
    if ((client.jwks === undefined) === (client.jwksUri === undefined)) problem('jwks', 'private_key_jwt needs exactly one of jwks and jwksUri');
    if (client.clientSecretHash) problem('clientSecretHash', 'is not used by a private_key_jwt client: remove it');
  } else if (client.jwks || client.jwksUri) {
    problem(client.jwks ? 'jwks' : 'jwksUri', 'is only for tokenEndpointAuthMethod private_key_jwt');
  }
  if (client.grantTypes.includes('authorization_code') && client.redirectUris.length === 0) problem('redirectUris', 'must have at least 1 item(s) for the authorization_code grant');
  if (client.tokenEndpointAuthMethod === 'none') {
    for (const grant of client.grantTypes) if (CONFIDENTIAL_ONLY_GRANTS.includes(grant)) problem('grantTypes', `${grant} needs a client that authenticates (tokenEndpointAuthMethod other than none)`);
  }
  if (client.grantTypes.includes('client_credentials') && Object.keys(client.allowedScopes).length === 0) problem('allowedScopes', 'must name at least one resource for the client_credentials grant');
}));

const trustedIdentityProviderSchema = section({
  issuer: about(absoluteUrl, 'Exactly the iss of its ID-JAGs.'),
  jwksUri: about(absoluteUrl, 'Where its signing keys are published (RS256 or ES256).'),
  resources: about(z.record(z.string(), textList, { error: 'must be an object' }), 'Resource URI -> the scopes its ID-JAGs may grant there.'),
  subjectPrefix: about(withDefault(z.string({ error: 'must be a string' }), ''), 'Our subject is this prefix and the ID-JAG sub (keeps its users apart from the upstream IdP\'s).'),
  groupsClaim: about(z.optional(text()), 'The ID-JAG claim listing groups; when set, groupScopes narrows the scopes further.'),
});

const DEFAULT_REGISTRATION: RegistrationConfig = {
  dynamicRegistrationEnabled: true,
  clientIdMetadataDocumentsEnabled: true,
  dynamicClientTtlSeconds: 90 * 24 * 3600,
  metadataDocumentCacheSeconds: 300,
  metadataDocumentTimeoutMs: 3000,
  metadataDocumentMaxBytes: 5120,
  clientCacheSeconds: 30,
};

const flag = (value: boolean) => withDefault(z.boolean({ error: 'must be true or false' }), value);

const registrationSchema = z.prefault(section({
  dynamicRegistrationEnabled: flag(DEFAULT_REGISTRATION.dynamicRegistrationEnabled),
  clientIdMetadataDocumentsEnabled: flag(DEFAULT_REGISTRATION.clientIdMetadataDocumentsEnabled),
  dynamicClientTtlSeconds: withDefault(wholeNumber(0), DEFAULT_REGISTRATION.dynamicClientTtlSeconds),
  metadataDocumentCacheSeconds: withDefault(wholeNumber(0), DEFAULT_REGISTRATION.metadataDocumentCacheSeconds),
  metadataDocumentTimeoutMs: withDefault(wholeNumber(0), DEFAULT_REGISTRATION.metadataDocumentTimeoutMs),
  metadataDocumentMaxBytes: withDefault(wholeNumber(0), DEFAULT_REGISTRATION.metadataDocumentMaxBytes),
  clientCacheSeconds: withDefault(wholeNumber(0), DEFAULT_REGISTRATION.clientCacheSeconds),
}), {});

const upstreamSchema = section({
  issuer: absoluteUrl,
  clientId: text(),
  clientSecret: about(z.optional(text()), 'Local mode only. In AWS the secret comes from Secrets Manager (clientSecretArn).'),
  clientSecretArn: z.optional(text()),
  scopes: withDefault(textList, ['openid', 'email', 'profile']),
  groupsClaim: about(withDefault(text(), 'cognito:groups'), 'The ID token claim that lists the user\'s groups.'),
});

const DEFAULT_TOKENS: TokenLifetimesConfig = {
  accessTokenSeconds: 900,
  authorizationCodeSeconds: 60,
  refreshTokenIdleSeconds: 14 * 24 * 3600,
  refreshTokenAbsoluteSeconds: 90 * 24 * 3600,
  loginSessionSeconds: 8 * 3600,
  consentSeconds: 90 * 24 * 3600,
  pendingAuthorizationSeconds: 600,
  refreshRetryWindowSeconds: 30,
  groupsRecheckSeconds: 3600,
};

const tokensSchema = z.prefault(section({
  accessTokenSeconds: withDefault(wholeNumber(1), DEFAULT_TOKENS.accessTokenSeconds),
  authorizationCodeSeconds: withDefault(wholeNumber(1, { value: 600, why: 'OAuth 2.1 section 4.1.2' }), DEFAULT_TOKENS.authorizationCodeSeconds),
  refreshTokenIdleSeconds: withDefault(wholeNumber(1), DEFAULT_TOKENS.refreshTokenIdleSeconds),
  refreshTokenAbsoluteSeconds: withDefault(wholeNumber(1), DEFAULT_TOKENS.refreshTokenAbsoluteSeconds),
  loginSessionSeconds: withDefault(wholeNumber(1), DEFAULT_TOKENS.loginSessionSeconds),
  consentSeconds: withDefault(wholeNumber(1), DEFAULT_TOKENS.consentSeconds),
  pendingAuthorizationSeconds: withDefault(wholeNumber(1), DEFAULT_TOKENS.pendingAuthorizationSeconds),
  refreshRetryWindowSeconds: about(withDefault(wholeNumber(0, { value: 300, why: 'a stolen previous token must not live long' }), DEFAULT_TOKENS.refreshRetryWindowSeconds), 'How long after a rotation the token it replaced may be redeemed again (a client that lost the answer retries). 0: never.'),
  groupsRecheckSeconds: about(withDefault(wholeNumber(1), DEFAULT_TOKENS.groupsRecheckSeconds), 'A refresh re-reads the user\'s groups once they are older than this (or refuses, so the user signs in again).'),
}).check(z.superRefine((tokens, ctx) => {
  if (tokens.refreshTokenIdleSeconds > tokens.refreshTokenAbsoluteSeconds) {
    ctx.issues.push({ code: 'custom', message: 'must not exceed tokens.refreshTokenAbsoluteSeconds', input: tokens, path: ['refreshTokenIdleSeconds'] });
  }
})), {});

const DEFAULT_GUARD: GuardConfig = {
  authorizerCacheTtlSeconds: 30,
  revocationCacheTtlSeconds: 15,
  clockSkewSeconds: 30,
};

const guardSchema = z.prefault(section({
  authorizerCacheTtlSeconds: about(withDefault(wholeNumber(0, { value: 3600, why: 'API Gateway limit' }), DEFAULT_GUARD.authorizerCacheTtlSeconds), 'API Gateway\'s authorizer result cache: part of the revocation delay. 0 turns it off and enables per-tool decisions at the authorizer.'),
  revocationCacheTtlSeconds: about(withDefault(wholeNumber(0), DEFAULT_GUARD.revocationCacheTtlSeconds), 'The authorizer\'s in-memory revocation cache: the other part of the revocation delay.'),
  clockSkewSeconds: about(withDefault(wholeNumber(0), DEFAULT_GUARD.clockSkewSeconds), 'Tolerated clock skew for exp, nbf and iat.'),
}), {});

const DEFAULT_AWS_CALLS: AwsCallsConfig = {
  connectionTimeoutMs: 500,
  requestTimeoutMs: 1000,
  maxAttempts: 2,
  retryDelayMs: 100,
};

/** The authorizer's Lambda timeout is 5 s (lib/definitions/function-settings.ts): a call must give up well before it, so that the authorizer fails closed by itself. */
const MAX_AWS_CALL_WORST_CASE_MS = 4000;

const awsCallsSchema = z.prefault(section({
  connectionTimeoutMs: about(withDefault(wholeNumber(1), DEFAULT_AWS_CALLS.connectionTimeoutMs), 'One attempt\'s TCP (and TLS) connection, in ms.'),
  requestTimeoutMs: about(withDefault(wholeNumber(1), DEFAULT_AWS_CALLS.requestTimeoutMs), 'One attempt from start to answer, its connection included, in ms.'),
  maxAttempts: about(withDefault(wholeNumber(1), DEFAULT_AWS_CALLS.maxAttempts), 'Attempts per call to DynamoDB, KMS or Secrets Manager, the first included.'),
  retryDelayMs: about(withDefault(wholeNumber(0), DEFAULT_AWS_CALLS.retryDelayMs), 'The pause before each retry, in ms.'),
}).check(z.superRefine((calls, ctx) => {
  const worstCase = awsCallWorstCaseMs(calls);
  if (worstCase > MAX_AWS_CALL_WORST_CASE_MS) {
    ctx.issues.push({ code: 'custom', message: `maxAttempts x requestTimeoutMs + (maxAttempts - 1) x retryDelayMs is ${worstCase} ms: must be at most ${MAX_AWS_CALL_WORST_CASE_MS} ms (the authorizer's 5 s timeout must not cut a call short)`, input: calls });
  }
  if (calls.connectionTimeoutMs > calls.requestTimeoutMs) ctx.issues.push({ code: 'custom', message: 'must not exceed awsCalls.requestTimeoutMs (which includes the connection)', input: calls, path: ['connectionTimeoutMs'] });
})), {});

// ---------------------------------------------------------------------------------------
// Branding: every value lands in a page's HTML, CSS or CSP (the rules: lambda/core/branding.ts)

/** A string option written in one canonical form (`normalise`), or refused with `message` when it has none. */
const normalised = (normalise: (value: string) => string | undefined, message: string) =>
  z.pipe(z.string({ error: message }), z.transform((value: string, ctx) => {
    const canonical = normalise(value);
    if (canonical === undefined) ctx.issues.push({ code: 'custom', message, input: value });
    return canonical ?? value;
  }));

const NAME_LENGTH = `must be a string of 1 to ${MAX_PRODUCT_NAME_LENGTH} characters`;
const productName = z.pipe(
  z.string({ error: NAME_LENGTH }).check(rule((name: string) => {
    if (name.trim().length === 0 || name.length > MAX_PRODUCT_NAME_LENGTH) return [NAME_LENGTH];
    return hasInvisibleCharacters(name) ? ['must not contain control, bidi or other invisible formatting characters'] : [];
  })),
  z.transform((name: string) => name.trim()),
);

const LOGO_SVG_FILE_NOT_READ = 'was not read: a reader of config files replaces it with logoSvg (the file\'s text), and this configuration came from none; put the markup in logoSvg, or hand over the configuration as a file (local mode, the CDK app\'s configFile, MCP_OAUTH_CONFIG_FILE)';

const brandingSchema = z.pipe(
  section({
    productName: about(z.optional(productName), 'Beside the logo at the top of every page, and in page titles. Default: MCP Authorization.'),
    accentColor: about(z.optional(normalised(hexColour, 'must be a hex colour, #rgb or #rrggbb')), 'The accent colour, #rgb or #rrggbb; the text on it is black or white, whichever contrasts more.'),
    logoUrl: about(z.optional(normalised((url) => pageUrl(url, ['https:'], { query: false }), 'must be an absolute https URL with no query, fragment, credentials, quotes, spaces, commas or semicolons')), 'An https image URL for the logo (the pages\' CSP allows exactly this URL).'),
    logoSvg: about(z.optional(z.string({ error: 'must be the SVG markup as a string' }).check(rule((svg: string) => {
      const why = svgProblem(svg);
      return why ? [why] : [];
    }))), 'An SVG logo, inline: the markup itself (no script, event handlers, foreign content, entities or outside references).'),
    logoSvgFile: about(z.optional(text().check(rule(() => [LOGO_SVG_FILE_NOT_READ]))), 'An SVG file with the logo, relative to the config file, which every reader of config files reads into logoSvg.'),
    supportUrl: about(z.optional(normalised((url) => pageUrl(url, ['https:', 'mailto:'], { query: true }), 'must be an absolute https or mailto: URL with no quotes, spaces, commas or semicolons')), 'An https or mailto: URL behind "Need help? Contact support".'),
  }).check(z.superRefine((branding, ctx) => {
    if (branding.logoUrl !== undefined && branding.logoSvg !== undefined) ctx.issues.push({ code: 'custom', message: 'set logoUrl or logoSvg (logoSvgFile), not both', input: branding });
  })),
  // Only the loaders know the file; what reaches the product is the markup.
  z.transform(({ logoSvgFile: _file, ...branding }): BrandingConfig => branding),
);

// ---------------------------------------------------------------------------------------
// The file

/**
 * The members of a config file. `local` is local mode's section: the product takes it as
 * opaque (the deployed functions never read it) and local mode validates it with its own
 * schema (local/local-config.ts).
 */
const fileShape = {
  $schema: about(z.optional(z.string({ error: 'must be a string' })), 'Where editors find this schema.'),
  issuer: about(issuer, 'Exact issuer identifier: https (http only for localhost), no trailing slash, no query or fragment.'),
  resources: about(list(resourceSchema, 1), 'The protected resources (MCP servers) tokens are issued for.'),
  defaultResource: about(z.optional(text()), 'The resource used when /authorize names none. Default: the first resource.'),
  clients: about(withDefault(list(staticClientSchema), []), 'Pre-registered clients.'),
  registration: about(registrationSchema, 'Dynamic client registration (RFC 7591) and client ID metadata documents.'),
  upstream: about(upstreamSchema, 'The upstream OpenID Connect provider that authenticates users.'),
  groupScopes: about(z.record(z.string(), textList, { error: 'must be an object' }), 'Group name -> the scopes its members may be granted; a user gets the union over their groups.'),
  tokens: about(tokensSchema, 'Lifetimes, in seconds.'),
  guard: about(guardSchema, 'The guard (API Gateway authorizer) in front of each resource.'),
  awsCalls: about(awsCallsSchema, 'Timeouts and retries of every call to DynamoDB, KMS, Secrets Manager and Cognito: a dependency that hangs is a fast 503, never a gateway timeout.'),
  branding: about(z.optional(brandingSchema), 'The look of the pages people see: product name, logo, accent colour, support link.'),
  trustedIdentityProviders: about(withDefault(list(trustedIdentityProviderSchema), []), 'Enterprise IdPs whose ID-JAGs /token redeems (jwt-bearer grant, docs/enterprise.md).'),
};

type FileMembers = z.output<ReturnType<typeof section<typeof fileShape>>>;

/** The rules between options: scopes named anywhere must be defined by a resource, the default resource must be one. */
function crossOptionProblems(file: FileMembers, ctx: z.core.$RefinementCtx<FileMembers>): void {
  const problem = (path: (string | number)[], message: string) => ctx.issues.push({ code: 'custom', message, input: file, path });
  const uris = new Set(file.resources.map((r) => r.uri));
  if (file.defaultResource && file.resources.length && !uris.has(file.defaultResource)) problem(['defaultResource'], 'must be the uri of one of resources');
  file.resources.forEach((resource, i) => {
    const known = new Set(resource.scopes.map((s) => s.name));
    const checkList = (scopes: readonly string[], path: (string | number)[]) =>
      scopes.forEach((scope, j) => {
        if (!known.has(scope)) problem(['resources', i, ...path, j], `"${scope}" is not in resources[${i}].scopes`);
      });
    if (resource.defaultScopes) checkList(resource.defaultScopes, ['defaultScopes']);
    resource.routes.forEach((route, k) => checkList(route.scopes, ['routes', k, 'scopes']));
    const uri = safeUrl(resource.uri);
    if (uri) for (const found of routeTableProblems(resource.routes, uri.pathname)) problem(['resources', i, 'routes', ...found.path], found.message);
    resource.tools.forEach((tool, k) => checkList(tool.scopes, ['tools', k, 'scopes']));
    resource.downstream.forEach((downstream, k) => {
      for (const scope of Object.keys(downstream.scopes)) if (!known.has(scope)) problem(['resources', i, 'downstream', k, 'scopes', scope], `"${scope}" is not in resources[${i}].scopes`);
      if (uris.has(downstream.resource)) problem(['resources', i, 'downstream', k, 'resource'], 'must not be one of resources (an MCP server\'s token is never exchanged for another MCP server\'s)');
    });
    if (resource.downstream.length > 0 && !resource.serverClient) problem(['resources', i, 'serverClient'], 'is required with downstream (the client the MCP server exchanges tokens as)');
    if (resource.serverClient) {
      const client = file.clients.find((c) => c.clientId === resource.serverClient!.clientId);
      if (!client || client.tokenEndpointAuthMethod === 'none' || !client.grantTypes.includes('urn:ietf:params:oauth:grant-type:token-exchange')) {
        problem(['resources', i, 'serverClient', 'clientId'], 'must name a confidential client of clients[] with the urn:ietf:params:oauth:grant-type:token-exchange grant');
      }
    }
  });
  file.clients.forEach((client, i) => {
    for (const [uri, scopes] of Object.entries(client.allowedScopes)) {
      const resource = file.resources.find((r) => r.uri === uri);
      if (!resource) {
        problem(['clients', i, 'allowedScopes', uri], 'must be the uri of one of resources');
        continue;
      }
      const known = new Set(resource.scopes.map((s) => s.name));
      scopes.forEach((scope, j) => {
        if (!known.has(scope)) problem(['clients', i, 'allowedScopes', uri, j], `"${scope}" is not a scope of ${uri}`);
      });
    }
  });
  const resourceScopeProblems = (scopesByResource: Readonly<Record<string, readonly string[]>>, path: (string | number)[]) => {
    for (const [uri, scopes] of Object.entries(scopesByResource)) {
      const resource = file.resources.find((r) => r.uri === uri);
      if (!resource) {
        problem([...path, uri], 'must be the uri of one of resources');
        continue;
      }
      const known = new Set(resource.scopes.map((s) => s.name));
      scopes.forEach((scope, j) => {
        if (!known.has(scope)) problem([...path, uri, j], `"${scope}" is not a scope of ${uri}`);
      });
    }
  };
  file.trustedIdentityProviders.forEach((idp, i) => {
    resourceScopeProblems(idp.resources, ['trustedIdentityProviders', i, 'resources']);
    if (file.trustedIdentityProviders.findIndex((other) => other.issuer === idp.issuer) !== i) problem(['trustedIdentityProviders', i, 'issuer'], 'is listed twice');
  });
  const allScopes = new Set(file.resources.flatMap((r) => r.scopes.map((s) => s.name)));
  for (const [group, scopes] of Object.entries(file.groupScopes)) {
    scopes.forEach((scope, i) => {
      if (!allScopes.has(scope)) problem(['groupScopes', group, i], `"${scope}" is not a scope of any resource`);
    });
  }
}

/** The defaults that depend on other options, filled once every option is valid. */
function toConfig({ $schema: _schema, resources, defaultResource, ...rest }: FileMembers): Config {
  return {
    ...rest,
    resources: resources.map(({ backend, ...resource }): ResourceConfig => ({
      ...resource,
      defaultScopes: resource.defaultScopes ?? [resource.scopes[0]!.name],
      ...(backend ? { backend: toBackend(backend) } : {}),
    })),
    defaultResource: defaultResource ?? resources[0]!.uri,
  };
}

function toBackend({ httpUrl, lambdaFunctionArn, sharedSecret }: z.output<typeof backendSchema>): BackendConfig {
  if (lambdaFunctionArn !== undefined) return { lambdaFunctionArn };
  return { httpUrl: httpUrl!, ...(sharedSecret ? { sharedSecret } : {}) };
}

/**
 * The schema of a config file whose `local` section is `local`: the product passes an opaque
 * one, local mode its own. The output is the product Config and that section.
 */
export function configFileSchema<L extends z.ZodMiniType>(localSection: L) {
  return z.pipe(
    section({ ...fileShape, local: localSection }).check(z.superRefine(crossOptionProblems)),
    z.transform(({ local, ...file }: FileMembers & { readonly local?: unknown }) => ({ config: toConfig(file), local: local as z.output<L> })),
  );
}

/** The product's view of a config file: everything but local mode's section, which it does not read. */
export const productConfigSchema = configFileSchema(z.optional(z.unknown()));

// ---------------------------------------------------------------------------------------
// The schema and the core's types have the same shape (checked by the compiler, never run).

type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : { readonly onlyIn: [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] };
type AllTrue<T extends readonly true[]> = T;
type Item<T> = T extends readonly (infer I)[] ? I : never;
type ResourceMembers = Item<FileMembers['resources']>;

/** Fails to compile when an option exists on one side only. */
export type SchemaMatchesCoreTypes = AllTrue<[
  SameKeys<Omit<FileMembers, '$schema'>, Config>,
  SameKeys<ResourceMembers, ResourceConfig>,
  SameKeys<Item<ResourceMembers['routes']>, RouteRuleConfig>,
  SameKeys<Item<ResourceMembers['downstream']>, DownstreamConfig>,
  SameKeys<NonNullable<ResourceMembers['serverClient']>, ServerClientConfig>,
  SameKeys<Item<FileMembers['clients']>, StaticClientConfig>,
  SameKeys<FileMembers['registration'], RegistrationConfig>,
  SameKeys<FileMembers['upstream'], UpstreamConfig>,
  SameKeys<FileMembers['tokens'], TokenLifetimesConfig>,
  SameKeys<FileMembers['guard'], GuardConfig>,
  SameKeys<FileMembers['awsCalls'], AwsCallsConfig>,
  SameKeys<NonNullable<FileMembers['branding']>, BrandingConfig>,
  SameKeys<Item<FileMembers['trustedIdentityProviders']>, TrustedIdentityProviderConfig>,
]>;
