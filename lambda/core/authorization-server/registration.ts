/**
 * POST /register: dynamic client registration (RFC 7591). Still what many MCP clients use,
 * though the MCP spec now prefers client ID metadata documents.
 *
 * Everything in the request is self-asserted, so the server picks the client_id (a
 * client-chosen one is ignored: RFC 9700 section 4.15.1), validates every field it keeps,
 * and returns the secret of a confidential client exactly once; only its hash is stored.
 * Flood control per IP is the host's job (WAF in AWS, the emulator locally).
 */
import { randomToken, sha256Base64url } from '../crypto';
import { OAuthError } from '../errors';
import type { HttpRequest, HttpResponse } from '../http';
import { nowSeconds, type ClientRecord } from '../ports';
import { validateClientMetadata, type ClientMetadata } from './client-metadata';
import { clientRecordMetadata } from './client-record-metadata';
import type { AuthorizationServerDeps } from './deps';
import { jsonResponse } from './responses';

export const MAX_REGISTRATION_BODY_BYTES = 16 * 1024;

export async function handleRegister(deps: AuthorizationServerDeps, req: HttpRequest): Promise<HttpResponse> {
  if (!deps.config.registration.dynamicRegistrationEnabled) {
    return jsonResponse(404, { error: 'invalid_request', error_description: 'Dynamic client registration is not enabled on this server.' });
  }
  const input = parseBody(req.body);
  const metadata = validateClientMetadata(input, deps.config, {
    defaultAuthMethod: 'client_secret_basic',
    allowedAuthMethods: ['none', 'client_secret_basic', 'client_secret_post'],
  });

  const now = nowSeconds(deps);
  const clientId = `mcp_${randomToken(deps.random, 16)}`;
  const clientSecret = metadata.tokenEndpointAuthMethod === 'none' ? undefined : randomToken(deps.random, 32);
  const ttl = deps.config.registration.dynamicClientTtlSeconds;
  const client: ClientRecord = {
    clientId,
    clientSecretHash: clientSecret === undefined ? undefined : sha256Base64url(clientSecret),
    tokenEndpointAuthMethod: metadata.tokenEndpointAuthMethod,
    ...clientRecordMetadata(metadata),
    source: 'dynamic',
    createdAt: now,
    expiresAt: ttl > 0 ? now + ttl : undefined,
  };
  await deps.clients.create(client);
  deps.audit.emit({ type: 'client_registered', clientId, source: 'dynamic' });
  return jsonResponse(201, registrationResponse(client, metadata, clientSecret));
}

function parseBody(body: string | undefined): Record<string, unknown> {
  if (body === undefined || body.length === 0) throw new OAuthError('invalid_client_metadata', 'The request body must be a JSON object.');
  if (Buffer.byteLength(body, 'utf8') > MAX_REGISTRATION_BODY_BYTES) {
    throw new OAuthError('invalid_request', `The request body must be at most ${MAX_REGISTRATION_BODY_BYTES} bytes.`, { status: 413 });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new OAuthError('invalid_client_metadata', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new OAuthError('invalid_client_metadata', 'The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

/** RFC 7591 section 3.2.1: the issued credentials plus the metadata as the server registered it. */
function registrationResponse(client: ClientRecord, metadata: ClientMetadata, clientSecret: string | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = {
    client_id: client.clientId,
    client_id_issued_at: client.createdAt,
  };
  if (clientSecret !== undefined) {
    body.client_secret = clientSecret;
    body.client_secret_expires_at = 0;
  }
  Object.assign(body, {
    redirect_uris: metadata.redirectUris,
    grant_types: metadata.grantTypes,
    response_types: metadata.responseTypes,
    token_endpoint_auth_method: metadata.tokenEndpointAuthMethod,
  });
  const optional: Record<string, string | undefined> = {
    client_name: metadata.clientName,
    client_uri: metadata.clientUri,
    logo_uri: metadata.logoUri,
    policy_uri: metadata.policyUri,
    tos_uri: metadata.tosUri,
    scope: metadata.scope,
    application_type: metadata.applicationType,
  };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) body[key] = value;
  return body;
}
