/**
 * Client ID metadata documents (the CIMD draft): a client_id that is an https URL names a
 * JSON document describing the client. The URL is checked syntactically before anything
 * is fetched, so a malformed or internal-looking client_id costs no request at all; the
 * fetcher port then applies the network rules (no private targets, no redirects, size and
 * time limits, caching). The document is self-asserted, so it gets the same checks as a
 * registration, plus the ones the draft adds: it must name itself, and it cannot hold a
 * secret.
 */
import type { Config } from '../config';
import { OAuthError } from '../errors';
import type { ClientRecord } from '../ports';
import { validateClientMetadata } from './client-metadata';
import { clientRecordMetadata } from './client-record-metadata';

export const MAX_CLIENT_ID_URL_LENGTH = 2048;

/** Whether a client_id is meant as a metadata document URL (it has a scheme), whatever its validity. */
export function looksLikeClientIdUrl(clientId: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(clientId);
}

/**
 * Why this client_id URL may not be fetched, or undefined when it may.
 * Strict by design: https only, lower-case scheme, a DNS host name (never an IP literal or
 * a numeric host such as 2130706433 or 0x7f.0.0.1), a path, no dot segments (also not
 * percent-encoded), no user information, query or fragment, and already in canonical
 * form so the string we compare with the document's client_id is the string we fetch.
 */
export function clientIdUrlProblem(clientId: string): string | undefined {
  if (clientId.length > MAX_CLIENT_ID_URL_LENGTH) return 'is too long';
  if (!clientId.startsWith('https://')) return 'must be an https URL';
  if (/[\u0000-\u0020\u007f-\u00ff\\]/.test(clientId)) return 'must not contain spaces, control characters or backslashes';
  if (clientId.includes('#')) return 'must not contain a fragment';
  if (clientId.includes('?')) return 'must not contain a query';
  const afterScheme = clientId.slice('https://'.length);
  const slash = afterScheme.indexOf('/');
  const authority = slash < 0 ? afterScheme : afterScheme.slice(0, slash);
  const path = slash < 0 ? '' : afterScheme.slice(slash);
  if (authority.includes('@')) return 'must not contain user information';
  if (path.length <= 1) return 'must have a path';
  if (/%2f|%5c/i.test(path)) return 'must not contain an encoded slash';
  if (path.split('/').some((segment) => ['.', '..'].includes(segment.replace(/%2e/gi, '.')))) return 'must not contain dot segments';
  const hostMatch = /^([a-z0-9.-]+)(?::([0-9]{1,5}))?$/.exec(authority);
  if (!hostMatch) return 'must name a lower-case DNS host';
  const labels = hostMatch[1].split('.');
  if (labels.length < 2 || labels.some((l) => l.length === 0 || l.length > 63 || l.startsWith('-') || l.endsWith('-'))) return 'must name a fully qualified DNS host';
  // A last label made of digits or hex (1, 0x1) is how IPv4 literals in all their forms end.
  if (/^(0x[0-9a-f]*|[0-9]+)$/.test(labels[labels.length - 1])) return 'must not be an IP address';
  const port = hostMatch[2];
  if (port !== undefined && (port.startsWith('0') || Number(port) > 65535 || port === '443')) return 'must not carry a default, zero or invalid port';
  let canonical: string;
  try {
    canonical = new URL(clientId).href;
  } catch {
    return 'must be a valid URL';
  }
  if (canonical !== clientId) return 'must be in canonical form';
  return undefined;
}

/** Turns a fetched document into a client, or throws OAuthError('invalid_client', ...) naming what is wrong with it. */
export function clientFromMetadataDocument(clientIdUrl: string, document: Readonly<Record<string, unknown>>, config: Config, now: number): ClientRecord {
  const reject = (why: string) => new OAuthError('invalid_client', `The client metadata document ${why}.`);
  if (document.client_id !== clientIdUrl) throw reject('does not name this URL as its client_id');
  if (document.client_secret !== undefined || document.client_secret_expires_at !== undefined) throw reject('must not contain a client secret');
  let metadata;
  try {
    metadata = validateClientMetadata(document, config, { defaultAuthMethod: 'none', allowedAuthMethods: ['none'] });
  } catch (error) {
    if (error instanceof OAuthError) throw reject(`is invalid: ${error.description}`);
    throw error;
  }
  return {
    clientId: clientIdUrl,
    tokenEndpointAuthMethod: 'none',
    ...clientRecordMetadata(metadata),
    source: 'metadata_document',
    createdAt: now,
  };
}
