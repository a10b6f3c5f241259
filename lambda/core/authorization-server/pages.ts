/**
 * The HTML the authorization server shows itself: the consent page, the error page, and the
 * page that hands the browser on when a redirect cannot be named by the page's CSP.
 *
 * Every piece of client-supplied text (names, URLs) is escaped; pages cannot be framed
 * (frame-ancestors 'none', X-Frame-Options DENY) so a hostile site cannot overlay the
 * Approve button (RFC 9700 section 4.16); no page runs script.
 */
import type { Config } from '../config';
import { DependencyUnavailableError } from '../errors';
import type { HttpResponse } from '../http';
import type { ClientRecord } from '../ports';
import { formActionSource } from './content-security-policy';
import { brandingFrom, escapeHtml, renderPage, type Branding } from './page-layout';
import { htmlResponse, redirectResponse } from './responses';

/** The branding of the pages, from the config. */
export function pageBranding(config: Config): Branding {
  return brandingFrom(config.branding);
}

export function errorPage(config: Config, status: number, title: string, message: string, cookies: string[] = []): HttpResponse {
  const main = `<h1>${escapeHtml(title)}</h1>
<p class="lead">${escapeHtml(message)}</p>
<p class="muted">Nothing was shared with the application. Close this window and start again from your application.</p>`;
  return htmlResponse(status, renderPage({ title, main, branding: pageBranding(config) }), { cookies });
}

export interface ConsentPageScope {
  readonly name: string;
  readonly description: string;
}

export interface ConsentPageResource {
  readonly name: string;
  readonly uri: string;
  readonly scopes: readonly ConsentPageScope[];
}

export interface ConsentPageModel {
  readonly clientName?: string;
  readonly clientId: string;
  readonly clientSource: ClientRecord['source'];
  /** The redirect_uri of this request: where the browser goes after the decision. */
  readonly redirectUri: string;
  /** Every redirect URI of the client is on this machine (loopback): anyone can register one. */
  readonly onlyLoopbackRedirects: boolean;
  readonly resources: readonly ConsentPageResource[];
  readonly formAction: string;
  readonly csrfToken: string;
  /** The account the browser is signed in with; absent when the user signs in after approving. */
  readonly account?: string;
  /** The upstream IdP's authorization endpoint: approving without a session, or "not you?", goes there. */
  readonly upstreamAuthorizationEndpoint: string;
}

export function consentPage(config: Config, model: ConsentPageModel, cookies: string[]): HttpResponse {
  const name = model.clientName ? escapeHtml(model.clientName) : 'An application that did not give its name';
  const target = model.resources.length === 1 ? escapeHtml(model.resources[0].name) : 'your MCP servers';
  const main = `<h1>${name} wants to use ${target}</h1>
<p class="lead">Approve only if you started this yourself and trust this application.</p>
<form method="post" action="${escapeHtml(model.formAction)}">
<input type="hidden" name="csrf_token" value="${escapeHtml(model.csrfToken)}">
<h2>Who is asking</h2>
${whoIsAsking(model, name)}
<h2>What it will be able to do</h2>
${model.resources.map(resourceSection).join('\n')}
<h2>Your account</h2>
${accountSection(model.account)}
<div class="actions"><button type="submit" name="decision" value="approve" class="primary">Approve</button><button type="submit" name="decision" value="deny">Deny</button></div>
<p class="muted">Deny sends you back to the application without sharing anything.</p>
</form>`;
  const page = renderPage({ title: `Authorize ${model.clientName ?? 'an application'}`, main, branding: pageBranding(config) });
  // The decision is answered with a redirect to redirect_uri, or to the upstream IdP, whose
  // single sign-on can come straight back through /callback to redirect_uri.
  return htmlResponse(200, page, { cookies, formTargets: [model.redirectUri, model.upstreamAuthorizationEndpoint] });
}

function whoIsAsking(model: ConsentPageModel, name: string): string {
  const facts = [`<dt>Application</dt><dd><strong>${name}</strong></dd>`];
  if (model.clientSource === 'metadata_document') {
    const host = new URL(model.clientId).host;
    facts.push(`<dt>Client ID</dt><dd><span class="uri">${escapeHtml(model.clientId)}</span><span class="verified">Verified by its domain.</span> Its identity is published by <span class="host">${escapeHtml(host)}</span>.</dd>`);
  } else {
    const how = model.clientSource === 'static' ? 'Registered by your administrator.' : 'It registered itself with this server: its name is not verified.';
    facts.push(`<dt>Client ID</dt><dd><code>${escapeHtml(model.clientId)}</code><br><span class="muted">${how}</span></dd>`);
  }
  facts.push(`<dt>You will be sent to</dt><dd>${destination(model.redirectUri)}</dd>`);
  const loopback = model.onlyLoopbackRedirects
    ? '<p class="notice"><strong>This application runs on your own computer.</strong> Any program can claim this name: approve only if you just started it yourself.</p>'
    : '';
  return `<dl class="facts">${facts.join('')}</dl>${loopback}`;
}

/** What the user should recognise: the host for web URIs, the app's scheme for private-use ones; the full URI under it. */
function destination(redirectUri: string): string {
  const uri = `<span class="uri">${escapeHtml(redirectUri)}</span>`;
  const scheme = /^([a-z][a-z0-9+.-]*):/.exec(redirectUri)?.[1];
  if (scheme === 'http' || scheme === 'https') {
    try {
      return `<span class="host">${escapeHtml(new URL(redirectUri).host)}</span>${uri}`;
    } catch {
      return uri;
    }
  }
  return `The app that handles <span class="host">${escapeHtml(scheme ?? redirectUri)}</span> links on this device${uri}`;
}

function resourceSection(resource: ConsentPageResource): string {
  const scopes = resource.scopes.length
    ? resource.scopes.map((s) => `<li>${escapeHtml(s.description)}<code>${escapeHtml(s.name)}</code></li>`).join('')
    : '<li>Use this server, with no specific permissions</li>';
  return `<h3>${escapeHtml(resource.name)}</h3><span class="uri">${escapeHtml(resource.uri)}</span><ul class="scopes">${scopes}</ul>`;
}

function accountSection(account: string | undefined): string {
  if (account === undefined) {
    return '<p>After you approve, you will be asked to sign in. Your administrator may grant fewer permissions than requested.</p>';
  }
  return `<p class="account"><span>Signed in as <strong>${escapeHtml(account)}</strong>.</span><button type="submit" name="decision" value="switch_account" class="link">Not you? Sign in as someone else</button></p>`;
}

/**
 * The answer to a form (the consent decision, and the sign-in that follows it): a 303 to
 * `location` when the page's CSP could name it, otherwise a page with a link there, since
 * Chromium applies form-action to the redirects that answer a submission but not to a link.
 */
export function answerForm(config: Config, location: string, cookies: string[] = []): HttpResponse {
  if (formActionSource(location) !== undefined) return redirectResponse(location, cookies, 303);
  const href = escapeHtml(location);
  const main = `<h1>Return to the application</h1>
<p class="lead">Your answer is ready. Continue to hand it to the application.</p>
<p><a class="button primary" href="${href}">Continue</a></p>`;
  return htmlResponse(200, renderPage({ title: 'Return to the application', main, branding: pageBranding(config), refreshTo: location }), { cookies });
}

/** The browser endpoints' catch-all: no stack or detail reaches the page, the log gets the error. */
export function unexpectedErrorPage(config: Config, logError: (message: string, error: unknown) => void, error: unknown): HttpResponse {
  if (error instanceof DependencyUnavailableError) {
    logError('dependency unavailable', error);
    const main = '<h1>Try again shortly</h1><p class="lead">The service is busy. Please go back to your application and try again in a moment.</p>';
    return htmlResponse(503, renderPage({ title: 'Try again shortly', main, branding: pageBranding(config) }), { headers: { 'Retry-After': '1' } });
  }
  logError('unhandled error', error);
  return errorPage(config, 500, 'Something went wrong', 'The server could not complete the request.');
}
