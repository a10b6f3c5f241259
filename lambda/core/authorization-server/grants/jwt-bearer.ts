/**
 * grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer with an ID-JAG (RFC 7523 section
 * 2.1, the MCP Enterprise-Managed Authorization profile): a pre-registered client that
 * authenticates presents an assertion its user's enterprise IdP issued for this server.
 * The token is for the ID-JAG's one resource, with the scopes that the ID-JAG grants, the
 * request asks for and our policy allows (the IdP's resources entry, and groupScopes when
 * the IdP lists groups), never more. No refresh token: the profile keeps the IdP in control
 * of every new grant, so the client goes back to the IdP for a fresh ID-JAG (docs/enterprise.md).
 */
import { OAuthError } from '../../errors';
import { nowSeconds, type ClientRecord } from '../../ports';
import { issueAccessToken } from '../access-token-issuing';
import type { AuthorizationServerDeps } from '../deps';
import type { FormBody } from '../form-body';
import { recordIdentityAssertionUse, readIdentityAssertion, type IdentityAssertion } from '../identity-assertion';
import { narrowScope, tokenResponse, type TokenResponseBody } from './grant-parameters';

/** One text for every way an ID-JAG can be wrong. */
const invalidAssertion = (reason: string) => new OAuthError('invalid_grant', 'The assertion is invalid, expired, already used, or not accepted here.', { cause: reason });

export async function exchangeIdentityAssertion(deps: AuthorizationServerDeps, client: ClientRecord, form: FormBody): Promise<TokenResponseBody> {
  const assertion = form.get('assertion');
  if (assertion === undefined) throw new OAuthError('invalid_request', 'The assertion parameter is required.');
  const read = await readIdentityAssertion(deps, assertion, client.clientId);
  if (!read.ok) throw invalidAssertion(read.reason);
  const grant = read.value;

  const requested = form.all('resource');
  if (requested.length > 1 || (requested.length === 1 && requested[0] !== grant.resource)) throw invalidAssertion('resource differs from the ID-JAG');
  const scope = narrowScope(deps.config, form, policyScopes(deps, grant), grant.resource);

  if (!(await recordIdentityAssertionUse(deps, grant))) throw invalidAssertion('jti replayed');
  const accessToken = await issueAccessToken(deps, {
    subject: grant.subject,
    clientId: client.clientId,
    audience: grant.resource,
    scope,
    ...(grant.authTime === undefined ? {} : { authTime: grant.authTime }),
  }, nowSeconds(deps));
  deps.audit.emit({ type: 'token_issued', grantType: 'jwt-bearer', clientId: client.clientId, subject: grant.subject });
  return tokenResponse(accessToken);
}

/** What the ID-JAG may yield: the IdP's scopes for the resource, within what the ID-JAG names, within the groups' scopes when the IdP lists groups. */
function policyScopes(deps: AuthorizationServerDeps, grant: IdentityAssertion): string[] {
  let allowed = [...(grant.idp.resources[grant.resource] ?? [])];
  if (grant.scope !== undefined) allowed = allowed.filter((s) => grant.scope!.includes(s));
  if (grant.groups !== undefined) {
    const byGroups = new Set(grant.groups.flatMap((group) => (Object.hasOwn(deps.config.groupScopes, group) ? deps.config.groupScopes[group]! : [])));
    allowed = allowed.filter((s) => byGroups.has(s));
  }
  return allowed;
}
