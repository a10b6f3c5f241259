/**
 * The UNAUTHORIZED and ACCESS_DENIED gateway responses of a protected API: they carry the
 * guard's Bearer challenges (core/guard/challenges.ts). API Gateway renames a
 * WWW-Authenticate header returned by an integration to x-amzn-remapped-www-authenticate, so
 * the challenges a client must read come from API Gateway itself: UNAUTHORIZED (the
 * authorizer threw "Unauthorized") and ACCESS_DENIED (the authorizer returned Deny).
 */
import type { ResourceConfig } from '../../core/config';
import { accessDeniedScopes, insufficientScopeChallenge, unauthorizedChallenge } from '../../core/guard/challenges';

export interface GatewayResponseValue {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface GuardGatewayResponses {
  readonly UNAUTHORIZED: GatewayResponseValue;
  readonly ACCESS_DENIED: GatewayResponseValue;
}

/**
 * The exact header values to configure (without CloudFormation's outer single quotes).
 * Browser-based MCP clients must be able to read the challenge, hence the CORS headers.
 */
export function gatewayResponsesFor(resource: ResourceConfig): GuardGatewayResponses {
  const common = {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-store',
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'WWW-Authenticate',
  };
  return {
    UNAUTHORIZED: {
      statusCode: 401,
      headers: { ...common, 'WWW-Authenticate': unauthorizedChallenge(resource) },
      body: JSON.stringify({ error: 'invalid_token', error_description: 'A valid access token is required' }),
    },
    ACCESS_DENIED: {
      statusCode: 403,
      headers: { ...common, 'WWW-Authenticate': insufficientScopeChallenge(resource, accessDeniedScopes(resource)) },
      body: JSON.stringify({ error: 'insufficient_scope', error_description: 'The access token does not grant the scope this request needs' }),
    },
  };
}
