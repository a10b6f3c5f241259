/**
 * Authorization server metadata (RFC 8414) at /.well-known/oauth-authorization-server.
 * MCP clients discover every endpoint from here, so it is built from the same
 * ENDPOINT_PATHS the router serves and from the configuration, never written by hand.
 */
import type { Config } from '../config';
import type { HttpRequest, HttpResponse } from '../http';
import { allScopeNames } from '../resources';
import type { AuthorizationServerDeps } from './deps';
import { ENDPOINT_PATHS } from './endpoints';
import { ASSERTION_ALGORITHMS } from '../tokens/signed-assertion';
import { publicJsonResponse } from './responses';
import { ID_JAG_GRANT_PROFILE, JWT_BEARER_GRANT } from './identity-assertion';
import { TOKEN_EXCHANGE_GRANT } from './grants/token-exchange';
import { SUPPORTED_GRANT_TYPES } from './token';

/** Clients re-read metadata rarely; five minutes lets a configuration change show up quickly. */
const METADATA_MAX_AGE_SECONDS = 300;

const CLIENT_AUTH_METHODS = ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'];

export function authorizationServerMetadata(config: Config): Record<string, unknown> {
  const at = (path: string) => config.issuer + path;
  const trustsEnterpriseIdps = config.trustedIdentityProviders.length > 0;
  // A grant nothing in the configuration can use is not advertised: clients would try it in vain.
  const exchangesTokens = config.resources.some((r) => r.downstream.length > 0);
  const grantTypes = SUPPORTED_GRANT_TYPES.filter((grant) => (grant !== JWT_BEARER_GRANT || trustsEnterpriseIdps) && (grant !== TOKEN_EXCHANGE_GRANT || exchangesTokens));
  return {
    issuer: config.issuer,
    authorization_endpoint: at(ENDPOINT_PATHS.authorize),
    token_endpoint: at(ENDPOINT_PATHS.token),
    ...(config.registration.dynamicRegistrationEnabled ? { registration_endpoint: at(ENDPOINT_PATHS.register) } : {}),
    revocation_endpoint: at(ENDPOINT_PATHS.revoke),
    introspection_endpoint: at(ENDPOINT_PATHS.introspect),
    jwks_uri: at(ENDPOINT_PATHS.jwks),
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: grantTypes,
    // The Enterprise-Managed Authorization profile: ID-JAGs from trusted IdPs (draft-ietf-oauth-identity-assertion-authz-grant).
    ...(trustsEnterpriseIdps ? { authorization_grant_profiles_supported: [ID_JAG_GRANT_PROFILE] } : {}),
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    // private_key_jwt assertions (RFC 7523, RFC 8414 section 2): the algorithms we verify.
    token_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    // Introspection reveals token contents: only authenticated (confidential) callers.
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    introspection_endpoint_auth_signing_alg_values_supported: ASSERTION_ALGORITHMS,
    scopes_supported: allScopeNames(config),
    client_id_metadata_document_supported: config.registration.clientIdMetadataDocumentsEnabled,
    authorization_response_iss_parameter_supported: true,
  };
}

export async function handleMetadata(deps: AuthorizationServerDeps, _req: HttpRequest): Promise<HttpResponse> {
  return publicJsonResponse(authorizationServerMetadata(deps.config), METADATA_MAX_AGE_SECONDS);
}
