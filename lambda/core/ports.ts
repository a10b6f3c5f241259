/**
 * The ports through which the pure core reaches the world. Adapters implement them:
 * DynamoDB (lambda/adapters/dynamodb), KMS or a local key file (kms/, local/), the
 * upstream OIDC IdP (upstream-oidc/), HTTP fetching for client ID metadata documents.
 *
 * Times are epoch seconds unless a name says otherwise. Every store read returns records
 * even when DynamoDB TTL has not yet deleted them: the core checks `expiresAt` itself.
 * Writes that must happen once throw ConditionFailedError (lambda/core/errors.ts) when
 * they lose; an overloaded or unreachable dependency throws DependencyUnavailableError.
 */

export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
}

export interface Random {
  /** Cryptographically secure random bytes. */
  bytes(length: number): Uint8Array;
}

// ---------------------------------------------------------------------------------------
// Signing

export interface PublicJwk {
  readonly kty: 'RSA';
  readonly kid: string;
  readonly alg: 'RS256';
  readonly use: 'sig';
  readonly n: string;
  readonly e: string;
}

/**
 * Signs JWTs with RS256. The core builds header and payload; the signer signs the
 * SHA-256 digest of the signing input (KMS MessageType DIGEST, RSASSA_PKCS1_V1_5_SHA_256),
 * so one token costs one Sign call whatever its size.
 */
export interface Signer {
  /** The kid of the key that signs now; stable per key. */
  currentKeyId(): Promise<string>;
  /** RSASSA-PKCS1-v1_5 signature over a SHA-256 digest, with the key named by keyId. */
  signDigest(keyId: string, sha256Digest: Uint8Array): Promise<Uint8Array>;
  /** Every key that verifiers must accept: the signing key, any key published ahead of rotation, and retired keys still inside a token lifetime. */
  publicKeys(): Promise<readonly PublicJwk[]>;
}

// ---------------------------------------------------------------------------------------
// Clients

export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post';

export interface ClientRecord {
  readonly clientId: string;
  /** SHA-256 of the secret, base64url; absent for public clients. */
  readonly clientSecretHash?: string;
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  readonly redirectUris: readonly string[];
  readonly grantTypes: readonly string[];
  readonly responseTypes: readonly string[];
  readonly clientName?: string;
  readonly clientUri?: string;
  readonly logoUri?: string;
  /** Space-separated scope the client registered for, if it named one. */
  readonly scope?: string;
  readonly applicationType?: 'web' | 'native';
  /** How the AS learned of the client. */
  readonly source: 'static' | 'dynamic' | 'metadata_document';
  readonly createdAt: number;
  /** Dynamic clients may expire; static ones never do. */
  readonly expiresAt?: number;
}

export interface ClientStore {
  get(clientId: string): Promise<ClientRecord | undefined>;
  /** Fails with ConditionFailedError if the id exists. */
  create(client: ClientRecord): Promise<void>;
}

/** A client ID metadata document fetched from its https URL (the CIMD draft). */
export interface ClientMetadataFetcher {
  /**
   * Fetches the document at `url` with the SSRF rules applied (no private, loopback or
   * link-local targets, no redirects, size and time limits). Resolves to the parsed JSON
   * object, or throws OAuthError('invalid_client', ...) with a description fit for a page.
   */
  fetch(url: string): Promise<Record<string, unknown>>;
}

// ---------------------------------------------------------------------------------------
// Authorization codes

export interface AuthorizationCodeRecord {
  /** SHA-256 of the code, base64url. The code itself is never stored. */
  readonly codeHash: string;
  readonly clientId: string;
  readonly redirectUri: string;
  /** Whether the authorization request carried redirect_uri (then /token must repeat it). */
  readonly redirectUriWasSent: boolean;
  readonly codeChallenge: string;
  /** The resources (RFC 8707) the user approved; /token may narrow to one of them. */
  readonly resources: readonly string[];
  readonly scope: readonly string[];
  readonly subject: string;
  readonly authTime: number;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Set once, by the single successful redemption. */
  readonly redeemedAt?: number;
  /** The refresh family the redemption started; a replay revokes it. */
  readonly familyId?: string;
}

export interface AuthorizationCodeStore {
  put(code: AuthorizationCodeRecord): Promise<void>;
  get(codeHash: string): Promise<AuthorizationCodeRecord | undefined>;
  /**
   * Marks the code redeemed and links it to the family, only if it was not redeemed yet.
   * Throws ConditionFailedError for every loser of a race.
   */
  markRedeemed(codeHash: string, redeemedAt: number, familyId: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// Refresh token families

/**
 * A refresh token is `<familyId>.<secret>`. The family keeps the hash of the current token
 * and of the one before it (the retry rule of SECURITY-CASES.md: the previous token stays
 * redeemable until its successor has been used once).
 */
export interface RefreshFamilyRecord {
  readonly familyId: string;
  readonly clientId: string;
  readonly subject: string;
  readonly scope: readonly string[];
  readonly resources: readonly string[];
  readonly authTime: number;
  readonly currentTokenHash: string;
  readonly previousTokenHash?: string;
  /** Incremented by every rotation; the conditional write keys on it. */
  readonly generation: number;
  readonly createdAt: number;
  readonly lastUsedAt: number;
  /** Absolute end of the family. */
  readonly expiresAt: number;
  readonly revokedAt?: number;
}

export interface RefreshFamilyStore {
  create(family: RefreshFamilyRecord): Promise<void>;
  get(familyId: string): Promise<RefreshFamilyRecord | undefined>;
  /**
   * Replaces the token hashes only if the stored generation still equals
   * `expectedGeneration` and the family is not revoked. Throws ConditionFailedError otherwise.
   */
  rotate(familyId: string, expectedGeneration: number, next: {
    readonly currentTokenHash: string;
    readonly previousTokenHash: string;
    readonly lastUsedAt: number;
    readonly scope: readonly string[];
  }): Promise<void>;
  markRevoked(familyId: string, revokedAt: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------
// Revocation

/** What a revocation names. A token is revoked when any of its keys has a record with revokedAt >= the token's iat. */
export type RevocationKey =
  | { readonly kind: 'jti'; readonly value: string }
  | { readonly kind: 'family'; readonly value: string }
  | { readonly kind: 'subject'; readonly value: string }
  | { readonly kind: 'client'; readonly value: string };

export interface RevocationRecord {
  readonly key: RevocationKey;
  readonly revokedAt: number;
  /** When no token it can match is still alive: the row may go. */
  readonly expiresAt: number;
  readonly reason: string;
}

export interface RevocationStore {
  /** Writes or overwrites (a later revokedAt wins). */
  revoke(record: RevocationRecord): Promise<void>;
  /** One BatchGetItem over every key; unknown keys are simply absent from the result. */
  find(keys: readonly RevocationKey[]): Promise<readonly RevocationRecord[]>;
}

// ---------------------------------------------------------------------------------------
// Browser-side state: pending authorization requests, login sessions, consents

/** An /authorize request that passed validation and waits for consent and login. */
export interface PendingAuthorizationRecord {
  /** Random id; the browser holds it in a cookie, the consent form posts it back. */
  readonly id: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly redirectUriWasSent: boolean;
  readonly state?: string;
  readonly codeChallenge: string;
  readonly resources: readonly string[];
  /** The scope asked for (before narrowing by the user's groups). */
  readonly requestedScope: readonly string[];
  /** SHA-256 of the CSRF token printed into the consent form. */
  readonly csrfTokenHash: string;
  /** Set when the user approved on the consent page. */
  readonly consentedAt?: number;
  /** SHA-256 of the `state` sent to the upstream IdP; set when the upstream redirect goes out. */
  readonly upstreamStateHash?: string;
  readonly upstreamNonce?: string;
  readonly upstreamCodeVerifier?: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface LoginSessionRecord {
  /** SHA-256 of the session cookie value. */
  readonly sessionHash: string;
  readonly subject: string;
  readonly groups: readonly string[];
  readonly authTime: number;
  /** What the user knows the account by (email, else username), shown on the consent page. */
  readonly accountName?: string;
  readonly expiresAt: number;
}

export interface ConsentRecord {
  readonly subject: string;
  readonly clientId: string;
  readonly resource: string;
  /** The scopes approved; a later request for a subset needs no new consent. */
  readonly scope: readonly string[];
  readonly grantedAt: number;
  readonly expiresAt: number;
}

export interface SessionStore {
  putPendingAuthorization(record: PendingAuthorizationRecord): Promise<void>;
  getPendingAuthorization(id: string): Promise<PendingAuthorizationRecord | undefined>;
  updatePendingAuthorization(record: PendingAuthorizationRecord): Promise<void>;
  /** Finds the pending request by the upstream state hash and deletes it in one conditional step; undefined if absent or already taken. */
  takePendingAuthorizationByUpstreamState(upstreamStateHash: string): Promise<PendingAuthorizationRecord | undefined>;
  /** Deletes it; single use of consent forms. Throws ConditionFailedError if it was already gone. */
  deletePendingAuthorization(id: string): Promise<void>;

  putLoginSession(record: LoginSessionRecord): Promise<void>;
  getLoginSession(sessionHash: string): Promise<LoginSessionRecord | undefined>;
  deleteLoginSession(sessionHash: string): Promise<void>;

  putConsent(record: ConsentRecord): Promise<void>;
  getConsent(subject: string, clientId: string, resource: string): Promise<ConsentRecord | undefined>;
}

// ---------------------------------------------------------------------------------------
// Upstream identity provider (Cognito in AWS, the dev IdP locally)

export interface UpstreamIdentity {
  readonly subject: string;
  readonly groups: readonly string[];
  readonly authTime: number;
  readonly username?: string;
  readonly email?: string;
}

export interface UpstreamIdp {
  /** The upstream authorization endpoint (from discovery): the consent page's CSP must allow the browser to go there. */
  authorizationEndpoint(): Promise<string>;
  /**
   * The URL of the upstream authorization endpoint with code + S256 PKCE + state + nonce;
   * `prompt: 'login'` asks the IdP to sign the user in again, not reuse its own session
   * (OpenID Connect Core 1.0 section 3.1.2.1), for "not you?".
   */
  authorizationUrl(params: {
    readonly state: string;
    readonly nonce: string;
    readonly codeChallenge: string;
    readonly redirectUri: string;
    readonly prompt?: 'login';
  }): Promise<string>;
  /**
   * Redeems the upstream code and verifies the ID token (signature, iss, aud, exp, nonce).
   * Throws OAuthError('access_denied', ...) when the upstream says no or the token fails.
   */
  redeem(params: {
    readonly code: string;
    readonly codeVerifier: string;
    readonly nonce: string;
    readonly redirectUri: string;
  }): Promise<UpstreamIdentity>;
}

// ---------------------------------------------------------------------------------------
// Observability: the core names what happened; adapters turn it into EMF metrics and logs.

export type AuditEvent =
  | { readonly type: 'token_issued'; readonly grantType: string; readonly clientId: string; readonly subject: string }
  | { readonly type: 'refresh_reuse_detected'; readonly clientId: string; readonly familyId: string }
  | { readonly type: 'code_replay_detected'; readonly clientId: string }
  | { readonly type: 'client_registered'; readonly clientId: string; readonly source: ClientRecord['source'] }
  | { readonly type: 'token_revoked'; readonly clientId: string; readonly what: 'access_token' | 'refresh_token' }
  | { readonly type: 'request_rejected'; readonly endpoint: string; readonly error: string }
  | { readonly type: 'login_completed'; readonly subject: string }
  | { readonly type: 'consent_granted'; readonly subject: string; readonly clientId: string };

export interface AuditSink {
  emit(event: AuditEvent): void;
}
