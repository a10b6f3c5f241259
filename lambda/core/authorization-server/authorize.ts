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
import type { ConsentRecord, RevocationKey, RevocationRecord } from '../ports';
import { reportValidationError } from './authorization-outcome';
import { validateAuthorizationRequest, type AuthorizationRequest } from './authorize-request';
import { successRedirectUrl } from './authorization-response';
import { consentCovers, consentRevocationKeys, readConsents } from './consent-records';
import { nowSeconds } from '../ports';
import type { AuthorizationServerDeps } from './deps';
import { ENDPOINT_PATHS } from './endpoints';
import { issueAuthorizationCode } from './issue-code';
import { loginSessionCookie, sessionEnded, sessionRevocationKeys, type LoginSession } from './login-session';
import { consentPage, errorPage, type ConsentPageResource } from './pages';
import { pendingAuthorizationCookie, roomForUpstreamLogin, type PendingAuthorization } from './pending-authorization';
import { isLoopbackRedirect } from './redirect-uri';
import { redirectResponse } from './responses';
import { findResource } from '../resources';
import { grantedScopeFor } from './group-scope-policy';

export async function handleAuthorize(deps: AuthorizationServerDeps, req: HttpRequest): Promise<HttpResponse> {
  const sessionCookie = await loginSessionCookie(deps, req);
  // The client read, the revocation lookup and the consent reads do not depend on each other:
  // issued together, from the raw query, before validation says which client and resources it is.
  const [validation, signedIn] = await Promise.all([validateAuthorizationRequest(deps, req.query), sessionCookie && signedInState(deps, sessionCookie, req.query)]);
  if (validation.kind === 'no_redirect') {
    deps.audit.emit({ type: 'request_rejected', endpoint: 'authorize', error: 'invalid_request' });
    return errorPage(deps.config, 400, 'This request cannot be completed', validation.description);
  }
  if (validation.kind === 'error_redirect') return reportValidationError(deps, validation);
  const request = validation.request;
  const session = sessionCookie && signedIn && !sessionEnded(sessionCookie, signedIn.revocations) ? sessionCookie : undefined;
  if (!session || !signedIn) return await askForConsent(deps, request, undefined);

  const scope = grantedScopeFor(deps.config, request.scope, session.groups);
  if (scope.length === 0) {
    return reportValidationError(deps, { ...request, error: 'invalid_scope', description: 'You are not entitled to any of the requested scopes.' });
  }
  const consents = await consentsFor(deps, session, request, signedIn);
  if (consentCovers(deps.config, { resources: request.resources, scope }, consents, signedIn.revocations, nowSeconds(deps))) {
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

interface SignedInState {
  /** The client id the reads were made for (the query's, unvalidated). */
  readonly clientId?: string;
  readonly revocations: readonly RevocationRecord[];
  /** Consent rows by resource URI, for the query's resources that name a configured resource. */
  readonly consents: ReadonlyMap<string, ConsentRecord | undefined>;
}

/**
 * The reads a signed-in browser needs, made from the query as sent: the session's, user's
 * and client's revocations in one lookup, and the consent rows. Only configured resources
 * are read, at most as many as there are, so a crafted query cannot fan out.
 */
async function signedInState(deps: AuthorizationServerDeps, session: LoginSession, query: Readonly<Record<string, readonly string[]>>): Promise<SignedInState> {
  const clientIds = query.client_id ?? [];
  const clientId = clientIds.length === 1 && clientIds[0] !== '' ? clientIds[0] : undefined;
  const asked = [...new Set(query.resource ?? [])];
  const resources = clientId === undefined ? [] : (asked.length ? asked : [deps.config.defaultResource]).filter((uri) => findResource(deps.config, uri)).slice(0, deps.config.resources.length);
  const keys: RevocationKey[] = [...sessionRevocationKeys(session), ...(clientId === undefined ? [] : consentRevocationKeys({ subject: session.subject, clientId }).filter((key) => key.kind !== 'subject'))];
  const [revocations, consents] = await Promise.all([deps.revocations.find(keys), clientId === undefined ? [] : readConsents(deps, session.subject, clientId, resources)]);
  return { clientId, revocations, consents: new Map(resources.map((uri, i) => [uri, consents[i]])) };
}

/** The consent rows of the validated request, from what signedInState read (the same client and resources, unless validation normalised them). */
async function consentsFor(deps: AuthorizationServerDeps, session: LoginSession, request: AuthorizationRequest, signedIn: SignedInState): Promise<(ConsentRecord | undefined)[]> {
  if (signedIn.clientId === request.client.clientId && request.resources.every((uri) => signedIn.consents.has(uri))) {
    return request.resources.map((uri) => signedIn.consents.get(uri));
  }
  return readConsents(deps, session.subject, request.client.clientId, request.resources);
}

/** Hands the request to the browser in its sealed pending-authorization cookie and shows the consent page. */
async function askForConsent(deps: AuthorizationServerDeps, request: AuthorizationRequest, session: LoginSession | undefined): Promise<HttpResponse> {
  const now = nowSeconds(deps);
  const csrfToken = randomToken(deps.random);
  const pending: PendingAuthorization = {
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
    expiresAt: now + deps.config.tokens.pendingAuthorizationSeconds,
  };
  // The consent page's CSP names the upstream IdP (discovery, cached after the first call).
  const [upstreamAuthorizationEndpoint, setCookie, fitsLater] = await Promise.all([
    deps.upstream.authorizationEndpoint(),
    pendingAuthorizationCookie(deps, pending),
    pendingAuthorizationCookie(deps, roomForUpstreamLogin(pending)),
  ]);
  if (setCookie === undefined || fitsLater === undefined) {
    return reportValidationError(deps, { ...request, error: 'invalid_request', description: 'The request is too large (state, redirect_uri or client_id).' });
  }

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
    [setCookie],
  );
}
