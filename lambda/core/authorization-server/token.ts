/**
 * POST /token: the request checks every grant shares (form, client authentication, which
 * grants this client may use), then the grant itself. Responses are never cached; a
 * failure is thrown to the router, which answers it.
 */
import { OAuthError } from '../errors';
import type { HttpRequest, HttpResponse } from '../http';
import { authenticateClient } from './client-authentication';
import type { AuthorizationServerDeps } from './deps';
import { readFormBody } from './form-body';
import { exchangeAuthorizationCode } from './grants/authorization-code';
import { exchangeRefreshToken } from './grants/refresh-token';
import { jsonResponse } from './responses';

const SUPPORTED_GRANTS = ['authorization_code', 'refresh_token'] as const;
type SupportedGrant = (typeof SUPPORTED_GRANTS)[number];

export async function handleToken(deps: AuthorizationServerDeps, request: HttpRequest): Promise<HttpResponse> {
  // RFC 8707 allows several resource values; each grant decides how many it accepts.
  const form = readFormBody(request, ['resource']);
  const grantType = form.get('grant_type');
  if (grantType === undefined) throw new OAuthError('invalid_request', 'The grant_type parameter is required.');
  // client_credentials is a real grant, just not one a public client may hold (RFC 9700
  // section 2.4); password and implicit are gone from OAuth 2.1 altogether.
  if (!isSupported(grantType) && grantType !== 'client_credentials') throw unsupportedGrant();

  const { client, method } = await authenticateClient(deps, request, form);
  if (!isSupported(grantType)) {
    if (method === 'none') throw new OAuthError('unauthorized_client', 'Public clients cannot use this grant type.');
    throw unsupportedGrant();
  }
  if (!client.grantTypes.includes(grantType)) throw new OAuthError('unauthorized_client', 'This client is not allowed to use this grant type.');

  const body = grantType === 'authorization_code'
    ? await exchangeAuthorizationCode(deps, client, form)
    : await exchangeRefreshToken(deps, client, form);
  return jsonResponse(200, body);
}

function isSupported(grantType: string): grantType is SupportedGrant {
  return (SUPPORTED_GRANTS as readonly string[]).includes(grantType);
}

function unsupportedGrant(): OAuthError {
  return new OAuthError('unsupported_grant_type', 'This authorization server supports authorization_code and refresh_token.');
}
