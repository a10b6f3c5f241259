/**
 * Finds the client behind a client_id: a pre-registered client from the configuration, a
 * dynamically registered one from the store, or (when the client_id is an https URL and
 * CIMD is enabled) a client ID metadata document fetched and validated on the spot.
 * Returns undefined for an unknown client; the caller decides which error that is.
 *
 * The signature of resolveClient is a contract used by /token. /authorize uses
 * findClient, which also says why a client is unknown, so the page can tell the user.
 */
import type { Config, StaticClientConfig } from '../config';
import { OAuthError } from '../errors';
import type { ClientRecord } from '../ports';
import { clientFromMetadataDocument, clientIdUrlProblem, looksLikeClientIdUrl } from './client-metadata-document';
import { nowSeconds } from '../ports';
import type { AuthorizationServerDeps } from './deps';

export type ClientLookup =
  | { readonly found: true; readonly client: ClientRecord }
  | { readonly found: false; readonly reason: string };

const MAX_CLIENT_ID_LENGTH = 2048;

export async function resolveClient(deps: AuthorizationServerDeps, clientId: string): Promise<ClientRecord | undefined> {
  const lookup = await findClient(deps, clientId);
  return lookup.found ? lookup.client : undefined;
}

/**
 * Failures of the metadata fetcher that it reports as OAuthError (unreachable, too large,
 * forbidden target) are an unknown client; anything else (a store outage) is thrown.
 */
export async function findClient(deps: AuthorizationServerDeps, clientId: string): Promise<ClientLookup> {
  const home = clientHomeOf(deps.config, clientId);
  if (home.kind === 'invalid') return { found: false, reason: 'The client_id is not valid.' };
  if (home.kind === 'configuration') return { found: true, client: configuredClientRecord(home.client) };
  if (home.kind === 'metadata_document') return findMetadataDocumentClient(deps, clientId);

  const stored = await deps.clients.get(clientId);
  // The store may still hold a client that DynamoDB TTL has not yet removed.
  if (!stored || (stored.expiresAt !== undefined && stored.expiresAt <= nowSeconds(deps))) {
    return { found: false, reason: 'The client is not registered with this server.' };
  }
  return { found: true, client: stored };
}

/** Where a client_id is looked up: it is checked, or found, in this order. */
export type ClientHome =
  | { readonly kind: 'invalid' }
  | { readonly kind: 'configuration'; readonly client: StaticClientConfig }
  | { readonly kind: 'metadata_document' }
  | { readonly kind: 'store' };

/** Pure, so /token can ask the store for a claimed client in the same round trip as its other reads. */
export function clientHomeOf(config: Config, clientId: string): ClientHome {
  if (clientId.length === 0 || clientId.length > MAX_CLIENT_ID_LENGTH) return { kind: 'invalid' };
  const configured = config.clients.find((c) => c.clientId === clientId);
  if (configured) return { kind: 'configuration', client: configured };
  if (looksLikeClientIdUrl(clientId)) return { kind: 'metadata_document' };
  return { kind: 'store' };
}

/** A client of the configuration's clients[] as the record every endpoint (and the operator CLI) reads. */
export function configuredClientRecord(configured: StaticClientConfig): ClientRecord {
  return {
    clientId: configured.clientId,
    clientName: configured.clientName,
    redirectUris: configured.redirectUris,
    tokenEndpointAuthMethod: configured.tokenEndpointAuthMethod,
    clientSecretHash: configured.clientSecretHash,
    grantTypes: configured.grantTypes,
    responseTypes: configured.grantTypes.includes('authorization_code') ? ['code'] : [],
    source: 'static',
    createdAt: 0,
    allowedScopes: configured.allowedScopes,
    ...(configured.jwks ? { jwks: configured.jwks } : {}),
    ...(configured.jwksUri ? { jwksUri: configured.jwksUri } : {}),
  };
}

async function findMetadataDocumentClient(deps: AuthorizationServerDeps, clientId: string): Promise<ClientLookup> {
  if (!deps.config.registration.clientIdMetadataDocumentsEnabled) {
    return { found: false, reason: 'This server does not accept URL client identifiers (client ID metadata documents).' };
  }
  const problem = clientIdUrlProblem(clientId);
  if (problem) return { found: false, reason: `The client_id URL ${problem}.` };
  try {
    const document = await deps.metadataFetcher.fetch(clientId);
    return { found: true, client: clientFromMetadataDocument(clientId, document, deps.config, nowSeconds(deps)) };
  } catch (error) {
    if (error instanceof OAuthError && error.exposed) return { found: false, reason: error.description };
    throw error;
  }
}
