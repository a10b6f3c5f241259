/**
 * Validation of an authorization request (GET /authorize), in the order that decides where
 * an error may be reported:
 *
 * 1. client_id and redirect_uri. Until both are proven, the request must not redirect
 *    anywhere (OAuth 2.1 section 4.1.2.1): the result is `no_redirect` and the AS shows its
 *    own page.
 * 2. Everything else. The redirect URI is now one the client registered, so errors may
 *    go back to it (`error_redirect`), with the request's state and the issuer.
 *
 * Pure apart from the client lookup; nothing is stored here.
 */
import type { OAuthErrorCode } from '../errors';
import type { ClientRecord } from '../ports';
import { findClient } from './clients';
import type { AuthorizationServerDeps } from './deps';
import { selectRedirectUri } from './redirect-uri';
import { findResource, scopeNamesOf } from '../resources';
import { parseScopeString, unionScopes } from '../scopes';

export interface AuthorizationRequest {
  readonly client: ClientRecord;
  readonly redirectUri: string;
  readonly redirectUriWasSent: boolean;
  readonly state?: string;
  readonly codeChallenge: string;
  readonly resources: readonly string[];
  /** The scope asked for, or the resources' defaults; always within those resources (the user's groups narrow it later). */
  readonly scope: readonly string[];
}

export type AuthorizationRequestValidation =
  | { readonly kind: 'valid'; readonly request: AuthorizationRequest }
  | { readonly kind: 'no_redirect'; readonly description: string }
  | {
      readonly kind: 'error_redirect';
      readonly client: ClientRecord;
      readonly redirectUri: string;
      readonly error: OAuthErrorCode;
      readonly description: string;
      readonly state?: string;
    };

/** RFC 7636 section 4.2: BASE64URL(SHA256(verifier)) is always 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** RFC 8707 allows several resource parameters; every other parameter must appear at most once (OAuth 2.1 section 3.1). */
const MULTI_VALUED = new Set(['resource']);

export async function validateAuthorizationRequest(deps: AuthorizationServerDeps, query: Readonly<Record<string, readonly string[]>>): Promise<AuthorizationRequestValidation> {
  const values = (name: string): readonly string[] => (Object.prototype.hasOwnProperty.call(query, name) ? query[name] : []);

  const clientIds = values('client_id');
  if (clientIds.length !== 1 || clientIds[0] === '') {
    return { kind: 'no_redirect', description: clientIds.length > 1 ? 'The request repeats client_id.' : 'The request has no client_id.' };
  }
  const lookup = await findClient(deps, clientIds[0]);
  if (!lookup.found) return { kind: 'no_redirect', description: lookup.reason };
  const client = lookup.client;

  const redirectUris = values('redirect_uri');
  if (redirectUris.length > 1) return { kind: 'no_redirect', description: 'The request repeats redirect_uri.' };
  const redirectUri = selectRedirectUri(client.redirectUris, redirectUris[0]);
  if (redirectUri === undefined) {
    return {
      kind: 'no_redirect',
      description: redirectUris.length === 0
        ? 'The request has no redirect_uri and the client registered more than one.'
        : 'The redirect_uri is not registered for this client.',
    };
  }

  const states = values('state');
  const state = states.length === 1 && states[0] !== '' ? states[0] : undefined;
  const fail = (error: OAuthErrorCode, description: string, echoState = true): AuthorizationRequestValidation => ({
    kind: 'error_redirect', client, redirectUri, error, description, state: echoState ? state : undefined,
  });

  if (states.length > 1) return fail('invalid_request', 'The request repeats state.', false);
  const repeated = Object.keys(query).find((name) => !MULTI_VALUED.has(name) && query[name].length > 1);
  if (repeated) return fail('invalid_request', `The request repeats ${repeated}.`);

  const responseType = values('response_type')[0];
  if (responseType === undefined || responseType === '') return fail('invalid_request', 'The request has no response_type.');
  if (responseType !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
  if (!client.responseTypes.includes('code') || !client.grantTypes.includes('authorization_code')) {
    return fail('unauthorized_client', 'The client is not registered for the authorization code flow.');
  }

  const codeChallenge = values('code_challenge')[0];
  if (codeChallenge === undefined || codeChallenge === '') return fail('invalid_request', 'PKCE is required: the request has no code_challenge.');
  if (values('code_challenge_method')[0] !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256.');
  if (!S256_CHALLENGE.test(codeChallenge)) return fail('invalid_request', 'code_challenge must be 43 base64url characters (S256).');

  const requestedResources = [...new Set(values('resource'))];
  const resources = requestedResources.length ? requestedResources : [deps.config.defaultResource];
  // Exact string equality with a configured URI also rules out fragments, relative URIs and look-alikes.
  if (!resources.every((uri) => findResource(deps.config, uri))) return fail('invalid_target', 'The resource is not served by this authorization server.');

  const available = new Set(resources.flatMap((uri) => scopeNamesOf(findResource(deps.config, uri)!)));
  const scopeParam = values('scope')[0];
  // The registered `scope` of a dynamic or metadata-document client is self-asserted, and
  // self-asserted metadata grants no authority (RFC 9700 sections 2.6 and 4.15): bounding by
  // it adds no security, while it locks out step-up, since MCP SDK clients register with the
  // scope of the first 401 challenge. The user's groups and consent are the bound.
  let scope: string[];
  if (scopeParam !== undefined && parseScopeString(scopeParam).length > 0) {
    scope = parseScopeString(scopeParam);
    if (!scope.every((s) => available.has(s))) return fail('invalid_scope', 'The scope is not offered for the requested resource.');
  } else {
    scope = unionScopes(...resources.map((uri) => findResource(deps.config, uri)!.defaultScopes));
    if (scope.length === 0) return fail('invalid_scope', 'The request names no scope and no default scope applies.');
  }

  return {
    kind: 'valid',
    request: { client, redirectUri, redirectUriWasSent: redirectUris.length === 1, state, codeChallenge, resources, scope },
  };
}
