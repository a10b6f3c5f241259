/**
 * The one configuration of the product, as the core reads it: plain types, no validation
 * here (the core has no runtime dependency). The schema that validates a file into these
 * types is lambda/adapters/config/config-schema.ts; local mode's own section is local/local-config.ts.
 * Local mode reads the file (config/local.json); the CDK app reads the same file and bundles
 * the validated product part with each function.
 */

export interface ScopeConfig {
  readonly name: string;
  /** Shown on the consent page. */
  readonly description: string;
}

/** A route of the protected API and the scopes it needs (all of them). */
export interface RouteRuleConfig {
  /** HTTP method, or ANY (or '*') for any. */
  readonly method: string;
  /** An API Gateway resource path: literal segments, `{param}` for one segment, a trailing `{proxy+}` for the rest (rules: core/guard/route-table.ts). */
  readonly path: string;
  readonly scopes: readonly string[];
}

/** An MCP tool (or other JSON-RPC name) and the scopes a call needs (all of them). */
export interface ToolRuleConfig {
  readonly name: string;
  readonly scopes: readonly string[];
}

/** A secret the MCP step sends to an HTTP backend, so the backend can refuse requests that did not pass the guard. */
export interface SharedSecretConfig {
  /** The request header it travels in. @default X-MCP-OAuth-Secret */
  readonly header: string;
  /** On AWS: a Secrets Manager secret whose string value is sent. */
  readonly secretArn?: string;
  /** Local mode only: the value itself (refused in a deployed configuration). */
  readonly value?: string;
}

/** What serves a resource behind the guard; absent: the demo MCP server. */
export type BackendConfig =
  /** Any MCP server over HTTP, reached through the MCP step (identity headers, tool scopes). */
  | { readonly httpUrl: string; readonly sharedSecret?: SharedSecretConfig }
  /** AWS only: your Lambda function, as a proxy integration; it checks tools itself (the guard library). */
  | { readonly lambdaFunctionArn: string };

/** A downstream API an MCP server may call with tokens exchanged from the ones it receives (RFC 8693). */
export interface DownstreamConfig {
  /** The downstream API's resource URI: the `aud` of exchanged tokens. */
  readonly resource: string;
  /** A scope of this MCP server -> the downstream scopes a subject token holding it may be exchanged for. */
  readonly scopes: Readonly<Record<string, readonly string[]>>;
}

/** The confidential client an MCP server authenticates as at /token to exchange tokens. */
export interface ServerClientConfig {
  readonly clientId: string;
  /** On AWS: a Secrets Manager secret holding the client secret. */
  readonly clientSecretArn?: string;
  /** Local mode only: the client secret itself. */
  readonly clientSecret?: string;
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
  /** @default the demo MCP server */
  readonly backend?: BackendConfig;
  /** The client this MCP server authenticates as to exchange tokens; required with downstream. */
  readonly serverClient?: ServerClientConfig;
  /** Downstream APIs this MCP server may get exchanged tokens for. @default [] */
  readonly downstream: readonly DownstreamConfig[];
}

/** The grants a pre-registered client may use at /token. */
export type ClientGrantType =
  | 'authorization_code'
  | 'refresh_token'
  /** Machine to machine: no user, the client itself is the subject (OAuth 2.1 section 4.2). */
  | 'client_credentials'
  /** An ID-JAG from a trusted enterprise IdP (RFC 7523 section 2.1, the identity assertion authorization grant). */
  | 'urn:ietf:params:oauth:grant-type:jwt-bearer'
  /** RFC 8693 token exchange: an MCP server trading the token it received for a downstream API's. */
  | 'urn:ietf:params:oauth:grant-type:token-exchange';

/** A public key of a client or an IdP (RFC 7517): RSA (RS256) or P-256 (ES256). */
export interface JsonWebKeyConfig {
  readonly kty: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly n?: string;
  readonly e?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
}

export interface StaticClientConfig {
  readonly clientId: string;
  readonly clientName: string;
  /** Required for the authorization_code grant; a machine client has none. */
  readonly redirectUris: readonly string[];
  readonly tokenEndpointAuthMethod: 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
  /** SHA-256 of the secret, base64url; required for client_secret_basic and client_secret_post. */
  readonly clientSecretHash?: string;
  /** @default ['authorization_code', 'refresh_token'] */
  readonly grantTypes: readonly ClientGrantType[];
  /**
   * Resource URI -> the scopes this client may be granted without a user (client_credentials;
   * a machine has no groups). @default {}
   */
  readonly allowedScopes: Readonly<Record<string, readonly string[]>>;
  /** private_key_jwt: the client's public keys, inline (RFC 7591 `jwks`). */
  readonly jwks?: { readonly keys: readonly JsonWebKeyConfig[] };
  /** private_key_jwt: where the client publishes its public keys (fetched with the metadata document rules). */
  readonly jwksUri?: string;
}

/**
 * An enterprise IdP whose ID-JAGs (identity assertion authorization grants) /token redeems
 * with grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer (docs/enterprise.md).
 */
export interface TrustedIdentityProviderConfig {
  /** Exactly the `iss` of its ID-JAGs. */
  readonly issuer: string;
  /** Where its signing keys are published. */
  readonly jwksUri: string;
  /** Resource URI -> the scopes its ID-JAGs may grant there; a resource not named here is refused. */
  readonly resources: Readonly<Record<string, readonly string[]>>;
  /** Our subject is this prefix and its `sub`, so its users can never collide with the upstream IdP's. @default "" */
  readonly subjectPrefix: string;
  /** The ID-JAG claim listing the user's groups; when set, groupScopes narrows the scopes further. */
  readonly groupsClaim?: string;
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
  /** How long a container reuses a registered client's record; a deleted or changed client is honoured within it. 0 = no cache. */
  readonly clientCacheSeconds: number;
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
  /** The token a rotation replaced may be redeemed again for this long after that rotation (docs/security.md, decision f). */
  readonly refreshRetryWindowSeconds: number;
  /** A refresh re-reads the user's groups once they were last read longer ago than this (docs/operations.md, "Groups at refresh"). */
  readonly groupsRecheckSeconds: number;
}

export interface GuardConfig {
  /** API Gateway's authorizer result cache. Part of the revocation delay. */
  readonly authorizerCacheTtlSeconds: number;
  /** The authorizer's in-memory revocation cache. The other part of the revocation delay. */
  readonly revocationCacheTtlSeconds: number;
  /** Tolerated clock skew for exp, nbf and iat. */
  readonly clockSkewSeconds: number;
}

/**
 * Timeouts and retries of every call to DynamoDB, KMS and Secrets Manager: a dependency that
 * hangs costs a request at most `awsCallWorstCaseMs` before it is answered 503 (docs/design.md,
 * "Fail fast").
 */
export interface AwsCallsConfig {
  /** One attempt's TCP (and TLS) connection. */
  readonly connectionTimeoutMs: number;
  /** One attempt from start to answer, its connection included. */
  readonly requestTimeoutMs: number;
  /** Attempts per call, the first included. */
  readonly maxAttempts: number;
  /** The pause before each retry. */
  readonly retryDelayMs: number;
}

/** The longest one call can take before it gives up: every attempt timing out, with the pauses between them. */
export function awsCallWorstCaseMs(calls: AwsCallsConfig): number {
  return calls.maxAttempts * calls.requestTimeoutMs + (calls.maxAttempts - 1) * calls.retryDelayMs;
}

/**
 * The product name, logo, accent colour and support link on the pages people see (consent,
 * errors, local mode's dev IdP login). Every value lands in a page's HTML, CSS or CSP, so
 * the schema holds each to the rules of lambda/core/branding.ts.
 */
export interface BrandingConfig {
  /** Beside the logo at the top of every page, and in page titles. @default "MCP Authorization" */
  readonly productName?: string;
  /** `#rrggbb` (a `#rgb` input is expanded). The text on it is black or white, whichever contrasts more. */
  readonly accentColor?: string;
  /** An https image URL, loaded by the browser (and allowed by the pages' CSP img-src, exactly). */
  readonly logoUrl?: string;
  /** An SVG logo, inline: the markup itself. The config loaders fill it from `logoSvgFile`. */
  readonly logoSvg?: string;
  /** https or mailto: URL behind "Need help? Contact support". */
  readonly supportUrl?: string;
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
  readonly awsCalls: AwsCallsConfig;
  /** The look of the pages people see. @default the built-in look */
  readonly branding?: BrandingConfig;
  /** Enterprise IdPs whose ID-JAGs are redeemed at /token (jwt-bearer). @default [] */
  readonly trustedIdentityProviders: readonly TrustedIdentityProviderConfig[];
}
