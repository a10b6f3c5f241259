/**
 * The last step of every endpoint that can fail: count the rejection (operators alert on
 * spikes of invalid_client or invalid_grant) and hand the error to the one serializer.
 */
import { OAuthError } from '../errors';
import type { HttpResponse } from '../http';
import type { AuthorizationServerDeps } from './deps';
import { errorResponse } from './responses';

export function rejectRequest(deps: Pick<AuthorizationServerDeps, 'audit' | 'logError'>, endpoint: string, error: unknown): HttpResponse {
  if (error instanceof OAuthError && error.exposed) deps.audit.emit({ type: 'request_rejected', endpoint, error: error.code });
  return errorResponse(error, deps.logError);
}
