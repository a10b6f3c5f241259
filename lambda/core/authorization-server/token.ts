/**
 * POST /token: the request checks every grant shares (form, client authentication, which
 * grants this client may use), then the grant itself. Responses are never cached; a
 * failure is thrown to the router, which answers it.
 */
import { OAuthError } from '../errors';
import type { HttpRequest, HttpResponse } from '../http';
import { authenticateClient, claimedClientId } from './client-authentication';
import { clientHomeOf } from './clients';
import type { AuthorizationServerDeps } from './deps';
import { readFormBody } from './form-body';
import type { ClientRecord, ClientStore, TokenRequestRecords } from '../ports';
import type { FormBody } from './form-body';
import { authorizationCodeNames, exchangeAuthorizationCode } from './grants/authorization-code';
import { exchangeClientCredentials } from './grants/client-credentials';
import { exchangeIdentityAssertion } from './grants/jwt-bearer';
import { exchangeRefreshToken, refreshTokenNames } from './grants/refresh-token';
import { exchangeToken, TOKEN_EXCHANGE_GRANT } from './grants/token-exchange';
import type { GrantNames, GrantRead } from './grants/grant-parameters';
import { JWT_BEARER_GRANT } from './identity-assertion';
import { jsonResponse } from './responses';

/** A grant: what it reads before any client is authenticated (it throws for a missing parameter), then its redemption. */
interface Grant {
  readonly names: (form: FormBody, claimedClientId: string | undefined) => GrantNames;
  readonly redeem: (deps: AuthorizationServerDeps, client: ClientRecord, form: FormBody, read: GrantRead) => Promise<object>;
  /** Whether a public client is refused it. */
  readonly confidentialOnly: boolean;
}

/** Types a grant's names and redemption together, so each redemption sees the names its own grant read. */
function grant<Names extends GrantNames>(
  names: (form: FormBody, claimedClientId: string | undefined) => Names,
  redeem: (deps: AuthorizationServerDeps, client: ClientRecord, form: FormBody, read: GrantRead<Names>) => Promise<object>,
  confidentialOnly: boolean,
): Grant {
  return { names, redeem: redeem as Grant['redeem'], confidentialOnly };
}

/** The grants that read nothing before they know the client. */
const noNames = (): GrantNames => ({ revocationKeys: [] });

/** Each grant type this server redeems, and whether a public client may use it. */
const GRANTS: Readonly<Record<string, Grant>> = {
  authorization_code: grant(authorizationCodeNames, exchangeAuthorizationCode, false),
  refresh_token: grant(refreshTokenNames, exchangeRefreshToken, false),
  // No user is present, so the client's own credentials are all that stands behind the token (RFC 9700 section 2.4).
  client_credentials: grant(noNames, exchangeClientCredentials, true),
  // An ID-JAG names the client it was issued to, so only that client, authenticated, may redeem it.
  [JWT_BEARER_GRANT]: grant(noNames, exchangeIdentityAssertion, true),
  // Only an MCP server, as its resource's confidential client, trades the tokens it received.
  [TOKEN_EXCHANGE_GRANT]: grant(noNames, exchangeToken, true),
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

  // One round trip reads what the request names (the client, the code or family, their
  // revocation rows); the client's failures still come first, as if it had been alone.
  const claimed = claimedClientId(request, form);
  const storedClientId = claimed !== undefined && clientHomeOf(deps.config, claimed).kind === 'store' ? claimed : undefined;
  const named = namesOf(grant, form, claimed);
  // Only what is to be read: a grant's names may hold more (the presented refresh token) that no store needs.
  const { codeHash, familyId, revocationKeys } = named.ok ? named.names : { codeHash: undefined, familyId: undefined, revocationKeys: [] };
  const reads = deps.tokenRequestReads.read({ clientId: storedClientId, codeHash, familyId, revocationKeys });
  const [authentication, records] = await Promise.allSettled([
    authenticateClient({ ...deps, clients: clientsAnsweredBy(reads, storedClientId, deps.clients) }, request, form),
    reads,
  ]);
  if (authentication.status === 'rejected') throw authentication.reason;
  const { client, method } = authentication.value;
  if (grant.confidentialOnly && method === 'none') throw new OAuthError('unauthorized_client', 'Public clients cannot use this grant type.');
  if (!client.grantTypes.includes(grantType)) throw new OAuthError('unauthorized_client', 'This client is not allowed to use this grant type.');
  if (!named.ok) throw named.error;
  if (records.status === 'rejected') throw records.reason;

  return jsonResponse(200, await grant.redeem(deps, client, form, { names: named.names, records: records.value, claimedClientId: claimed }));
}

/** A grant's names, or why the request has none; the error waits until the client is authenticated. */
function namesOf(grant: Grant, form: FormBody, claimed: string | undefined): { ok: true; names: GrantNames } | { ok: false; error: unknown } {
  try {
    return { ok: true, names: grant.names(form, claimed) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** The client store as authenticateClient sees it for this request: the claimed client is the one the first round trip read. */
function clientsAnsweredBy(reads: Promise<TokenRequestRecords>, readClientId: string | undefined, store: ClientStore): ClientStore {
  return {
    get: (clientId) => (clientId === readClientId ? reads.then((records) => records.client) : store.get(clientId)),
    create: (client) => store.create(client),
  };
}
