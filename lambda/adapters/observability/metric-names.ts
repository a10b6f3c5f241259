/**
 * Every CloudWatch name the functions emit and the CDK app graphs or alarms on: the
 * namespace, the `service` dimension of each function, metric names and dimension names.
 * Pure constants, imported by the handlers AND by lib/constructs, so a renamed metric
 * cannot leave a dashboard or an alarm watching nothing.
 */

/** The EMF namespace (POWERTOOLS_METRICS_NAMESPACE of every function). */
export const METRICS_NAMESPACE = 'McpOAuth';

/** Powertools adds `service` (POWERTOOLS_SERVICE_NAME) as a dimension to every metric. */
export const SERVICE_DIMENSION = 'service';

/** The POWERTOOLS_SERVICE_NAME of each kind of function: the value of its `service` dimension. */
export const SERVICE_NAMES = {
  authorizationServer: 'mcp-oauth-authorization-server',
  authorizer: 'mcp-oauth-authorizer',
  protectedResourceMetadata: 'mcp-oauth-protected-resource-metadata',
  demoMcpServer: 'mcp-oauth-demo-mcp-server',
  mcpStep: 'mcp-oauth-mcp-step',
} as const;

/** One metric per audit event type of the authorization server (lambda/core/ports/audit.ts AuditEvent). */
export const AUDIT_METRICS = {
  token_issued: 'TokensIssued',
  refresh_reuse_detected: 'RefreshReuseDetected',
  refresh_forged: 'RefreshForged',
  code_replay_detected: 'CodeReplayDetected',
  client_registered: 'ClientsRegistered',
  token_revoked: 'TokensRevoked',
  request_rejected: 'RequestsRejected',
  login_completed: 'LoginsCompleted',
  consent_granted: 'ConsentsGranted',
  access_revoked: 'AccessRevoked',
} as const;

/** The authorization server's count of answers it could not give because a dependency was down (503). */
export const DEPENDENCY_UNAVAILABLE_METRIC = 'DependencyUnavailable';

/** The authorizer's decisions. */
export const AUTHORIZER_METRICS = {
  allowed: 'AuthorizerAllowed',
  /** With the Reason dimension. */
  denied: 'AuthorizerDenied',
  /** The authorizer could not decide (JWKS unreachable, revocations table down): API Gateway answers 500. */
  errors: 'AuthorizerErrors',
} as const;

/** The MCP step's tool decisions (one count per tools/call it decided). */
export const MCP_STEP_METRICS = {
  toolAllowed: 'McpToolCallsAllowed',
  toolDenied: 'McpToolCallsDenied',
  /** The backend did not answer, or answered too late: the step answered 502 or 504. */
  backendFailed: 'McpBackendFailures',
} as const;

export const DIMENSIONS = {
  /** On every metric of the guard (authorizer, MCP step): the protected resource's URI, so each MCP server has its own. */
  resource: 'Resource',
  /** On RequestsRejected: the endpoint path. */
  endpoint: 'Endpoint',
  /** On AuthorizerDenied: one of DENIAL_REASONS. */
  reason: 'Reason',
  /** On DependencyUnavailable: one of DEPENDENCIES. */
  dependency: 'Dependency',
  /** On TokensIssued: one of GRANT_TYPES, so a dashboard counts tokens per grant. */
  grantType: 'GrantType',
} as const;

/** The grants whose tokens are counted apart (AuditEvent token_issued grantType); anything else counts as other. Bounded: dimensions multiply metrics. */
export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'jwt-bearer', 'token-exchange', 'other'] as const;

/** unauthorized: no valid token (401). forbidden: a valid token without the scopes (403). Bounded on purpose: dimensions multiply metrics. */
export const DENIAL_REASONS = ['unauthorized', 'forbidden'] as const;
export type DenialReason = (typeof DENIAL_REASONS)[number];

/** kms: signing. dynamodb: the tables. upstream: the external IdP. secrets: Secrets Manager (the IdP client secret). */
export const DEPENDENCIES = ['kms', 'dynamodb', 'upstream', 'secrets', 'other'] as const;
export type DependencyName = (typeof DEPENDENCIES)[number];
