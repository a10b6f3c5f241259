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
import type { ClientRecord } from '../ports';
import type { FormBody } from './form-body';
import { exchangeAuthorizationCode, readAuthorizationCode } from './grants/authorization-code';
import { exchangeClientCredentials } from './grants/client-credentials';
import { exchangeIdentityAssertion } from './grants/jwt-bearer';
import { exchangeRefreshToken, readRefreshFamily } from './grants/refresh-token';
import { exchangeToken, TOKEN_EXCHANGE_GRANT } from './grants/token-exchange';
import { JWT_BEARER_GRANT } from './identity-assertion';
import { jsonResponse } from './responses';

/** What a grant redeems for the authenticated client, once its own reads are done. */
type Redemption = (client: ClientRecord) => Promise<object>;

/**
 * Starts a grant: the reads it needs that no authenticated client is needed for (the code, the
 * refresh family), so they share a round trip with client authentication. Consumes nothing.
 */
type Grant = (deps: AuthorizationServerDeps, request: HttpRequest, form: FormBody) => Promise<Redemption>;

const withoutReads =
  (redeem: (deps: AuthorizationServerDeps, client: ClientRecord, form: FormBody) => Promise<object>): Grant =>
  async (deps, _request, form) =>
  (client) =>
    redeem(deps, client, form);

/** Each grant type this server redeems, and whether a public client may use it. */
const GRANTS: Readonly<Record<string, { readonly start: Grant; readonly confidentialOnly: boolean }>> = {
  authorization_code: {
    start: async (deps, request, form) => {
      const read = await readAuthorizationCode(deps, request, form);
      return (client) => exchangeAuthorizationCode(deps, client, form, read);
    },
    confidentialOnly: false,
  },
  refresh_token: {
    start: async (deps, request, form) => {
      const read = await readRefreshFamily(deps, request, form);
      return (client) => exchangeRefreshToken(deps, client, form, read);
    },
    confidentialOnly: false,
  },
  // No user is present, so the client's own credentials are all that stands behind the token (RFC 9700 section 2.4).
  client_credentials: { start: withoutReads(exchangeClientCredentials), confidentialOnly: true },
  // An ID-JAG names the client it was issued to, so only that client, authenticated, may redeem it.
  [JWT_BEARER_GRANT]: { start: withoutReads(exchangeIdentityAssertion), confidentialOnly: true },
  // Only an MCP server, as its resource's confidential client, trades the tokens it received.
  [TOKEN_EXCHANGE_GRANT]: { start: withoutReads(exchangeToken), confidentialOnly: true },
};

/** The grant types of GRANTS, for the metadata. */
export const SUPPORTED_GRANT_TYPES: readonly string[] = Object.keys(GRANTS);

export async function handleToken(deps: AuthorizationServerDeps, request: HttpRequest): Promise<HttpResponse> {
  // RFC 8707 allows several resource values; each grant decides how many it accepts.
  const form = readFormBody(request, ['resource']);
  const grantType = form.get('grant_type');
  if (grantType === undefined) throw new OAuthError('invalid_request', 'The grant_type parameter is required.');
  // Password and implicit are gone from OAuth 2.1 altogether.
  const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
  if (!grant) throw new OAuthError('unsupported_grant_type', `This authorization server supports ${SUPPORTED_GRANT_TYPES.join(', ')}.`);

  // One round trip for both; the client's failures still come first, as if it had been alone.
  const [authentication, started] = await Promise.allSettled([authenticateClient(deps, request, form), grant.start(deps, request, form)]);
  if (authentication.status === 'rejected') throw authentication.reason;
  const { client, method } = authentication.value;
  if (grant.confidentialOnly && method === 'none') throw new OAuthError('unauthorized_client', 'Public clients cannot use this grant type.');
  if (!client.grantTypes.includes(grantType)) throw new OAuthError('unauthorized_client', 'This client is not allowed to use this grant type.');
  if (started.status === 'rejected') throw started.reason;

  return jsonResponse(200, await started.value(client));
}
