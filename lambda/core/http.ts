/**
 * The host-neutral request and response that the core speaks. The API Gateway adapter
 * (lambda/adapters/apigw) converts proxy events to and from these; nothing in the core
 * knows which host it runs in.
 *
 * Every multi-valued part stays multi-valued: OAuth must reject a parameter sent twice
 * (RFC 6749 section 3.1), so collapsing to the last value would hide an attack.
 */
export interface HttpRequest {
  /** Upper case: GET, POST, OPTIONS... */
  readonly method: string;
  /** The resource path without the stage prefix, always starting with '/'. */
  readonly path: string;
  /** Query parameters, decoded, in order of appearance. */
  readonly query: Readonly<Record<string, readonly string[]>>;
  /** Header names in lower case; values in order of appearance. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** The body as text (base64 already decoded), or undefined when there is none. */
  readonly body?: string;
  /** The caller's address as API Gateway reports it (requestContext.identity.sourceIp). */
  readonly sourceIp?: string;
}

export interface HttpResponse {
  readonly status: number;
  /** Single-valued headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Headers that repeat, Set-Cookie above all. */
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[]>>;
  readonly body: string;
}

/** The only value of a header, undefined when absent; a repeated header is an error the caller decides on. */
export function singleHeader(request: HttpRequest, name: string): string | undefined {
  const values = request.headers[name.toLowerCase()];
  return values && values.length === 1 ? values[0] : undefined;
}

export function headerCount(request: HttpRequest, name: string): number {
  return request.headers[name.toLowerCase()]?.length ?? 0;
}

/**
 * An empty record for names the sender chose (form fields, query parameters, header and
 * cookie names). It has no prototype, so `__proto__`, `constructor` or `toString` is just
 * another name: on a plain `{}` they resolve to Object.prototype members, and
 * `(record[name] ??= []).push(value)` throws (a 500 for one odd field name).
 */
export function recordOfSentNames<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** Cookies from every Cookie header; the first occurrence of a name wins, as browsers send the most specific first. */
export function parseCookies(request: HttpRequest): Record<string, string> {
  const cookies = recordOfSentNames<string>();
  for (const header of request.headers['cookie'] ?? []) {
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq <= 0) continue;
      const name = part.slice(0, eq).trim();
      if (!(name in cookies)) cookies[name] = part.slice(eq + 1).trim();
    }
  }
  return cookies;
}

/** application/x-www-form-urlencoded into the same multi-valued shape as the query. */
export function parseForm(body: string | undefined): Record<string, string[]> {
  const form = recordOfSentNames<string[]>();
  if (!body) return form;
  for (const [key, value] of new URLSearchParams(body)) {
    (form[key] ??= []).push(value);
  }
  return form;
}
