/**
 * Redirect URIs: which ones a client may register, and whether the redirect_uri of an
 * authorization request is one of them.
 *
 * Matching is exact string comparison (OAuth 2.1 section 2.3.1, RFC 9700 section 4.1.3):
 * no normalisation, so `/cb/`, `HTTPS://`, an upper-case host, a dot segment or an
 * explicit default port are all different URIs. The one exception is RFC 8252 section 7.3:
 * for a loopback redirect the port may differ, because native apps bind an ephemeral port.
 */
import { hasInvisibleCharacters } from './visible-text';

export const MAX_REDIRECT_URI_LENGTH = 2000;

const LOOPBACK_HOSTS = ['127.0.0.1', '[::1]', 'localhost'];

/** Query parameters the authorization response sets; a registered URI that carries one would produce a response with two. */
const RESPONSE_PARAMETERS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri'];

const SCHEMES_NEVER_ALLOWED = ['javascript', 'data', 'file', 'vbscript', 'blob', 'about', 'filesystem'];

/**
 * Splits an http loopback URI into parts without normalising any of them. The regex, not
 * the WHATWG URL parser, decides: the parser would resolve `..` and lower-case the host,
 * which is exactly the normalisation exact matching must not do.
 */
interface LoopbackParts {
  readonly host: string;
  readonly port?: string;
  readonly path: string;
  readonly query: string;
}

const LOOPBACK_PATTERN = /^http:\/\/(127\.0\.0\.1|\[::1\]|localhost)(?::([0-9]{1,5}))?(\/[^?#]*)?(\?[^#]*)?$/;

export function parseLoopbackRedirect(uri: string): LoopbackParts | undefined {
  const match = LOOPBACK_PATTERN.exec(uri);
  if (!match) return undefined;
  const port = match[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535 || port.startsWith('0'))) return undefined;
  return { host: match[1], port, path: match[3] ?? '', query: match[4] ?? '' };
}

export function isLoopbackRedirect(uri: string): boolean {
  return parseLoopbackRedirect(uri) !== undefined;
}

/** Whether `requested` may be used as the redirect of a client that registered `registered`. */
export function redirectUriMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  const want = parseLoopbackRedirect(registered);
  const got = parseLoopbackRedirect(requested);
  if (!want || !got) return false;
  return want.host === got.host && want.path === got.path && want.query === got.query;
}

/**
 * Picks the redirect URI of an authorization request: the one sent, if it matches a
 * registered one; or the only registered one when none was sent (OAuth 2.1 section 2.3.2).
 * Undefined means the request must not redirect anywhere.
 */
export function selectRedirectUri(registered: readonly string[], sent: string | undefined): string | undefined {
  if (sent === undefined) return registered.length === 1 ? registered[0] : undefined;
  return registered.some((r) => redirectUriMatches(r, sent)) ? sent : undefined;
}

export type RedirectUriProblem = string;

/**
 * Checks a redirect URI a client wants to register (RFC 7591, CIMD documents). Returns
 * undefined when acceptable, or why not. Allowed: https; http on a loopback host (RFC 8252
 * section 7.3); a private-use scheme in reverse-domain form (RFC 8252 section 7.1).
 */
export function redirectUriRegistrationProblem(uri: unknown): RedirectUriProblem | undefined {
  if (typeof uri !== 'string' || uri.length === 0) return 'must be a non-empty string';
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return `must be at most ${MAX_REDIRECT_URI_LENGTH} characters`;
  // Browsers strip leading spaces and tabs inside schemes (" javascript:", "java\tscript:"), so
  // any whitespace or control character is refused before the scheme is even looked at.
  if (/[\u0000-\u0020\u007f-\u009f\\]/.test(uri)) return 'must not contain spaces, control characters or backslashes';
  // The consent page shows the redirect URI: a bidi or zero-width character could make it read as another.
  if (hasInvisibleCharacters(uri)) return 'must not contain format or other invisible characters';
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  if (!schemeMatch) return 'must be an absolute URI';
  const scheme = schemeMatch[1].toLowerCase();
  if (SCHEMES_NEVER_ALLOWED.includes(scheme)) return `must not use the ${scheme}: scheme`;
  if (uri.includes('#')) return 'must not contain a fragment';
  if (uri.includes('*')) return 'must not contain a wildcard';
  if (schemeMatch[1] !== scheme) return 'must have a lower-case scheme';

  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return 'must be a valid URI';
  }
  if (hasDotSegment(uri)) return 'must not contain dot segments';
  for (const name of parsed.searchParams.keys()) {
    if (RESPONSE_PARAMETERS.includes(name)) return `must not carry the authorization response parameter "${name}"`;
  }

  if (scheme === 'https') {
    if (authorityOf(uri).includes('@')) return 'must not contain user information';
    if (!parsed.hostname) return 'must name a host';
    return undefined;
  }
  if (scheme === 'http') {
    if (authorityOf(uri).includes('@')) return 'must not contain user information';
    if (!LOOPBACK_HOSTS.includes(parsed.hostname) || !isLoopbackRedirect(uri)) return 'must use https, unless it is a loopback address (127.0.0.1, [::1] or localhost)';
    return undefined;
  }
  // A private-use scheme must be a reverse domain name the app controls (com.example.app),
  // so that one app cannot claim a short generic scheme such as "myapp" and catch another's codes.
  if (!scheme.includes('.')) return 'must use https, a loopback http address, or a private-use scheme in reverse-domain form (e.g. com.example.app:/callback)';
  if (uri.slice(scheme.length + 1).startsWith('//') && authorityOf(uri).includes('@')) return 'must not contain user information';
  return undefined;
}

/** The authority of a hierarchical URI as written (between "//" and the next "/", "?" or "#"). */
function authorityOf(uri: string): string {
  const start = uri.indexOf('//');
  if (start < 0) return '';
  const rest = uri.slice(start + 2);
  const end = rest.search(/[/?#]/);
  return end < 0 ? rest : rest.slice(0, end);
}

/** "." or ".." as a path segment, literally or percent-encoded (%2e), or an encoded slash that could create one. */
export function hasDotSegment(uri: string): boolean {
  const withoutQuery = uri.split(/[?#]/, 1)[0];
  const afterScheme = withoutQuery.replace(/^[A-Za-z][A-Za-z0-9+.-]*:/, '');
  const path = afterScheme.startsWith('//') ? afterScheme.slice(2 + authorityOf(withoutQuery).length) : afterScheme;
  if (/%2f|%5c/i.test(path)) return true;
  return path.split('/').some((segment) => {
    const decoded = segment.replace(/%2e/gi, '.');
    return decoded === '.' || decoded === '..';
  });
}
