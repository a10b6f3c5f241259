/**
 * Validation of self-asserted client metadata (RFC 7591 section 2), shared by dynamic
 * registration and client ID metadata documents. Everything here comes from whoever is
 * calling: it is checked field by field and only known, normalised fields come out
 * (RFC 9700 section 2.6 / 4.15.1). A client-chosen client_id is never read here.
 */
import type { Config } from '../config';
import { OAuthError } from '../errors';
import type { TokenEndpointAuthMethod } from '../ports';
import { redirectUriRegistrationProblem } from './redirect-uri';
import { allScopeNames } from '../resources';
import { parseScopeString } from '../scopes';
import { hasInvisibleCharacters } from './visible-text';

export const MAX_REDIRECT_URIS = 10;
export const MAX_CLIENT_NAME_LENGTH = 200;
const MAX_URL_LENGTH = 2000;

const GRANT_TYPES = ['authorization_code', 'refresh_token'];
const RESPONSE_TYPES = ['code'];
const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ['none', 'client_secret_basic', 'client_secret_post'];

export interface ClientMetadata {
  readonly redirectUris: readonly string[];
  readonly grantTypes: readonly string[];
  readonly responseTypes: readonly string[];
  readonly tokenEndpointAuthMethod: TokenEndpointAuthMethod;
  readonly clientName?: string;
  readonly clientUri?: string;
  readonly logoUri?: string;
  readonly policyUri?: string;
  readonly tosUri?: string;
  readonly scope?: string;
  readonly applicationType?: 'web' | 'native';
}

export interface ClientMetadataOptions {
  /** RFC 7591 defaults to client_secret_basic; a metadata document can only describe a public client. */
  readonly defaultAuthMethod: TokenEndpointAuthMethod;
  readonly allowedAuthMethods: readonly TokenEndpointAuthMethod[];
}

const invalid = (description: string) => new OAuthError('invalid_client_metadata', description);

export function validateClientMetadata(input: Readonly<Record<string, unknown>>, config: Config, options: ClientMetadataOptions): ClientMetadata {
  const redirectUris = validateRedirectUris(input.redirect_uris);

  const grantTypes = stringList(input.grant_types, 'grant_types', GRANT_TYPES) ?? GRANT_TYPES;
  if (!grantTypes.includes('authorization_code')) throw invalid('grant_types must include authorization_code.');
  const responseTypes = stringList(input.response_types, 'response_types', RESPONSE_TYPES) ?? RESPONSE_TYPES;

  const method = input.token_endpoint_auth_method ?? options.defaultAuthMethod;
  if (typeof method !== 'string' || !AUTH_METHODS.includes(method as TokenEndpointAuthMethod)) {
    throw invalid(`token_endpoint_auth_method must be one of: ${AUTH_METHODS.join(', ')}.`);
  }
  if (!options.allowedAuthMethods.includes(method as TokenEndpointAuthMethod)) {
    throw invalid(`token_endpoint_auth_method ${method} is not allowed here (allowed: ${options.allowedAuthMethods.join(', ')}).`);
  }

  const clientName = optionalString(input.client_name, 'client_name', MAX_CLIENT_NAME_LENGTH);
  const scope = optionalString(input.scope, 'scope', 2000);
  if (scope !== undefined) {
    const known = new Set(allScopeNames(config));
    const unknown = parseScopeString(scope).filter((s) => !known.has(s));
    if (unknown.length) throw invalid('scope names a scope this server does not offer.');
  }
  const applicationType = input.application_type;
  if (applicationType !== undefined && applicationType !== 'web' && applicationType !== 'native') {
    throw invalid('application_type must be web or native.');
  }

  return {
    redirectUris,
    grantTypes: [...new Set(grantTypes)],
    responseTypes: [...new Set(responseTypes)],
    tokenEndpointAuthMethod: method as TokenEndpointAuthMethod,
    clientName,
    clientUri: httpsUrl(input.client_uri, 'client_uri'),
    logoUri: httpsUrl(input.logo_uri, 'logo_uri'),
    policyUri: httpsUrl(input.policy_uri, 'policy_uri'),
    tosUri: httpsUrl(input.tos_uri, 'tos_uri'),
    scope: scope === undefined ? undefined : parseScopeString(scope).join(' ') || undefined,
    applicationType,
  };
}

function validateRedirectUris(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new OAuthError('invalid_redirect_uri', 'redirect_uris must be a non-empty array.');
  if (value.length > MAX_REDIRECT_URIS) throw new OAuthError('invalid_redirect_uri', `redirect_uris may hold at most ${MAX_REDIRECT_URIS} entries.`);
  value.forEach((uri, i) => {
    const problem = redirectUriRegistrationProblem(uri);
    if (problem) throw new OAuthError('invalid_redirect_uri', `redirect_uris[${i}] ${problem}.`);
  });
  return [...new Set(value as string[])];
}

function stringList(value: unknown, field: string, allowed: readonly string[]): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > 10 || !value.every((v) => typeof v === 'string')) {
    throw invalid(`${field} must be a non-empty array of strings.`);
  }
  const bad = value.filter((v) => !allowed.includes(v));
  if (bad.length) throw invalid(`${field} may only contain: ${allowed.join(', ')}.`);
  return value;
}

function optionalString(value: unknown, field: string, maxLength: number): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength) throw invalid(`${field} must be a string of 1 to ${maxLength} characters.`);
  // Names are shown on the consent page: invisible characters could disguise them.
  if (hasInvisibleCharacters(value)) throw invalid(`${field} must not contain control, format or other invisible characters.`);
  return value;
}

function httpsUrl(value: unknown, field: string): string | undefined {
  if (value === undefined) return undefined;
  const problem = () => invalid(`${field} must be an https URL.`);
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || /[\u0000-\u0020\u007f\\]/.test(value) || hasInvisibleCharacters(value)) throw problem();
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw problem();
  }
  if (url.protocol !== 'https:' || url.username || url.password || !url.hostname) throw problem();
  return value;
}
