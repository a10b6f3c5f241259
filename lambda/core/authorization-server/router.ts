/**
 * The authorization server as one request handler: path and method dispatch, CORS for the
 * endpoints scripts call, none for the pages a browser shows (a page readable cross-origin
 * would leak codes and CSRF tokens). Nothing escapes as a stack trace: the last catch
 * turns any failure into the one error serializer's answer.
 */
import type { HttpRequest, HttpResponse } from '../http';
import { handleAuthorize } from './authorize';
import { handleConsent } from './consent';
import { preflightResponse, withCors } from './cors';
import { ENDPOINT_PATHS, type AuthorizationServerDeps } from './deps';
import { handleIntrospection } from './introspection';
import { handleJwks } from './jwks';
import { handleMetadata } from './metadata';
import { handleRegister } from './registration';
import { rejectRequest } from './rejected-request';
import { jsonResponse } from './responses';
import { handleRevocation } from './revocation';
import { handleToken } from './token';
import { handleUpstreamCallback } from './upstream-callback';

type Handler = (deps: AuthorizationServerDeps, request: HttpRequest) => Promise<HttpResponse>;

interface Route {
  readonly name: string;
  readonly methods: Readonly<Record<string, Handler>>;
  /** Called by scripts on other origins (MCP clients in a browser); never true for pages. */
  readonly cors: boolean;
}

const ROUTES: Readonly<Record<string, Route>> = {
  [ENDPOINT_PATHS.metadata]: { name: 'metadata', methods: { GET: handleMetadata }, cors: true },
  [ENDPOINT_PATHS.jwks]: { name: 'jwks', methods: { GET: handleJwks }, cors: true },
  [ENDPOINT_PATHS.token]: { name: 'token', methods: { POST: handleToken }, cors: true },
  [ENDPOINT_PATHS.register]: { name: 'register', methods: { POST: handleRegister }, cors: true },
  [ENDPOINT_PATHS.revoke]: { name: 'revoke', methods: { POST: handleRevocation }, cors: true },
  [ENDPOINT_PATHS.introspect]: { name: 'introspect', methods: { POST: handleIntrospection }, cors: true },
  [ENDPOINT_PATHS.authorize]: { name: 'authorize', methods: { GET: handleAuthorize }, cors: false },
  [ENDPOINT_PATHS.consent]: { name: 'consent', methods: { POST: handleConsent }, cors: false },
  [ENDPOINT_PATHS.upstreamCallback]: { name: 'callback', methods: { GET: handleUpstreamCallback }, cors: false },
};

export interface AuthorizationServer {
  handle(request: HttpRequest): Promise<HttpResponse>;
}

export function createAuthorizationServer(deps: AuthorizationServerDeps): AuthorizationServer {
  return {
    async handle(request) {
      const route = Object.prototype.hasOwnProperty.call(ROUTES, request.path) ? ROUTES[request.path] : undefined;
      if (!route) return jsonResponse(404, { error: 'not_found', error_description: 'There is no endpoint at this path.' });
      const allowed = Object.keys(route.methods);
      if (route.cors && request.method === 'OPTIONS') return preflightResponse(allowed);

      const handler = Object.prototype.hasOwnProperty.call(route.methods, request.method) ? route.methods[request.method] : undefined;
      let response: HttpResponse;
      if (!handler) {
        const allow = route.cors ? [...allowed, 'OPTIONS'] : allowed;
        response = jsonResponse(405, { error: 'invalid_request', error_description: `Use ${allowed.join(' or ')} here.` }, { Allow: allow.join(', ') });
      } else {
        try {
          response = await handler(deps, request);
        } catch (error) {
          response = rejectRequest(deps, route.name, error);
        }
      }
      return route.cors ? withCors(response) : response;
    },
  };
}
