/** Registered clients and client ID metadata documents: the records the authorization server keeps of who may ask for tokens. */

import type { JsonWebKeyConfig } from '../config';

export type TokenEndpointAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';

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
  /** Pre-registered clients only: resource URI -> scopes it may get without a user (client_credentials). */
  readonly allowedScopes?: Readonly<Record<string, readonly string[]>>;
  /** private_key_jwt: the client's public keys, inline. */
  readonly jwks?: { readonly keys: readonly JsonWebKeyConfig[] };
  /** private_key_jwt: where the client's public keys are published. */
  readonly jwksUri?: string;
}

export interface ClientStore {
  get(clientId: string): Promise<ClientRecord | undefined>;
  /** Fails with ConditionFailedError if the id exists. */
  create(client: ClientRecord): Promise<void>;
}

/** The operator's view of the registered clients (static clients live in the configuration, not here). */
export interface ClientDirectory {
  list(): Promise<readonly ClientRecord[]>;
  get(clientId: string): Promise<ClientRecord | undefined>;
  /** Deletes the record; resolves to whether there was one. */
  delete(clientId: string): Promise<boolean>;
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
