/**
 * API Gateway's own responses (the ones no integration produced) with AWS's default status,
 * body and x-amzn-ErrorType, overridable per type by the API's gateway responses ("Gateway
 * response types for API Gateway"). A type that is not customised falls back to DEFAULT_4XX
 * or DEFAULT_5XX (headers and body); it keeps its own status code unless that family
 * response sets one, which then applies to every type of the family that is not customised
 * itself ("changing the status code of this fallback gateway response changes the status
 * codes of all other 4XX responses to the new value").
 */
import type { EmulatedGatewayResponse } from './types';

export type GatewayResponseType =
  | 'UNAUTHORIZED'
  | 'ACCESS_DENIED'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'REQUEST_TOO_LARGE'
  | 'THROTTLED'
  | 'WAF_FILTERED'
  | 'INTEGRATION_TIMEOUT'
  | 'API_CONFIGURATION_ERROR'
  | 'DEFAULT_5XX';

export interface GatewayReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A reply with repeated headers and a binary-safe body: what an integration returns. */
export interface OutgoingReply extends GatewayReply {
  readonly headerPairs?: readonly [string, string][];
  readonly bytes?: Buffer;
}

interface Default {
  readonly status: number;
  readonly errorType: string;
  /** $context.error.message; null where AWS reports none. */
  readonly message: string | null;
  /** AWS writes {"Message":...} for authorizer denials, {"message":...} elsewhere. */
  readonly messageKey?: 'Message';
}

const DEFAULTS: Record<GatewayResponseType, Default> = {
  UNAUTHORIZED: { status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' },
  ACCESS_DENIED: { status: 403, errorType: 'AccessDeniedException', message: 'User is not authorized to access this resource', messageKey: 'Message' },
  // A Lambda authorizer that throws (other than "Unauthorized"), times out or answers malformed.
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, errorType: 'AuthorizerConfigurationException', message: null },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, errorType: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' },
  REQUEST_TOO_LARGE: { status: 413, errorType: 'RequestEntityTooLargeException', message: 'Request Too Long' },
  // Stage throttling ("Throttle requests to your REST APIs": 429 Too Many Requests).
  THROTTLED: { status: 429, errorType: 'TooManyRequestsException', message: 'Too Many Requests' },
  // A request the web ACL blocked with its default (not a custom) response.
  WAF_FILTERED: { status: 403, errorType: 'ForbiddenException', message: 'Forbidden' },
  INTEGRATION_TIMEOUT: { status: 504, errorType: 'InternalServerErrorException', message: 'Endpoint request timed out' },
  // Lambda refused the invocation itself (its 6 MB request payload quota): the function never ran.
  API_CONFIGURATION_ERROR: { status: 500, errorType: 'InternalServerErrorException', message: 'Internal server error' },
  // A function error (it threw, timed out, or answered more than 6 MB) or a malformed proxy result.
  DEFAULT_5XX: { status: 502, errorType: 'InternalServerErrorException', message: 'Internal server error' },
};

export interface GatewayResponseOptions {
  readonly requestId: string;
  /** Overrides the default message (e.g. the explicit-deny wording of ACCESS_DENIED). */
  readonly message?: string;
}

export function gatewayResponse(
  type: GatewayResponseType,
  configured: Readonly<Record<string, EmulatedGatewayResponse>> | undefined,
  options: GatewayResponseOptions,
): GatewayReply {
  const builtIn = DEFAULTS[type];
  const message = options.message ?? builtIn.message;
  const specific = configured?.[type];
  const family = configured?.[builtIn.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
  const custom = specific ?? family;
  const status = (specific ? specific.statusCode : family?.statusCode) ?? builtIn.status;
  const body = custom?.body !== undefined
    ? renderTemplate(custom.body, { message, requestId: options.requestId, responseType: type })
    : `{"${builtIn.messageKey ?? 'message'}":${JSON.stringify(message)}}`;
  return {
    status,
    headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': builtIn.errorType, ...(custom?.headers ?? {}) },
    body,
  };
}

/** The $context variables gateway response templates use most. */
function renderTemplate(template: string, values: { message: string | null; requestId: string; responseType: string }): string {
  return template
    .replace(/\$context\.error\.messageString/g, JSON.stringify(values.message))
    .replace(/\$context\.error\.message/g, values.message ?? '')
    .replace(/\$context\.error\.responseType/g, values.responseType)
    .replace(/\$context\.requestId/g, values.requestId);
}
