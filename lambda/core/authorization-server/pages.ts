/**
 * The HTML the authorization server shows itself: the consent page and the error page.
 * Every piece of client-supplied text (names, URLs) is escaped; pages cannot be framed
 * (PAGE_SECURITY_HEADERS: frame-ancestors 'none', X-Frame-Options DENY) so a hostile site
 * cannot overlay the Approve button (RFC 9700 section 4.16).
 */
import { DependencyUnavailableError } from '../errors';
import type { HttpResponse } from '../http';
import { escapeHtml, htmlResponse } from './responses';

const STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.4rem}.host{font-family:ui-monospace,monospace;font-weight:700;font-size:1.1rem;background:#f1f1f1;padding:.1rem .3rem}
.warning{border-left:4px solid #b35c00;background:#fff6e5;padding:.5rem .8rem}
ul{padding-left:1.2rem}li{margin:.3rem 0}code{font-family:ui-monospace,monospace}
.actions{display:flex;gap:1rem;margin-top:1.5rem}button{font-size:1rem;padding:.5rem 1.4rem;cursor:pointer}`;

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function errorPage(status: number, title: string, message: string, cookies: string[] = []): HttpResponse {
  return htmlResponse(status, page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p><p>You can close this window and start again from your application.</p>`), { cookies });
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
  /** For a client ID metadata document client: the host that vouches for the client's identity. */
  readonly clientIdUrlHost?: string;
  readonly redirectHost: string;
  /** Every redirect URI of the client is on this machine (loopback): anyone can register one. */
  readonly onlyLoopbackRedirects: boolean;
  readonly resources: readonly ConsentPageResource[];
  readonly formAction: string;
  readonly csrfToken: string;
  /** True when the user still has to sign in after approving. */
  readonly signInFollows: boolean;
}

export function consentPage(model: ConsentPageModel, cookies: string[]): HttpResponse {
  const name = model.clientName ? escapeHtml(model.clientName) : 'An application that did not give its name';
  const identity = model.clientIdUrlHost
    ? `<p>Its identity is published by <span class="host">${escapeHtml(model.clientIdUrlHost)}</span>.</p>`
    : `<p>Client ID: <code>${escapeHtml(model.clientId)}</code></p>`;
  const loopbackWarning = model.onlyLoopbackRedirects
    ? '<p class="warning">This application runs on your own computer. Any program can claim this name: approve only if you just started it yourself.</p>'
    : '';
  const resources = model.resources
    .map((r) => {
      const scopes = r.scopes.map((s) => `<li><code>${escapeHtml(s.name)}</code>: ${escapeHtml(s.description)}</li>`).join('');
      return `<h2>${escapeHtml(r.name)}</h2><p><code>${escapeUrlAttribute(r.uri)}</code></p><ul>${scopes || '<li>No specific permissions.</li>'}</ul>`;
    })
    .join('');
  const signIn = model.signInFollows ? '<p>After you approve, you will be asked to sign in. Your administrator may grant fewer permissions than requested.</p>' : '';
  const body = `<h1>${name} wants to access your account</h1>
${identity}
<p>After you decide, you will be sent to <span class="host">${escapeHtml(model.redirectHost)}</span>.</p>
${loopbackWarning}
<p>It asks for:</p>
${resources}
${signIn}
<form method="post" action="${escapeUrlAttribute(model.formAction)}">
<input type="hidden" name="csrf_token" value="${escapeUrlAttribute(model.csrfToken)}">
<div class="actions"><button type="submit" name="decision" value="approve">Approve</button> <button type="submit" name="decision" value="deny">Deny</button></div>
</form>`;
  return htmlResponse(200, page(`Authorize ${model.clientName ?? 'application'}`, body), { cookies });
}

/** Server-made URLs and tokens (never client input) stay readable in the markup, for scrapers and tests, while still unable to break out of an element or attribute. */
function escapeUrlAttribute(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The browser endpoints' catch-all: no stack or detail reaches the page, the log gets the error. */
export function unexpectedErrorPage(logError: (message: string, error: unknown) => void, error: unknown): HttpResponse {
  if (error instanceof DependencyUnavailableError) {
    logError('dependency unavailable', error);
    return htmlResponse(503, page('Try again shortly', '<h1>Try again shortly</h1><p>The service is busy. Please go back to your application and try again in a moment.</p>'), { headers: { 'Retry-After': '1' } });
  }
  logError('unhandled error', error);
  return errorPage(500, 'Something went wrong', 'The server could not complete the request.');
}
