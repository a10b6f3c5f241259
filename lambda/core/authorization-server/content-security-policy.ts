/**
 * The Content-Security-Policy of the pages the authorization server shows (CSP Level 3).
 *
 * Chromium applies `form-action` to every redirect that answers a form submission, not only
 * to the form's own action. The consent form is answered with a 303 to the client's
 * redirect_uri (a private-use scheme such as `com.example.app:/callback` included), or to the
 * upstream IdP, whose single sign-on may send the browser straight back through /callback to
 * that same redirect_uri. So the consent page names exactly those targets, and a page
 * without a form allows none. A blanket `http: https:` would both block private-use schemes
 * and let an injected form post anywhere on the web.
 *
 * Redirects are matched on scheme, host and port only (CSP Level 3 hides a redirect's path
 * from the policy), so a source is an origin, or the scheme alone for a private-use scheme.
 * CSP cannot name every host a URL can hold: an IPv6 literal (`http://[::1]:5000`) is not
 * in the source grammar and browsers drop it. `formActionSource` returns undefined for such
 * a target, and the form is then answered with a page whose link leads there instead
 * (pages.ts `answerForm`).
 */
import { sha256 } from '../crypto';

/** The schemes a navigation target may never use, whatever registration said. */
const NEVER = new Set(['javascript', 'data', 'vbscript', 'blob', 'filesystem', 'file', 'about']);
const SCHEME = /^([a-z][a-z0-9+.-]*):/;
/** CSP host-part: labels of letters, digits and hyphens (IPv4 addresses fit it too). */
const HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)*$/;

/** Whether a CSP source expression can name this host (an IPv6 literal, for one, cannot). */
export function isCspHost(hostname: string): boolean {
  return HOST.test(hostname);
}

/** The CSP source that lets a form's answer navigate to `uri`, or undefined when CSP cannot name it. */
export function formActionSource(uri: string): string | undefined {
  const scheme = SCHEME.exec(uri)?.[1];
  if (!scheme || NEVER.has(scheme)) return undefined;
  if (scheme !== 'http' && scheme !== 'https') return `${scheme}:`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (!isCspHost(url.hostname)) return undefined;
  return `${scheme}://${url.hostname}${url.port ? `:${url.port}` : ''}`;
}

export interface PagePolicy {
  /** Where the page's forms, and the redirects that answer them, may go (besides this origin). Absent: the page has no form. */
  readonly formTargets?: readonly string[];
  /** The page's one stylesheet, allowed by its hash rather than by 'unsafe-inline'. */
  readonly stylesheet: string;
  /** Sources of images (the branding logo), if any. */
  readonly imageSources?: readonly string[];
}

export function contentSecurityPolicy(policy: PagePolicy): string {
  const directives = ["default-src 'none'", `style-src ${styleSource(policy.stylesheet)}`];
  if (policy.imageSources?.length) directives.push(`img-src ${unique(policy.imageSources).join(' ')}`);
  if (policy.formTargets === undefined) {
    directives.push("form-action 'none'");
  } else {
    const sources = policy.formTargets.map(formActionSource).filter((s): s is string => s !== undefined);
    directives.push(`form-action ${unique(["'self'", ...sources]).join(' ')}`);
  }
  directives.push("frame-ancestors 'none'", "base-uri 'none'");
  return directives.join('; ');
}

/** The CSP source that allows exactly this stylesheet (CSP Level 3 hash-source). */
export function styleSource(stylesheet: string): string {
  return `'sha256-${Buffer.from(sha256(stylesheet)).toString('base64')}'`;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
