/**
 * One request through the authorization server's router, as both hosts serve it: the router
 * is where an endpoint's failure becomes its answer, so tests of an endpoint go through it.
 */
import type { AuthorizationServerDeps } from '../../lambda/core/authorization-server/deps';
import { createAuthorizationServer } from '../../lambda/core/authorization-server/router';
import type { HttpRequest, HttpResponse } from '../../lambda/core/http';

export function serve(deps: AuthorizationServerDeps, request: HttpRequest): Promise<HttpResponse> {
  return createAuthorizationServer(deps).handle(request);
}
