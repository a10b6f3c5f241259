import { serve } from '../support/serve';
import { authorizationServerMetadata } from '../../lambda/core/authorization-server/metadata';
import { browserTestDeps, httpRequest, ISSUER } from '../support/browser-flow';

describe('authorization server metadata (RFC 8414)', () => {
  it('names every endpoint under the exact issuer and advertises only what is supported', () => {
    const deps = browserTestDeps();
    expect(authorizationServerMetadata(deps.config)).toEqual({
      issuer: ISSUER,
      authorization_endpoint: `${ISSUER}/authorize`,
      token_endpoint: `${ISSUER}/token`,
      registration_endpoint: `${ISSUER}/register`,
      revocation_endpoint: `${ISSUER}/revoke`,
      introspection_endpoint: `${ISSUER}/introspect`,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:jwt-bearer'],
      // local mode trusts the dev IdP's ID-JAGs (Enterprise-Managed Authorization)
      authorization_grant_profiles_supported: ['urn:ietf:params:oauth:grant-profile:id-jag'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256'],
      revocation_endpoint_auth_methods_supported: ['none', 'client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      revocation_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      introspection_endpoint_auth_signing_alg_values_supported: ['RS256', 'ES256'],
      scopes_supported: ['tool:read', 'tool:execute', 'admin', 'files:read'],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
  });

  it('leaves out registration_endpoint when DCR is disabled and reports CIMD as configured', () => {
    const deps = browserTestDeps((raw) => {
      raw.registration.dynamicRegistrationEnabled = false;
      raw.registration.clientIdMetadataDocumentsEnabled = false;
    });
    const metadata = authorizationServerMetadata(deps.config);
    expect(metadata).not.toHaveProperty('registration_endpoint');
    expect(metadata.client_id_metadata_document_supported).toBe(false);
  });

  it('keeps the shipped local issuer exactly as configured (no trailing slash)', () => {
    const deps = browserTestDeps((raw) => (raw.issuer = 'http://localhost:8787'));
    expect(authorizationServerMetadata(deps.config).issuer).toBe('http://localhost:8787');
    expect(authorizationServerMetadata(deps.config).token_endpoint).toBe('http://localhost:8787/token');
  });

  it('serves it as public, cacheable JSON', async () => {
    const deps = browserTestDeps();
    const response = await serve(deps, httpRequest('GET', '/.well-known/oauth-authorization-server'));
    expect(response.status).toBe(200);
    expect(response.headers['Content-Type']).toBe('application/json');
    expect(response.headers['Cache-Control']).toMatch(/^public, max-age=\d+$/);
    expect(JSON.parse(response.body)).toEqual(authorizationServerMetadata(deps.config));
  });
});
