/**
 * A small headless browser for end-to-end tests: real HTTP, redirects followed by hand,
 * a cookie jar with the rules that decide whether a login flow works in a real browser
 * (path, expiry, Secure, __Host-/__Secure- prefixes, SameSite), an HTML form parser, and
 * a driver that clicks through consent and login like a user would.
 *
 * It is deliberately strict where real browsers are strict: a `__Host-` cookie with a
 * Path other than / is dropped, exactly as Chrome and Firefox drop it, so a product bug
 * that would break real users also breaks the e2e test. It never leaves loopback.
 */

// ---------------------------------------------------------------------------------------
// Cookies

export type SameSite = 'strict' | 'lax' | 'none';

export interface StoredCookie {
  readonly name: string;
  readonly value: string;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  /** Absent for the session's own cookies (no Max-Age or Expires). */
  readonly expiresAtMs?: number;
  /** Absent when the server set no SameSite attribute: browsers then treat it as Lax. */
  readonly sameSite?: SameSite;
}

/** How a request relates to the page that caused it; decides which SameSite cookies go along. */
export interface CookieRequestContext {
  /** False for a cross-site request (the user typed the URL, or a redirect chain crossed sites). */
  readonly sameSite: boolean;
  /** Top-level navigations with a safe method get Lax cookies even when cross-site. */
  readonly topLevelSafeNavigation: boolean;
}

const SAME_SITE_NAVIGATION: CookieRequestContext = { sameSite: true, topLevelSafeNavigation: true };

/** Cookies keyed by host:port. Real browsers ignore ports; tests run every service on localhost, so one jar per port keeps them apart. */
export class CookieJar {
  private readonly byHost = new Map<string, Map<string, StoredCookie>>();

  constructor(private readonly nowMs: () => number = () => Date.now()) {}

  /** Stores what the response at `url` set. Cookies a browser would reject are ignored, as a browser would. */
  store(url: string | URL, setCookieHeaders: readonly string[]): void {
    const target = new URL(url);
    for (const header of setCookieHeaders) {
      const parsed = parseSetCookie(header, target, this.nowMs());
      if (!parsed) continue;
      const cookies = this.cookiesOf(target.host);
      const key = `${parsed.name};${parsed.path}`;
      if (parsed.expiresAtMs !== undefined && parsed.expiresAtMs <= this.nowMs()) cookies.delete(key);
      else cookies.set(key, parsed);
    }
  }

  /** The Cookie header a browser would send to `url`, or undefined when it would send none. */
  header(url: string | URL, context: CookieRequestContext = SAME_SITE_NAVIGATION): string | undefined {
    const pairs = this.matching(url, context).map((c) => `${c.name}=${c.value}`);
    return pairs.length ? pairs.join('; ') : undefined;
  }

  /** The cookies that would go to `url`, longest path first (the order browsers use). */
  matching(url: string | URL, context: CookieRequestContext = SAME_SITE_NAVIGATION): StoredCookie[] {
    const target = new URL(url);
    const now = this.nowMs();
    const secureContext = isPotentiallyTrustworthy(target);
    return [...this.cookiesOf(target.host).values()]
      .filter((c) => c.expiresAtMs === undefined || c.expiresAtMs > now)
      .filter((c) => pathMatches(target.pathname, c.path))
      .filter((c) => !c.secure || secureContext)
      .filter((c) => sameSiteAllows(c.sameSite ?? 'lax', context))
      .sort((a, b) => b.path.length - a.path.length);
  }

  /** Every live cookie stored for a host:port, for assertions on attributes. */
  all(hostWithPort: string): StoredCookie[] {
    const now = this.nowMs();
    return [...this.cookiesOf(hostWithPort).values()].filter((c) => c.expiresAtMs === undefined || c.expiresAtMs > now);
  }

  private cookiesOf(host: string): Map<string, StoredCookie> {
    let cookies = this.byHost.get(host);
    if (!cookies) this.byHost.set(host, (cookies = new Map()));
    return cookies;
  }
}

function sameSiteAllows(sameSite: SameSite, context: CookieRequestContext): boolean {
  if (context.sameSite || sameSite === 'none') return true;
  return sameSite === 'lax' && context.topLevelSafeNavigation;
}

/** Parses one Set-Cookie header (RFC 6265 section 5.2) for a response from `url`; undefined when a browser would reject it. */
export function parseSetCookie(header: string, url: URL, nowMs: number): StoredCookie | undefined {
  const [pair, ...attributeParts] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  if (!name) return undefined;

  let path: string | undefined;
  let domain: string | undefined;
  let secure = false;
  let httpOnly = false;
  let maxAgeSeconds: number | undefined;
  let expiresAtMs: number | undefined;
  let sameSite: SameSite | undefined;
  for (const part of attributeParts) {
    const at = part.indexOf('=');
    const key = (at < 0 ? part : part.slice(0, at)).trim().toLowerCase();
    const attr = at < 0 ? '' : part.slice(at + 1).trim();
    if (key === 'path') path = attr.startsWith('/') ? attr : undefined;
    else if (key === 'domain') domain = attr || undefined;
    else if (key === 'secure') secure = true;
    else if (key === 'httponly') httpOnly = true;
    else if (key === 'max-age' && /^-?\d+$/.test(attr)) maxAgeSeconds = Number(attr);
    else if (key === 'expires') {
      const parsed = Date.parse(attr);
      if (!Number.isNaN(parsed)) expiresAtMs = parsed;
    } else if (key === 'samesite') {
      const v = attr.toLowerCase();
      sameSite = v === 'strict' || v === 'lax' || v === 'none' ? v : undefined;
    }
  }
  // Max-Age wins over Expires (RFC 6265 section 5.3 step 3).
  if (maxAgeSeconds !== undefined) expiresAtMs = maxAgeSeconds <= 0 ? 0 : nowMs + maxAgeSeconds * 1000;

  const secureOrigin = isPotentiallyTrustworthy(url);
  if (secure && !secureOrigin) return undefined; // RFC 6265bis 5.6 step 14: only secure origins set Secure cookies
  if (sameSite === 'none' && !secure) return undefined; // browsers reject SameSite=None without Secure
  if (domain !== undefined && !domainMatches(url.hostname, domain)) return undefined;
  if (name.startsWith('__Secure-') && !secure) return undefined;
  if (name.startsWith('__Host-') && (!secure || domain !== undefined || path !== '/')) return undefined;

  return { name, value, path: path ?? defaultPath(url.pathname), secure, httpOnly, expiresAtMs, sameSite };
}

/** RFC 6265 section 5.1.4. */
function defaultPath(requestPath: string): string {
  if (!requestPath.startsWith('/')) return '/';
  const lastSlash = requestPath.lastIndexOf('/');
  return lastSlash <= 0 ? '/' : requestPath.slice(0, lastSlash);
}

/** RFC 6265 section 5.1.4: a path matches when equal, or a prefix ending at a slash. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath.charAt(cookiePath.length) === '/';
}

function domainMatches(host: string, domain: string): boolean {
  const d = domain.replace(/^\./, '').toLowerCase();
  const h = host.toLowerCase();
  return h === d || h.endsWith(`.${d}`);
}

/** https, and http to loopback: browsers treat http://localhost as a secure context. */
function isPotentiallyTrustworthy(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h) || h === '[::1]' || h === '::1';
}

/** Schemeful same-site: the scheme and the host (ports do not count) must match. Hosts here are loopback names, so the host stands in for the registrable domain. */
function isSameSite(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.hostname.toLowerCase() === b.hostname.toLowerCase();
}

// ---------------------------------------------------------------------------------------
// HTML forms

export interface FormControl {
  readonly tag: 'input' | 'button' | 'textarea' | 'select';
  readonly type: string;
  readonly name?: string;
  readonly value: string;
}

export interface HtmlForm {
  /** Resolved against the page URL; the page itself when the form has no action. */
  readonly action: string;
  readonly method: 'GET' | 'POST';
  readonly controls: readonly FormControl[];
  /** Submit buttons (button without type, type=submit, input type=submit or image). */
  readonly submitButtons: readonly FormControl[];
}

/** Finds the forms on a page. Regex-level, but tolerant of attribute order, quoting style and entities. */
export function parseForms(html: string, pageUrl: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  const formPattern = /<form\b([^>]*)>([\s\S]*?)<\/form\s*>/gi;
  for (const match of html.matchAll(formPattern)) {
    const attrs = parseAttributes(match[1]);
    const action = new URL(attrs.action === undefined || attrs.action === '' ? pageUrl : attrs.action, pageUrl).href;
    const method = (attrs.method ?? 'get').toUpperCase() === 'POST' ? 'POST' : 'GET';
    const controls = parseControls(match[2]);
    const submitButtons = controls.filter((c) => (c.tag === 'button' && c.type === 'submit') || (c.tag === 'input' && (c.type === 'submit' || c.type === 'image')));
    forms.push({ action, method, controls, submitButtons });
  }
  return forms;
}

function parseControls(body: string): FormControl[] {
  const controls: FormControl[] = [];
  const controlPattern = /<(input|button|textarea|select)\b([^>]*)>(?:([\s\S]*?)<\/\1\s*>)?/gi;
  for (const match of body.matchAll(controlPattern)) {
    const tag = match[1].toLowerCase() as FormControl['tag'];
    const attrs = parseAttributes(match[2]);
    if ('disabled' in attrs) continue;
    const inner = match[3] ?? '';
    if (tag === 'input') {
      const type = (attrs.type ?? 'text').toLowerCase();
      if ((type === 'checkbox' || type === 'radio') && !('checked' in attrs)) continue;
      const value = attrs.value ?? (type === 'checkbox' || type === 'radio' ? 'on' : '');
      controls.push({ tag, type, name: attrs.name, value });
    } else if (tag === 'button') {
      controls.push({ tag, type: (attrs.type ?? 'submit').toLowerCase(), name: attrs.name, value: attrs.value ?? '' });
    } else if (tag === 'textarea') {
      controls.push({ tag, type: 'textarea', name: attrs.name, value: decodeEntities(inner) });
    } else {
      const options = [...inner.matchAll(/<option\b([^>]*)>([^<]*)/gi)].map((o) => ({ attrs: parseAttributes(o[1]), text: decodeEntities(o[2]).trim() }));
      const chosen = options.find((o) => 'selected' in o.attrs) ?? options[0];
      controls.push({ tag, type: 'select', name: attrs.name, value: chosen ? chosen.attrs.value ?? chosen.text : '' });
    }
  }
  return controls;
}

/** Attribute names lower-cased; values unquoted and entity-decoded; bare attributes map to ''. */
export function parseAttributes(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  const pattern = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const match of source.matchAll(pattern)) {
    const name = match[1].toLowerCase();
    if (name in attrs) continue; // HTML keeps the first of duplicate attributes
    attrs[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return attrs;
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#') {
      const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED_ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/** The fields a browser submits for `form` when `button` is clicked (or none: implicit submission). */
export function formFields(form: HtmlForm, fill: Record<string, string> = {}, button?: FormControl): URLSearchParams {
  const fields = new URLSearchParams();
  const filled = new Set<string>();
  for (const control of form.controls) {
    if (!control.name) continue;
    if (control.tag === 'button' || (control.tag === 'input' && ['submit', 'image', 'reset', 'button'].includes(control.type))) {
      if (control === button) fields.append(control.name, control.value);
      continue;
    }
    if (control.name in fill && !filled.has(control.name)) {
      fields.append(control.name, fill[control.name]);
      filled.add(control.name);
    } else {
      fields.append(control.name, control.value);
    }
  }
  return fields;
}

// ---------------------------------------------------------------------------------------
// The browser

export interface BrowserResponse {
  readonly url: string;
  readonly method: string;
  readonly status: number;
  readonly headers: Headers;
  /** Absolute, resolved against the request URL. */
  readonly location?: string;
  readonly body: string;
}

export interface NavigationRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly body?: URLSearchParams;
  /** Origin of the page that caused this request; undefined when the user typed the URL. */
  readonly initiator?: string;
  /** A redirect chain that crossed sites stays cross-site for cookies and Sec-Fetch-Site. */
  readonly crossSiteChain?: boolean;
}

export class Browser {
  readonly cookies: CookieJar;

  constructor(cookies: CookieJar = new CookieJar()) {
    this.cookies = cookies;
  }

  /** One request, no redirect following. Refuses anything but loopback. */
  async send(request: NavigationRequest): Promise<BrowserResponse> {
    const url = new URL(request.url);
    assertLoopback(url);
    const method = request.method ?? 'GET';
    const initiator = request.initiator ? new URL(request.initiator) : undefined;
    // A typed URL counts as same-site for cookies (browsers send Strict cookies on address-bar navigations).
    const sameSite = !request.crossSiteChain && (initiator === undefined || isSameSite(initiator, url));
    const headers: Record<string, string> = {
      accept: 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8',
      'user-agent': 'mcp-oauth-e2e-browser',
      'sec-fetch-mode': 'navigate',
      'sec-fetch-dest': 'document',
      'sec-fetch-site': request.crossSiteChain ? 'cross-site' : !initiator ? 'none' : initiator.origin === url.origin ? 'same-origin' : sameSite ? 'same-site' : 'cross-site',
    };
    const cookie = this.cookies.header(url, { sameSite, topLevelSafeNavigation: method === 'GET' });
    if (cookie) headers.cookie = cookie;
    if (method === 'POST') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers.origin = initiator ? initiator.origin : 'null';
    }
    const response = await fetch(url, { method, headers, body: method === 'POST' ? (request.body ?? new URLSearchParams()).toString() : undefined, redirect: 'manual' });
    this.cookies.store(url, response.headers.getSetCookie());
    const rawLocation = response.headers.get('location');
    const body = await response.text();
    return {
      url: url.href,
      method,
      status: response.status,
      headers: response.headers,
      location: rawLocation === null ? undefined : new URL(rawLocation, url).href,
      body,
    };
  }
}

export function assertLoopback(url: URL): void {
  if (!isLoopbackHost(url.hostname)) throw new Error(`the test browser refuses to leave loopback: ${url.protocol}//${url.host}`);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`the test browser only speaks http(s), not ${url.protocol}`);
}

// ---------------------------------------------------------------------------------------
// The driver: a user who logs in and approves (or denies)

export interface AuthorizeInBrowserOptions {
  readonly username: string;
  readonly password: string;
  readonly decision?: 'approve' | 'deny';
  /** Stop when a redirect points here. Default: the redirect_uri of the authorization URL (same origin and path). */
  readonly stopAt?: (url: string) => boolean;
  /** Reuse a browser (its cookies) across flows, e.g. to test remembered consent. */
  readonly browser?: Browser;
  readonly maxSteps?: number;
}

export interface AuthorizeInBrowserResult {
  /** The URL the AS redirected to: the client's redirect_uri with code (or error), state and iss. */
  readonly redirectUrl: string;
  readonly params: URLSearchParams;
  /** Every response seen, in order. */
  readonly pages: readonly BrowserResponse[];
  readonly browser: Browser;
}

const APPROVE_VALUES = ['approve', 'allow', 'accept', 'yes'];
const DENY_VALUES = ['deny', 'reject', 'cancel', 'no', 'abort'];

export async function authorizeInBrowser(authorizationUrl: string, options: AuthorizeInBrowserOptions): Promise<AuthorizeInBrowserResult> {
  const browser = options.browser ?? new Browser();
  const stopAt = options.stopAt ?? redirectUriMatcher(authorizationUrl);
  const decision = options.decision ?? 'approve';
  const pages: BrowserResponse[] = [];
  const trail = () => pages.map((p) => `  ${p.method} ${p.url} -> ${p.status}${p.location ? ` ${p.location}` : ''}`).join('\n');

  let next: NavigationRequest | undefined = { url: authorizationUrl };
  for (let step = 0; next && step < (options.maxSteps ?? 30); step++) {
    const response = await browser.send(next);
    pages.push(response);
    if (response.status >= 300 && response.status < 400 && response.location) {
      if (stopAt(response.location)) {
        return { redirectUrl: response.location, params: new URL(response.location).searchParams, pages, browser };
      }
      assertLoopback(new URL(response.location));
      // 303 always turns into GET; so do 301/302 after a POST (what browsers do); 307/308 keep the method and body.
      const keepMethod = response.status === 307 || response.status === 308;
      const from = new URL(response.url);
      const to = new URL(response.location);
      const initiatorSite: URL | undefined = next.initiator ? new URL(next.initiator) : undefined;
      next = {
        url: response.location,
        method: keepMethod ? next.method : 'GET',
        body: keepMethod ? next.body : undefined,
        initiator: next.initiator,
        crossSiteChain: Boolean(next.crossSiteChain || (initiatorSite && !isSameSite(initiatorSite, to)) || !isSameSite(from, to)),
      };
      continue;
    }
    if (response.status !== 200) {
      throw new Error(`authorization flow stopped at ${response.method} ${response.url} with HTTP ${response.status}:\n${snippet(response.body)}\ntrail:\n${trail()}`);
    }
    next = chooseSubmission(response, options.username, options.password, decision);
    if (!next) throw new Error(`authorization flow reached a page with nothing to submit: ${response.url}\n${snippet(response.body)}\ntrail:\n${trail()}`);
  }
  throw new Error(`authorization flow did not reach the redirect_uri within ${options.maxSteps ?? 30} steps:\n${trail()}`);
}

/** What a user would do on this page: log in, decide on consent, or press the only button there is. */
function chooseSubmission(page: BrowserResponse, username: string, password: string, decision: 'approve' | 'deny'): NavigationRequest | undefined {
  const forms = parseForms(page.body, page.url);
  const initiator = new URL(page.url).origin;
  const submit = (form: HtmlForm, fields: URLSearchParams): NavigationRequest => {
    assertLoopback(new URL(form.action));
    if (form.method === 'GET') {
      const url = new URL(form.action);
      url.search = fields.toString();
      return { url: url.href, method: 'GET', initiator };
    }
    return { url: form.action, method: 'POST', body: fields, initiator };
  };

  const login = forms.find((f) => hasField(f, 'username') && hasField(f, 'password'));
  if (login) return submit(login, formFields(login, { username, password }, login.submitButtons[0]));

  const consent = forms.find((f) => f.submitButtons.some((b) => b.name === 'decision'));
  if (consent) {
    const wanted = decision === 'approve' ? APPROVE_VALUES : DENY_VALUES;
    const button = consent.submitButtons.find((b) => b.name === 'decision' && wanted.includes(b.value.toLowerCase()));
    if (!button) throw new Error(`the consent form at ${page.url} has no "${decision}" button (decision values: ${consent.submitButtons.map((b) => b.value).join(', ')})`);
    return submit(consent, formFields(consent, {}, button));
  }

  // Interstitials such as oidc-provider's own consent confirmation or a form_post page.
  const other = forms[0];
  if (other) {
    const button = other.submitButtons.find((b) => !DENY_VALUES.includes(b.value.toLowerCase()) && !DENY_VALUES.includes((b.name ?? '').toLowerCase())) ?? other.submitButtons[0];
    return submit(other, formFields(other, {}, button));
  }
  return undefined;
}

function hasField(form: HtmlForm, name: string): boolean {
  return form.controls.some((c) => c.name === name && c.tag === 'input');
}

function redirectUriMatcher(authorizationUrl: string): (url: string) => boolean {
  const redirectUri = new URL(authorizationUrl).searchParams.get('redirect_uri');
  if (!redirectUri) throw new Error('authorizeInBrowser needs stopAt when the authorization URL has no redirect_uri');
  const expected = new URL(redirectUri);
  return (url) => {
    const candidate = new URL(url);
    return candidate.origin === expected.origin && candidate.pathname === expected.pathname;
  };
}

function snippet(body: string): string {
  const text = body.replace(/<script[\s\S]*?<\/script>/gi, '').replace(/<style[\s\S]*?<\/style>/gi, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}
