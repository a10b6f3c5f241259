/**
 * GET /authorize: the start of the authorization code flow.
 *
 * A valid request from a browser that is already signed in, for scopes the user already
 * approved for this very client, gets its code at once. Everything else sees the consent
 * page first, before any redirect to the upstream IdP: the MCP security best practices
 * require consent before the AS acts on a client's behalf (confused deputy), and a client
 * never seen before always asks.
 */
import { randomToken, sha256Base64url } from '../crypto';
import type { HttpRequest, HttpResponse } from '../http';
import type { LoginSessionRecord, PendingAuthorizationRecord } from '../ports';
import { reportValidationError } from './authorization-outcome';
import { validateAuthorizationRequest, type AuthorizationRequest } from './authorize-request';
import { successRedirectUrl } from './authorization-response';
import { consentCovers } from './consent-records';
import { setCookieHeader } from './cookies';
import { nowSeconds } from '../ports';
import type { AuthorizationServerDeps } from './deps';
import { ENDPOINT_PATHS } from './endpoints';
import { issueAuthorizationCode } from './issue-code';
import { currentLoginSession } from './login-session';
import { consentPage, errorPage, type ConsentPageResource } from './pages';
import { isLoopbackRedirect } from './redirect-uri';
import { redirectResponse } from './responses';
import { findResource } from '../resources';
import { grantedScopeFor } from './group-scope-policy';

export async function handleAuthorize(deps: AuthorizationServerDeps, req: HttpRequest): Promise<HttpResponse> {
  const validation = await validateAuthorizationRequest(deps, req.query);
  if (validation.kind === 'no_redirect') {
    deps.audit.emit({ type: 'request_rejected', endpoint: 'authorize', error: 'invalid_request' });
    return errorPage(deps.config, 400, 'This request cannot be completed', validation.description);
  }
  if (validation.kind === 'error_redirect') return reportValidationError(deps, validation);
  const session = await currentLoginSession(deps, req);

  const request = validation.request;
  if (!session) return await askForConsent(deps, request, undefined);

  const scope = grantedScopeFor(deps.config, request.scope, session.groups);
  if (scope.length === 0) {
    return reportValidationError(deps, { ...request, error: 'invalid_scope', description: 'You are not entitled to any of the requested scopes.' });
  }
  if (await consentCovers(deps, session.subject, request.client.clientId, request.resources, scope)) {
    const code = await issueAuthorizationCode(deps, {
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      redirectUriWasSent: request.redirectUriWasSent,
      codeChallenge: request.codeChallenge,
      resources: request.resources,
      scope,
      subject: session.subject,
      authTime: session.authTime,
    });
    return redirectResponse(successRedirectUrl(deps.config, request.redirectUri, { code, state: request.state }), [], 302);
  }
  return await askForConsent(deps, request, session);
}

/** Stores the request as pending, binds this browser to it with a cookie, and shows the consent page. */
async function askForConsent(deps: AuthorizationServerDeps, request: AuthorizationRequest, session: LoginSessionRecord | undefined): Promise<HttpResponse> {
  const now = nowSeconds(deps);
  const csrfToken = randomToken(deps.random);
  const lifetime = deps.config.tokens.pendingAuthorizationSeconds;
  const pending: PendingAuthorizationRecord = {
    id: randomToken(deps.random),
    clientId: request.client.clientId,
    redirectUri: request.redirectUri,
    redirectUriWasSent: request.redirectUriWasSent,
    state: request.state,
    codeChallenge: request.codeChallenge,
    resources: request.resources,
    requestedScope: request.scope,
    csrfTokenHash: sha256Base64url(csrfToken),
    createdAt: now,
    expiresAt: now + lifetime,
  };
  // The consent page's CSP names the upstream IdP (discovery, cached after the first call).
  const [upstreamAuthorizationEndpoint] = await Promise.all([deps.upstream.authorizationEndpoint(), deps.sessions.putPendingAuthorization(pending)]);

  // A signed-in user is shown exactly what they will get; otherwise what was asked for.
  const shownScope = session ? grantedScopeFor(deps.config, request.scope, session.groups) : request.scope;
  const resources: ConsentPageResource[] = request.resources.map((uri) => {
    const resource = findResource(deps.config, uri)!;
    return {
      name: resource.name,
      uri: resource.uri,
      scopes: resource.scopes.filter((s) => shownScope.includes(s.name)),
    };
  });
  const client = request.client;
  return consentPage(
    deps.config,
    {
      clientName: client.clientName,
      clientId: client.clientId,
      clientSource: client.source,
      redirectUri: request.redirectUri,
      onlyLoopbackRedirects: client.redirectUris.every(isLoopbackRedirect),
      resources,
      formAction: deps.config.issuer + ENDPOINT_PATHS.consent,
      csrfToken,
      account: session && (session.accountName ?? session.subject),
      upstreamAuthorizationEndpoint,
    },
    [setCookieHeader(deps.config, 'pendingAuthorization', pending.id, lifetime)],
  );
}
