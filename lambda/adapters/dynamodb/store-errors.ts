/**
 * Turns what the DynamoDB SDK throws into the two errors the core understands:
 * ConditionFailedError (a conditional write lost a race: the core answers invalid_grant
 * and issues nothing) and DependencyUnavailableError (throttled or unreachable after the
 * SDK's own retries: 503, nothing consumed). Anything else (a validation error, a missing
 * table) is a bug or a misconfiguration and is rethrown untouched, so it becomes a 500
 * with the details in the log only.
 */
import { ConditionFailedError, DependencyUnavailableError, GrantRefusedError } from '../../core/errors';

const DEPENDENCY = 'DynamoDB';

const UNAVAILABLE_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  // Two transactions touched the same item at once; nothing was written, a retry may pass.
  'TransactionConflictException',
]);

const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

const UNAVAILABLE_CANCELLATION_CODES = new Set(['TransactionConflict', 'ProvisionedThroughputExceeded', 'ThrottlingError']);

// The SDK's retry layer rewraps an error that is not an `instanceof Error` of its own realm
// (it happens under Jest's VM sandbox) into a plain Error whose message alone still names
// the network failure, so the message is checked too.
const NETWORK_ERROR_IN_MESSAGE = new RegExp(`\\b(${[...NETWORK_ERROR_CODES].join('|')})\\b`);

interface SdkErrorShape {
  readonly message?: unknown;
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: { readonly throttling?: boolean };
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly CancellationReasons?: readonly { readonly Code?: string }[];
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/** True when the write was refused by its condition, alone or inside a transaction. */
export function isConditionFailure(error: unknown): boolean {
  const shape = shapeOf(error);
  if (shape.name === 'ConditionalCheckFailedException') return true;
  return shape.name === 'TransactionCanceledException' && (shape.CancellationReasons ?? []).some((reason) => reason.Code === 'ConditionalCheckFailed');
}

export function isUnavailable(error: unknown): boolean {
  const shape = shapeOf(error);
  if (typeof shape.name === 'string' && UNAVAILABLE_ERROR_NAMES.has(shape.name)) return true;
  if (typeof shape.code === 'string' && NETWORK_ERROR_CODES.has(shape.code)) return true;
  if (typeof shape.message === 'string' && NETWORK_ERROR_IN_MESSAGE.test(shape.message)) return true;
  if (shape.$retryable?.throttling === true) return true;
  if (shape.$fault === 'server') return true;
  const status = shape.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  if (shape.name === 'TransactionCanceledException') {
    return (shape.CancellationReasons ?? []).some((reason) => reason.Code !== undefined && UNAVAILABLE_CANCELLATION_CODES.has(reason.Code));
  }
  return false;
}

/**
 * The error to throw for a failed call. `conditionFailed` names what lost the race; a
 * caller that expects no condition can omit it and a condition failure is then a bug.
 */
export function translateDynamoDbError(error: unknown, conditionFailed?: string): unknown {
  if (conditionFailed !== undefined && isConditionFailure(error)) return new ConditionFailedError(conditionFailed);
  if (isUnavailable(error)) return new DependencyUnavailableError(DEPENDENCY, { cause: error });
  return error;
}

/**
 * What each item of a token-issuing transaction stands for: `grant` the code or family the
 * request read (its condition failing, or another transaction on it in flight, is a lost
 * race), `new` an item created with a fresh random id, `clearance` a revocation row check.
 */
export type TransactionItemRole = 'grant' | 'new' | 'clearance';

/**
 * Maps a cancelled TransactWriteItems to the item that stopped it; CancellationReasons come in
 * the order of the items. A lost race on the grant item is GrantRefusedError('moved_on'): of
 * two transactions on one code or family DynamoDB lets at most one through, and the other must
 * answer invalid_grant, never a 503 whose retry would look like a replay. A failed clearance
 * is GrantRefusedError('revoked'). A conflict on a revocation row only (another request of the
 * same user in flight) or throttling is DependencyUnavailableError: nothing was written, a retry
 * may pass. Anything else, a condition failing on a new item included (an id collision, so a
 * bug), is rethrown untouched.
 */
export function translateGrantTransactionError(error: unknown, roles: readonly TransactionItemRole[]): unknown {
  const shape = shapeOf(error);
  if (shape.name === 'TransactionCanceledException') {
    const codes = (shape.CancellationReasons ?? []).map((reason) => reason.Code);
    const failedAs = (role: TransactionItemRole, ...failures: string[]) => codes.some((code, i) => roles[i] === role && code !== undefined && failures.includes(code));
    if (failedAs('grant', 'ConditionalCheckFailed', 'TransactionConflict')) return new GrantRefusedError('moved_on');
    if (failedAs('clearance', 'ConditionalCheckFailed')) return new GrantRefusedError('revoked');
    if (failedAs('new', 'ConditionalCheckFailed')) return error;
  }
  return translateDynamoDbError(error);
}

export function unavailable(cause: unknown): DependencyUnavailableError {
  return new DependencyUnavailableError(DEPENDENCY, { cause });
}
