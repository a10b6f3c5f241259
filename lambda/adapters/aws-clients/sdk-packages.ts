/**
 * The AWS SDK packages that a function may never call (KMS, Secrets Manager, Cognito), loaded
 * at their first use instead of while the function's bundle loads. Every authorization server
 * function imported all of them at init, though the `public` group calls KMS only for the
 * JWKS and never calls the other two (docs/performance.md, "Cold starts"). DynamoDB is not
 * here: every authorization server function uses it.
 *
 * Node's require cache makes every call after the first a look-up. The bundles leave
 * `@aws-sdk/*` to the Lambda runtime (lib/definitions/bundling.ts), so these stay requires
 * of the runtime's packages.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a require at first use is what defers the package's load; an import would load it with the bundle */
import type * as CognitoSdk from '@aws-sdk/client-cognito-identity-provider';
import type * as KmsSdk from '@aws-sdk/client-kms';
import type * as SecretsManagerSdk from '@aws-sdk/client-secrets-manager';

export const kmsSdk = (): typeof KmsSdk => require('@aws-sdk/client-kms');
export const secretsManagerSdk = (): typeof SecretsManagerSdk => require('@aws-sdk/client-secrets-manager');
export const cognitoSdk = (): typeof CognitoSdk => require('@aws-sdk/client-cognito-identity-provider');

/** A client built at its first call, so that building the dependencies loads no package the function never calls. */
export function builtAtFirstCall<Client extends { send: (...args: never[]) => unknown }>(build: () => Client): Pick<Client, 'send'> {
  let client: Client | undefined;
  const send = (...args: Parameters<Client['send']>) => (client ??= build()).send(...args);
  return { send: send as Client['send'] };
}
