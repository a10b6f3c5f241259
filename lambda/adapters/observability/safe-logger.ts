/**
 * Structured JSON logs for the functions (Powertools Logger). Only failures are logged, and
 * only what explains them: the error's name, message and stack, down its cause chain. Never
 * a request body, a header or a token: and because an error message can quote its input
 * (a parser echoing what it failed on), anything shaped like a bearer token or a JWT is
 * blanked before it is written.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export interface SafeLogger {
  readonly logger: Logger;
  logError(message: string, error: unknown): void;
}

export function createSafeLogger(options: { serviceName: string; logger?: Logger }): SafeLogger {
  const logger = options.logger ?? new Logger({ serviceName: options.serviceName });
  return {
    logger,
    logError: (message, error) => logger.error(redact(message), { error: describeError(error) }),
  };
}

interface ErrorDescription {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly cause?: ErrorDescription;
}

const MAX_CAUSE_DEPTH = 3;

export function describeError(error: unknown, depth = 0): ErrorDescription {
  if (!(error instanceof Error)) return { name: typeof error, message: redact(String(error)).slice(0, 500) };
  const cause = (error as { cause?: unknown }).cause;
  return {
    name: error.name,
    message: redact(error.message),
    stack: error.stack ? redact(error.stack) : undefined,
    ...(cause !== undefined && depth < MAX_CAUSE_DEPTH ? { cause: describeError(cause, depth + 1) } : {}),
  };
}

/** Blanks JWTs, Bearer/Basic/DPoP credentials and refresh tokens (<familyId>.<secret>) inside free text. */
export function redact(text: string): string {
  return text
    .replace(/\beyJ[\w-]*\.[\w-]*\.[\w-]*/g, '[redacted-jwt]')
    .replace(/\b(Bearer|Basic|DPoP)\s+[\w\-.~+/=]+/gi, '$1 [redacted]')
    .replace(/\b[\w-]{16,}\.[\w-]{32,}\b/g, '[redacted-token]');
}
