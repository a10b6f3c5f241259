/**
 * Turns an attacker-chosen URL into a target that is safe to resolve and fetch, or says why
 * not. Only plain https URLs pass: no credentials, no fragment, and no numeric host in an
 * odd form. The WHATWG URL parser quietly rewrites `2130706433`, `0x7f.0.0.1` and
 * `0177.0.0.1` to `127.0.0.1`; a host that it had to rewrite into an IP address is refused
 * outright, and the normalized address is then still checked by the address policy.
 */
import { isIP } from 'node:net';

export interface FetchTarget {
  readonly url: URL;
  /** The host as DNS and TLS see it: lower case, no brackets. */
  readonly hostname: string;
  /** Set when the host is an IP literal: nothing to resolve. */
  readonly ipLiteral?: string;
  readonly port: number;
}

export type FetchTargetResult = { readonly ok: true; readonly target: FetchTarget } | { readonly ok: false; readonly reason: string };

const MAX_URL_LENGTH = 2048;
// Scheme, then an optional userinfo, then the host as written (bracketed IPv6 or up to ':' '/' '?' '#').
const RAW_AUTHORITY = /^https:\/\/(?:[^@/?#\\]*@)?(\[[^\]/?#]*\]|[^:/?#\\]*)/i;

export function parseFetchTarget(raw: string): FetchTargetResult {
  if (raw.length > MAX_URL_LENGTH) return refuse('URL is too long');
  const rawHost = RAW_AUTHORITY.exec(raw)?.[1];
  if (rawHost === undefined || /[\s\\]/.test(raw)) return refuse('not a plain https URL');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not a URL');
  }
  if (url.protocol !== 'https:') return refuse('scheme is not https');
  if (url.username || url.password) return refuse('URL carries credentials');
  if (url.hash || raw.includes('#')) return refuse('URL has a fragment');
  if (!url.hostname) return refuse('URL has no host');

  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const ipLiteral = isIP(hostname) ? hostname : undefined;
  if (ipLiteral && rawHost.toLowerCase() !== url.hostname) return refuse(`numeric host in a non-canonical form (${rawHost} means ${url.hostname})`);
  // A last label that is all digits or hex makes WHATWG treat the whole host as IPv4; anything like it that survived is odd.
  if (!ipLiteral && /(^|\.)(0x[0-9a-f]*|\d+)\.?$/i.test(hostname)) return refuse('host looks numeric but is not an IP address');

  const port = url.port ? Number(url.port) : 443;
  return { ok: true, target: { url, hostname, ipLiteral, port } };
}

function refuse(reason: string): FetchTargetResult {
  return { ok: false, reason };
}
