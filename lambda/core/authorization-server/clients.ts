/**
 * Finds the client behind a client_id: a pre-registered client from the configuration, a
 * dynamically registered one from the store, or (when the client_id is an https URL and
 * CIMD is enabled) a client ID metadata document fetched and validated on the spot.
 * Returns undefined for an unknown client; the caller decides which error that is.
 *
 * OWNER: authorize/registration helper. The signature is a contract used by /token.
 */
import type { ClientRecord } from '../ports';
import type { AuthorizationServerDeps } from './deps';

export async function resolveClient(deps: AuthorizationServerDeps, clientId: string): Promise<ClientRecord | undefined> {
  const configured = deps.config.clients.find((c) => c.clientId === clientId);
  if (configured) {
    return {
      clientId: configured.clientId,
      clientName: configured.clientName,
      redirectUris: configured.redirectUris,
      tokenEndpointAuthMethod: configured.tokenEndpointAuthMethod,
      clientSecretHash: configured.clientSecretHash,
      grantTypes: ['authorization_code', 'refresh_token'],
      responseTypes: ['code'],
      source: 'static',
      createdAt: 0,
    };
  }
  // TODO(authorize helper): client ID metadata documents (https client_id URLs).
  return deps.clients.get(clientId);
}
