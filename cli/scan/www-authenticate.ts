/**
 * WWW-Authenticate as RFC 9110 §11.6.1 writes it: one or more challenges, each a scheme
 * followed by a token68 or by comma-separated auth-params whose values are tokens or
 * quoted strings. Commas separate both challenges and parameters, so a parameter is told
 * from the next challenge by the "=" after its name.
 */

export interface Challenge {
  /** Lower-cased (schemes are case-insensitive). */
  readonly scheme: string;
  /** Parameter names lower-cased; the first of a repeated name wins. */
  readonly params: Readonly<Record<string, string>>;
  readonly token68?: string;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*/;

export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let rest = header;
  const skip = (pattern: RegExp) => {
    const match = pattern.exec(rest);
    if (match) rest = rest.slice(match[0].length);
  };
  skip(/^[\s,]+/);
  while (rest.length > 0) {
    const scheme = TOKEN.exec(rest)?.[0];
    if (!scheme) break;
    rest = rest.slice(scheme.length);
    const params: Record<string, string> = {};
    let token68: string | undefined;
    skip(/^[ \t]+/);
    const candidate68 = TOKEN68.exec(rest)?.[0];
    // A token68 stands alone: "abc==" then a comma or the end, where an auth-param has a value after its "=".
    if (candidate68 && /^\s*(,|$)/.test(rest.slice(candidate68.length))) {
      token68 = candidate68;
      rest = rest.slice(candidate68.length);
    } else {
      for (;;) {
        skip(/^[\s,]+/);
        const name = TOKEN.exec(rest)?.[0];
        if (!name || !/^\s*=/.test(rest.slice(name.length))) break; // the next challenge (or the end)
        rest = rest.slice(name.length);
        skip(/^\s*=\s*/);
        const value = readValue();
        const key = name.toLowerCase();
        if (value !== undefined && !(key in params)) params[key] = value;
      }
    }
    challenges.push({ scheme: scheme.toLowerCase(), params, ...(token68 ? { token68 } : {}) });
    skip(/^[\s,]+/);
  }
  return challenges;

  function readValue(): string | undefined {
    if (rest.startsWith('"')) {
      let value = '';
      let i = 1;
      for (; i < rest.length; i++) {
        const c = rest[i]!;
        if (c === '\\' && i + 1 < rest.length) value += rest[++i];
        else if (c === '"') break;
        else value += c;
      }
      rest = rest.slice(i + 1);
      return value;
    }
    const token = TOKEN.exec(rest)?.[0];
    if (!token) return undefined;
    rest = rest.slice(token.length);
    return token;
  }
}

/** The first Bearer challenge of a header value, if any. */
export function bearerChallenge(header: string | null | undefined): Challenge | undefined {
  if (!header) return undefined;
  return parseWwwAuthenticate(header).find((c) => c.scheme === 'bearer');
}
