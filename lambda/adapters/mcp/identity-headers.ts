/**
 * The request headers an HTTP backend behind the MCP step can trust: the identity the
 * authorizer verified, written by the step after it removed every client-sent header of
 * the same family (any `X-MCP-OAuth-*`, whatever its case or how often it was sent), so a
 * backend that sees one knows the guard wrote it. With a shared secret configured, the step
 * also sends it, so the backend can refuse requests that did not come through the guard.
 */
import type { GuardIdentity } from './tool-scope-guard';

export const IDENTITY_HEADERS = {
  /** The token's `sub`: the user. */
  subject: 'X-MCP-OAuth-Sub',
  /** The token's `client_id`: the MCP client acting for the user. */
  clientId: 'X-MCP-OAuth-Client-Id',
  /** The granted scopes, space-separated (RFC 6749 section 3.3). */
  scope: 'X-MCP-OAuth-Scope',
} as const;

/** Every header of this family is the guard's: a client cannot send one through. */
export const GUARD_HEADER_PREFIX = 'x-mcp-oauth-';

export function identityHeaders(identity: GuardIdentity): Record<string, string> {
  return {
    [IDENTITY_HEADERS.subject]: identity.subject,
    [IDENTITY_HEADERS.clientId]: identity.clientId,
    [IDENTITY_HEADERS.scope]: identity.scopes.join(' '),
  };
}
