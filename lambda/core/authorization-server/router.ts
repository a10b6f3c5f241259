/**
 * The authorization server as one request handler: path and method dispatch, CORS for the
 * endpoints scripts call, none for the pages a browser shows (a page readable cross-origin
 * would leak codes and CSRF tokens), and the one place where a failure of an endpoint
 * becomes its answer on the wire: an OAuth error (RFC 6749 section 5.2) for the endpoints
 * scripts call, an error page for the pages. Nothing escapes as a stack trace.
 */
import type { HttpRequest, HttpResponse } from '../http';
import { handleAuthorize } from './authorize';
import { handleConsent } from './consent';
import { preflightResponse, withCors } from './cors';
import type { AuthorizationServerDeps } from './deps';
import { ENDPOINT_PATHS } from './endpoints';
import { handleIntrospection } from './introspection';
import { handleJwks } from './jwks';
import { handleMetadata } from './metadata';
import { unexpectedErrorPage } from './pages';
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
  /**
   * `api`: called by scripts, on other origins too (MCP clients in a browser): CORS, and
   * failures answered as OAuth errors. `page`: shown to a person: no CORS, failures answered
   * with an error page.
   */
  readonly kind: 'api' | 'page';
}

const ROUTES: Readonly<Record<string, Route>> = {
  [ENDPOINT_PATHS.metadata]: { name: 'metadata', methods: { GET: handleMetadata }, kind: 'api' },
  [ENDPOINT_PATHS.jwks]: { name: 'jwks', methods: { GET: handleJwks }, kind: 'api' },
  [ENDPOINT_PATHS.token]: { name: 'token', methods: { POST: handleToken }, kind: 'api' },
  [ENDPOINT_PATHS.register]: { name: 'register', methods: { POST: handleRegister }, kind: 'api' },
  [ENDPOINT_PATHS.revoke]: { name: 'revoke', methods: { POST: handleRevocation }, kind: 'api' },
  [ENDPOINT_PATHS.introspect]: { name: 'introspect', methods: { POST: handleIntrospection }, kind: 'api' },
  [ENDPOINT_PATHS.authorize]: { name: 'authorize', methods: { GET: handleAuthorize }, kind: 'page' },
  [ENDPOINT_PATHS.consent]: { name: 'consent', methods: { POST: handleConsent }, kind: 'page' },
  [ENDPOINT_PATHS.upstreamCallback]: { name: 'callback', methods: { GET: handleUpstreamCallback }, kind: 'page' },
};

export interface AuthorizationServer {
  handle(request: HttpRequest): Promise<HttpResponse>;
}

export function createAuthorizationServer(deps: AuthorizationServerDeps): AuthorizationServer {
  return {
    async handle(request) {
      const route = Object.prototype.hasOwnProperty.call(ROUTES, request.path) ? ROUTES[request.path] : undefined;
      if (!route) return jsonResponse(404, { error: 'not_found', error_description: 'There is no endpoint at this path.' });
      const cors = route.kind === 'api';
      const allowed = Object.keys(route.methods);
      if (cors && request.method === 'OPTIONS') return preflightResponse(allowed);

      const handler = Object.prototype.hasOwnProperty.call(route.methods, request.method) ? route.methods[request.method] : undefined;
      let response: HttpResponse;
      if (!handler) {
        const allow = cors ? [...allowed, 'OPTIONS'] : allowed;
        response = jsonResponse(405, { error: 'invalid_request', error_description: `Use ${allowed.join(' or ')} here.` }, { Allow: allow.join(', ') });
      } else {
        try {
          response = await handler(deps, request);
        } catch (error) {
          response = route.kind === 'api' ? rejectRequest(deps, route.name, error) : unexpectedErrorPage(deps.config, deps.logError, error);
        }
      }
      return cors ? withCors(response) : response;
    },
  };
}
