import { DependencyUnavailableError } from '../../core/errors';

/**
 * KMS answers that mean "try again later", not "this request is wrong". The core turns a
 * DependencyUnavailableError into 503 temporarily_unavailable and consumes nothing, so a
 * throttled Sign (RSA Sign shares 500 req/s per account and region) never burns a code or
 * a refresh token.
 */
const TRANSIENT_KMS_ERRORS = new Set([
  'ThrottlingException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'LimitExceededException',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'NetworkingError',
]);

const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH']);

interface SdkLikeError {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

export function isTransientKmsError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as SdkLikeError;
  if (typeof e.name === 'string' && TRANSIENT_KMS_ERRORS.has(e.name)) return true;
  if (typeof e.code === 'string' && NETWORK_ERROR_CODES.has(e.code)) return true;
  const status = e.$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}

/** Rethrows transient failures as DependencyUnavailableError; anything else (a wrong key ARN, a missing permission) stays what it is, a 500 an operator must fix. */
export function translateKmsError(error: unknown): never {
  if (isTransientKmsError(error)) throw new DependencyUnavailableError('KMS', { cause: error });
  throw error;
}
