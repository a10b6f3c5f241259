/**
 * The authorization server behind an API Gateway proxy integration: proxy event -> core
 * router -> proxy result, nothing else. The router answers every failure of an endpoint
 * (core/authorization-server/router.ts); both hosts serve through here.
 */
import { createAuthorizationServer } from '../../core/authorization-server/router';
import type { AuthorizationServerDeps } from '../../core/authorization-server/deps';
import { toHttpRequest, toProxyResult, type ProxyHandler } from './proxy-event';

export function createAuthorizationServerHandler(deps: AuthorizationServerDeps): ProxyHandler {
  const server = createAuthorizationServer(deps);
  return async (event) => toProxyResult(await server.handle(toHttpRequest(event)));
}
