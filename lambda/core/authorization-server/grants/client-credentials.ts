/**
 * grant_type=client_credentials (OAuth 2.1 section 4.2, the MCP client credentials
 * extension): a confidential machine client acting for itself. There is no user, so no
 * groups: the client's own `allowedScopes` for the resource bound what it gets. The token's
 * `sub` is the client id, its `aud` the one resource (RFC 8707), and there is no refresh
 * token (section 4.2.3: the client can always ask again).
 */
import { nowSeconds, type ClientRecord } from '../../ports';
import { issueAccessToken } from '../access-token-issuing';
import type { AuthorizationServerDeps } from '../deps';
import type { FormBody } from '../form-body';
import { chooseResource, narrowScope, tokenResponse, type TokenResponseBody } from './grant-parameters';

export async function exchangeClientCredentials(deps: AuthorizationServerDeps, client: ClientRecord, form: FormBody): Promise<TokenResponseBody> {
  const allowed = client.allowedScopes ?? {};
  const resources = Object.keys(allowed);
  // Without a resource parameter, the configured default resource when this client may have it, else its only one.
  const resource = form.all('resource').length === 0 && resources.includes(deps.config.defaultResource)
    ? deps.config.defaultResource
    : chooseResource(form, resources, 'only');
  const scope = narrowScope(deps.config, form, allowed[resource] ?? [], resource);

  const accessToken = await issueAccessToken(deps, { subject: client.clientId, clientId: client.clientId, audience: resource, scope }, nowSeconds(deps));
  deps.audit.emit({ type: 'token_issued', grantType: 'client_credentials', clientId: client.clientId, subject: client.clientId });
  return tokenResponse(accessToken);
}
