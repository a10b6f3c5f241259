/**
 * private_key_jwt (RFC 7523 sections 2.2 and 3, OpenID Connect Core section 9): a client
 * proves itself with a JWT it signed with a key it registered. `iss` and `sub` are its
 * client id, `aud` names this server (the issuer or the token endpoint), `exp` is at most
 * five minutes ahead, and each `jti` is accepted once (recorded until the assertion
 * expires, by a conditional write). Keys come from the client's registration: `jwks`
 * inline, or `jwksUri` fetched with the metadata document rules (no private addresses, no
 * redirects, size and time limits). Every check is made before the jti is written, so a
 * refused assertion burns nothing.
 */
import type { JsonWebKeyConfig } from '../config';
import { sha256Base64url } from '../crypto';
import { ConditionFailedError, OAuthError } from '../errors';
import { nowSeconds, type ClientRecord } from '../ports';
import { assertionKey, assertionSignatureMatches, assertionTimes, audienceIncludes, decodeSignedAssertion } from '../tokens/signed-assertion';
import { resolveClient } from './clients';
import type { AuthorizationServerDeps } from './deps';
import { ENDPOINT_PATHS } from './endpoints';

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** RFC 7523 lets the server bound `exp`; five minutes covers a slow network and refuses a long-lived assertion someone could collect and replay. */
export const MAX_CLIENT_ASSERTION_SECONDS_AHEAD = 300;

const MAX_JTI_LENGTH = 256;

/**
 * The client a valid assertion proves, or undefined for every way it can be wrong (the
 * caller answers one invalid_client for all of them). `namedClientId` is the body's
 * client_id, which must name the same client when sent.
 */
export async function clientFromAssertion(deps: AuthorizationServerDeps, assertion: string, namedClientId: string | undefined): Promise<ClientRecord | undefined> {
  const decoded = decodeSignedAssertion(assertion);
  if (!decoded.ok) return undefined;
  const { payload } = decoded.value;
  const clientId = payload.iss;
  if (typeof clientId !== 'string' || payload.sub !== clientId) return undefined;
  if (namedClientId !== undefined && namedClientId !== clientId) return undefined;

  const client = await resolveClient(deps, clientId);
  if (!client || client.tokenEndpointAuthMethod !== 'private_key_jwt') return undefined;
  const keys = await clientKeys(deps, client);
  const key = keys && assertionKey(keys, decoded.value);
  if (!key || !assertionSignatureMatches(key, decoded.value)) return undefined;

  const { issuer } = deps.config;
  if (!audienceIncludes(payload.aud, [issuer, issuer + ENDPOINT_PATHS.token])) return undefined;
  const now = nowSeconds(deps);
  const skew = deps.config.guard.clockSkewSeconds;
  const times = assertionTimes(payload, { now, clockSkewSeconds: skew, maxSecondsAhead: MAX_CLIENT_ASSERTION_SECONDS_AHEAD });
  if (!times.ok) return undefined;
  const { jti } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) return undefined;

  try {
    // Kept while the assertion could still pass the exp check: until exp plus the skew.
    await deps.usedAssertions.recordOnce(usedAssertionKey('client', clientId, jti), times.value + skew);
  } catch (error) {
    if (error instanceof ConditionFailedError) return undefined;
    throw error;
  }
  return client;
}

/** The key a jti is recorded under: who issued it (a client, or an IdP's issuer) and the jti, hashed so any length fits. */
export function usedAssertionKey(kind: 'client' | 'idp', issuer: string, jti: string): string {
  return `${kind}#${sha256Base64url(`${issuer}\u0000${jti}`)}`;
}

async function clientKeys(deps: AuthorizationServerDeps, client: ClientRecord): Promise<readonly JsonWebKeyConfig[] | undefined> {
  if (client.jwks) return client.jwks.keys;
  if (!client.jwksUri) return undefined;
  try {
    return keySetMembers(await deps.metadataFetcher.fetch(client.jwksUri));
  } catch (error) {
    // Unreachable, too large or a forbidden address: the client cannot be authenticated now.
    if (error instanceof OAuthError && error.exposed) return undefined;
    throw error;
  }
}

/** The keys of a JWK set document (RFC 7517 section 5), those whose members are all strings. */
function keySetMembers(document: Record<string, unknown>): JsonWebKeyConfig[] | undefined {
  if (!Array.isArray(document.keys)) return undefined;
  return document.keys.filter((key): key is JsonWebKeyConfig =>
    typeof key === 'object' && key !== null && typeof (key as { kty?: unknown }).kty === 'string' && Object.values(key).every((v) => typeof v === 'string' || Array.isArray(v)));
}
