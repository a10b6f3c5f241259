/**
 * The ports through which the pure core reaches the world. Adapters implement them:
 * DynamoDB (lambda/adapters/dynamodb), KMS or a local key file (kms/, local-key/), the
 * upstream OIDC IdP (upstream-oidc/), HTTP fetching for client ID metadata documents.
 *
 * Times are epoch seconds unless a name says otherwise. Every store read returns records
 * even when DynamoDB TTL has not yet deleted them: the core checks `expiresAt` itself.
 * Writes that must happen once throw ConditionFailedError (lambda/core/errors.ts) when
 * they lose; an overloaded or unreachable dependency throws DependencyUnavailableError.
 */
export * from './clock';
export * from './random';
export * from './signer';
export * from './clients';
export * from './authorization-codes';
export * from './refresh-families';
export * from './revocations';
export * from './access-token-signatures';
export * from './sessions';
export * from './upstream-idp';
export * from './upstream-groups';
export * from './audit';
export * from './used-assertions';
export * from './grant-writes';
export * from './trusted-issuer-keys';
export * from './cookie-keys';
export * from './authorization-commits';
export * from './token-request-reads';
