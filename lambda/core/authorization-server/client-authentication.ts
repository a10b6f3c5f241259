/**
 * Who is calling /token, /revoke or /introspect (OAuth 2.1 section 2.4): client_secret_basic,
 * client_secret_post, private_key_jwt (client-assertion.ts), or a public client that only
 * names itself (`none`). Every failure to
 * authenticate is the same 401 invalid_client with the same text, so a caller cannot tell
 * an unknown client from a wrong secret.
 */
import { constantTimeEqual, sha256Base64url } from '../crypto';
import { OAuthError } from '../errors';
import { headerCount, singleHeader, type HttpRequest } from '../http';
import type { ClientRecord, TokenEndpointAuthMethod } from '../ports';
import { CLIENT_ASSERTION_TYPE, clientFromAssertion } from './client-assertion';
import { looksLikeClientIdUrl } from './client-metadata-document';
import { resolveClient } from './clients';
import { nowSeconds } from '../ports';
import type { AuthorizationServerDeps } from './deps';
import type { FormBody } from './form-body';

export interface AuthenticatedClient {
  readonly client: ClientRecord;
  /** How the caller proved itself; `none` means it only named itself. */
  readonly method: TokenEndpointAuthMethod;
}

interface PresentedCredentials {
  readonly clientId: string;
  readonly secret?: string;
  readonly method: TokenEndpointAuthMethod;
}

const BASIC_CREDENTIALS = /^[A-Za-z0-9+/]+={0,2}$/;

export function clientAuthenticationFailed(): OAuthError {
  return new OAuthError('invalid_client', 'Client authentication failed.');
}

export interface ClientAuthenticationOptions {
  /**
   * Whether a client_id that is a metadata document URL may be fetched for this request
   * (docs/security.md, case 61). Such a client has no secret, so fetching its document
   * before anything else proves the caller's right makes the endpoint an outbound-request
   * amplifier; /revoke fetches only for the client the presented token belongs to, and
   * /introspect (confidential clients only) never. A refusal is invalid_client.
   * @default every URL client_id is fetched (/token: the grant needs the client)
   */
  readonly mayFetchMetadataDocument?: (clientId: string) => boolean | Promise<boolean>;
}

export async function authenticateClient(deps: AuthorizationServerDeps, request: HttpRequest, form: FormBody, options: ClientAuthenticationOptions = {}): Promise<AuthenticatedClient> {
  if (form.get('client_assertion') !== undefined || form.get('client_assertion_type') !== undefined) return authenticateByAssertion(deps, request, form);
  const presented = presentedCredentials(request, form);
  if (options.mayFetchMetadataDocument && looksLikeClientIdUrl(presented.clientId) && !(await options.mayFetchMetadataDocument(presented.clientId))) {
    throw clientAuthenticationFailed();
  }
  const client = await resolveClient(deps, presented.clientId);
  if (!client) throw clientAuthenticationFailed();
  if (client.expiresAt !== undefined && client.expiresAt < nowSeconds(deps)) throw clientAuthenticationFailed();

  const confidential = client.tokenEndpointAuthMethod !== 'none' || client.clientSecretHash !== undefined;
  if (!confidential) {
    // A public client has no secret; one that sends a secret is not the client we know.
    if (presented.method !== 'none') throw clientAuthenticationFailed();
    return { client, method: 'none' };
  }
  // Basic and post both prove the same secret; insisting on the registered one only breaks
  // clients whose library picks the other, and protects nothing.
  if (presented.secret === undefined || client.clientSecretHash === undefined) throw clientAuthenticationFailed();
  if (!constantTimeEqual(sha256Base64url(presented.secret), client.clientSecretHash)) throw clientAuthenticationFailed();
  return { client, method: presented.method };
}

/**
 * The client_id the request names before anything is authenticated (the body's, or Basic's),
 * so /token can read that client's revocation row alongside its other reads; undefined when it
 * names none it could be authenticated as. Only a hint: what counts is the client
 * authenticateClient returns.
 */
export function claimedClientId(request: HttpRequest, form: FormBody): string | undefined {
  if (form.get('client_assertion') !== undefined) return form.get('client_id');
  try {
    return presentedCredentials(request, form).clientId;
  } catch {
    return undefined;
  }
}

/** private_key_jwt (RFC 7523 section 2.2): the assertion is the only credential, so nothing else may claim to be one. */
async function authenticateByAssertion(deps: AuthorizationServerDeps, request: HttpRequest, form: FormBody): Promise<AuthenticatedClient> {
  if (headerCount(request, 'authorization') > 0 || form.get('client_secret') !== undefined) throw new OAuthError('invalid_request', 'Use one client authentication method, not two.');
  const assertion = form.get('client_assertion');
  if (assertion === undefined || form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE) throw clientAuthenticationFailed();
  const client = await clientFromAssertion(deps, assertion, form.get('client_id'));
  if (!client) throw clientAuthenticationFailed();
  return { client, method: 'private_key_jwt' };
}

function presentedCredentials(request: HttpRequest, form: FormBody): PresentedCredentials {
  if (headerCount(request, 'authorization') > 1) throw new OAuthError('invalid_request', 'Send one Authorization header.');
  const authorization = singleHeader(request, 'authorization');
  const bodyClientId = form.get('client_id');
  const bodySecret = form.get('client_secret');

  if (authorization !== undefined) {
    if (bodySecret !== undefined) throw new OAuthError('invalid_request', 'Use one client authentication method, not two.');
    const basic = parseBasic(authorization);
    if (bodyClientId !== undefined && bodyClientId !== basic.clientId) throw new OAuthError('invalid_request', 'client_id does not match the authenticated client.');
    return { ...basic, method: 'client_secret_basic' };
  }
  if (bodyClientId === undefined) throw clientAuthenticationFailed();
  if (bodySecret !== undefined) return { clientId: bodyClientId, secret: bodySecret, method: 'client_secret_post' };
  return { clientId: bodyClientId, method: 'none' };
}

/** RFC 6749 section 2.3.1: id and secret are form-urlencoded before they are joined with ':' and base64-encoded. */
function parseBasic(authorization: string): { clientId: string; secret: string } {
  const match = /^basic +(\S+)\s*$/i.exec(authorization);
  if (!match || !BASIC_CREDENTIALS.test(match[1])) throw clientAuthenticationFailed();
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw clientAuthenticationFailed();
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (!clientId || !secret) throw clientAuthenticationFailed();
  return { clientId, secret };
}

function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}
