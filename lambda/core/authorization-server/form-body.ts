/**
 * Strict reading of the form bodies that /token, /revoke and /introspect accept. OAuth
 * requires rejecting a parameter sent twice (RFC 6749 section 3.1): a lenient parser that
 * keeps the first or the last value lets a proxy and the server disagree on what was asked.
 */
import { OAuthError } from '../errors';
import { headerCount, parseForm, singleHeader, type HttpRequest } from '../http';

const FORM_MEDIA_TYPE = 'application/x-www-form-urlencoded';
/** Far above any legitimate token request; API Gateway's own 10 MB limit is no defence for a parser. */
const MAX_BODY_CHARS = 64 * 1024;

export interface FormBody {
  /** The value, or undefined when absent or empty (RFC 6749 section 3.1: empty means omitted). */
  get(name: string): string | undefined;
  /** Every non-empty value of a parameter that may repeat (RFC 8707 `resource`). */
  all(name: string): readonly string[];
}

export function readFormBody(request: HttpRequest, repeatable: readonly string[] = []): FormBody {
  if (headerCount(request, 'content-type') !== 1) throw new OAuthError('invalid_request', `The request body must be ${FORM_MEDIA_TYPE}.`);
  const mediaType = (singleHeader(request, 'content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (mediaType !== FORM_MEDIA_TYPE) throw new OAuthError('invalid_request', `The request body must be ${FORM_MEDIA_TYPE}.`);
  // Credentials and grants in a URL end up in logs and caches (OAuth 2.1 section 3.2.3).
  if (Object.keys(request.query).length > 0) throw new OAuthError('invalid_request', 'Parameters belong in the request body, not the URL.');
  if ((request.body ?? '').length > MAX_BODY_CHARS) throw new OAuthError('invalid_request', 'The request body is too large.');

  const raw = parseForm(request.body);
  for (const [name, values] of Object.entries(raw)) {
    if (values.length > 1 && !repeatable.includes(name)) throw new OAuthError('invalid_request', `The parameter ${name} was sent more than once.`);
  }
  const present = (name: string): string[] => (Object.prototype.hasOwnProperty.call(raw, name) ? raw[name].filter((v) => v.length > 0) : []);
  return {
    get: (name) => present(name)[0],
    all: (name) => present(name),
  };
}
