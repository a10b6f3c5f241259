/**
 * Reading an ID-JAG (draft-ietf-oauth-identity-assertion-authz-grant section 4.3, the MCP
 * Enterprise-Managed Authorization profile; RFC 7521 section 5.2, RFC 7523 section 3): header
 * `typ` exactly `oauth-id-jag+jwt`; `iss` one of trustedIdentityProviders, the signature one
 * of that IdP's published keys; `aud` exactly our issuer; `client_id` the authenticated
 * client; `resource` a resource that IdP may grant; `exp` not past and `iat` not ahead (with
 * the skew); `jti` accepted once (the grant records it last, through recordIdentityAssertionUse, so a
 * refused ID-JAG burns nothing). Every
 * refusal is one invalid_grant that does not say which check failed; the reason is kept for
 * the caller's log.
 */
import type { TrustedIdentityProviderConfig } from '../config';
import { ConditionFailedError } from '../errors';
import { nowSeconds } from '../ports';
import { parseScopeString } from '../scopes';
import { assertionKey, assertionSignatureMatches, assertionTimes, audienceIncludes, decodeSignedAssertion } from '../tokens/signed-assertion';
import { refused as fail, type TokenRuleResult } from '../tokens/token-rule-result';
import { usedAssertionKey } from './client-assertion';
import type { AuthorizationServerDeps } from './deps';

export const ID_JAG_TYP = 'oauth-id-jag+jwt';
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** The grant profile the authorization server metadata names (authorization_grant_profiles_supported). */
export const ID_JAG_GRANT_PROFILE = 'urn:ietf:params:oauth:grant-profile:id-jag';

const MAX_JTI_LENGTH = 256;
const MAX_SUBJECT_LENGTH = 255;

export interface IdentityAssertion {
  readonly idp: TrustedIdentityProviderConfig;
  /** Ours: the IdP's subjectPrefix and its `sub`. */
  readonly subject: string;
  readonly resource: string;
  /** What the ID-JAG grants at the resource, before the request and our policy narrow it; undefined when it names no scope. */
  readonly scope?: readonly string[];
  /** The groups the ID-JAG lists, when the IdP's groupsClaim is configured. */
  readonly groups?: readonly string[];
  readonly authTime?: number;
  readonly expiresAt: number;
  /** Where its single use is recorded, and until when. */
  readonly replayKey: string;
  readonly keepUntil: number;
}

export async function readIdentityAssertion(deps: AuthorizationServerDeps, assertion: string, clientId: string): Promise<TokenRuleResult<IdentityAssertion>> {
  const decoded = decodeSignedAssertion(assertion);
  if (!decoded.ok) return decoded;
  const { header, payload } = decoded.value;
  if (header.typ !== ID_JAG_TYP) return fail('typ is not oauth-id-jag+jwt');
  const idp = deps.config.trustedIdentityProviders.find((trusted) => trusted.issuer === payload.iss);
  if (!idp) return fail('iss is not a trusted identity provider');
  const key = assertionKey(await deps.trustedIssuerKeys.keys(idp.jwksUri, decoded.value.kid), decoded.value);
  if (!key || !assertionSignatureMatches(key, decoded.value)) return fail('signature');

  // Exactly our issuer: not the token endpoint, not a list that also names someone else.
  if (payload.aud !== deps.config.issuer && !(Array.isArray(payload.aud) && payload.aud.length === 1 && audienceIncludes(payload.aud, [deps.config.issuer]))) return fail('aud is not our issuer');
  if (payload.client_id !== clientId) return fail('client_id is not the authenticated client');
  const { sub, resource, jti } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUBJECT_LENGTH) return fail('sub');
  if (typeof resource !== 'string' || !Object.hasOwn(idp.resources, resource)) return fail('resource not allowed for this identity provider');
  if (payload.scope !== undefined && typeof payload.scope !== 'string') return fail('scope');
  const now = nowSeconds(deps);
  const skew = deps.config.guard.clockSkewSeconds;
  const times = assertionTimes(payload, { now, clockSkewSeconds: skew });
  if (!times.ok) return times;
  if (typeof payload.iat !== 'number') return fail('iat missing');
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) return fail('jti');

  return {
    ok: true,
    value: {
      idp,
      subject: `${idp.subjectPrefix}${sub}`,
      resource,
      ...(payload.scope === undefined ? {} : { scope: parseScopeString(payload.scope as string) }),
      ...(idp.groupsClaim === undefined ? {} : { groups: stringList(payload[idp.groupsClaim]) }),
      ...(typeof payload.auth_time === 'number' ? { authTime: payload.auth_time } : {}),
      expiresAt: times.value,
      replayKey: usedAssertionKey('idp', idp.issuer, jti),
      keepUntil: times.value + skew,
    },
  };
}

/** Records the ID-JAG's jti; false when it was used already (a replay, or the loser of a race). */
export async function recordIdentityAssertionUse(deps: AuthorizationServerDeps, assertion: IdentityAssertion): Promise<boolean> {
  try {
    await deps.usedAssertions.recordOnce(assertion.replayKey, assertion.keepUntil);
    return true;
  } catch (error) {
    if (error instanceof ConditionFailedError) return false;
    throw error;
  }
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
