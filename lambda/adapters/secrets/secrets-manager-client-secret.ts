/**
 * Reads the external IdP's client secret from Secrets Manager (config.upstream.clientSecretArn),
 * once per container: the value is kept for the container's life, a failure is not, so the
 * next cold start (or the next invocation after a failed one) tries again.
 *
 * The secret is either the plain client secret or a JSON object with a `clientSecret` (or
 * `client_secret`) field, as the console's key/value editor stores it. Its value is never
 * logged or put in an error message.
 *
 * A throttled or unreachable Secrets Manager is an outage (DependencyUnavailableError: 503,
 * retry); a missing secret, a denied read or an unusable value is a deployment error (500).
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DependencyUnavailableError } from '../../core/errors';
import { secretsManagerSdk } from '../aws-clients/sdk-packages';

const DEPENDENCY = 'Secrets Manager';

/** Errors of Secrets Manager or the network that say "try again later", not "this is misconfigured". */
const TRANSIENT_ERRORS = new Set(['ThrottlingException', 'InternalServiceError', 'InternalFailure', 'ServiceUnavailable', 'RequestTimeout', 'TimeoutError', 'RequestTimeoutException']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

export class ClientSecretUnavailableError extends Error {
  constructor(problem: string, options: { cause?: unknown; what?: string } = {}) {
    super(`${options.what ?? 'the upstream client secret'} cannot be used: ${problem}`, options);
    this.name = 'ClientSecretUnavailableError';
  }
}

export class SecretsManagerClientSecret {
  private readonly cache = new Map<string, Promise<string>>();

  /** `what` names the secret in errors (the MCP step reads its backend's shared secret with this too). */
  constructor(private readonly client: Pick<SecretsManagerClient, 'send'>, private readonly what?: string) {}

  read(secretArn: string): Promise<string> {
    let pending = this.cache.get(secretArn);
    if (!pending) {
      pending = this.fetch(secretArn).catch((error: unknown) => {
        this.cache.delete(secretArn);
        throw error;
      });
      this.cache.set(secretArn, pending);
    }
    return pending;
  }

  private async fetch(secretArn: string): Promise<string> {
    let secretString: string | undefined;
    try {
      ({ SecretString: secretString } = await this.client.send(new (secretsManagerSdk().GetSecretValueCommand)({ SecretId: secretArn })));
    } catch (error) {
      if (isTransient(error)) throw new DependencyUnavailableError(DEPENDENCY, { cause: error });
      const name = error instanceof Error ? error.name : 'unknown error';
      throw new ClientSecretUnavailableError(`reading ${secretArn} failed (${name})`, { cause: error, what: this.what });
    }
    if (typeof secretString !== 'string' || secretString === '') throw new ClientSecretUnavailableError(`${secretArn} has no string value`, { what: this.what });
    return clientSecretIn(secretString, secretArn);
  }
}

function clientSecretIn(value: string, secretArn: string): string {
  if (!value.trimStart().startsWith('{')) return value;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    // A plain secret may start with a brace; it is then the secret itself.
    return value;
  }
  const fields = parsed as Record<string, unknown>;
  const secret = fields.clientSecret ?? fields.client_secret;
  if (typeof secret !== 'string' || secret === '') throw new ClientSecretUnavailableError(`${secretArn} is JSON without a clientSecret (or client_secret) string`);
  return secret;
}

function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_ERRORS.has(error.name)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return typeof status === 'number' && status >= 500;
}
