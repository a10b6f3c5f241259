/**
 * The deployed functions' limits, as plain data (no CDK import): the constructs build the
 * functions from these values and local mode enforces the same ones, so a timeout or a
 * payload limit cannot differ between the two hosts.
 *
 * Sources (docs/design.md, "Deployment limits"): "Lambda quotas" (6 MB request and 6 MB
 * response for a synchronous invocation), "Amazon API Gateway quotas" (10 MB payload,
 * 29 s integration timeout for REST APIs).
 */

/** One deployed function's timeout and memory. */
export interface FunctionSettings {
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
}

/** Every function the stacks deploy, by its role. The authorizer's timeout bounds how long API Gateway waits before answering 500. */
export const FUNCTION_SETTINGS = {
  browserEndpoints: { timeoutSeconds: 15, memoryMb: 512 },
  tokenEndpoints: { timeoutSeconds: 10, memoryMb: 512 },
  publicEndpoints: { timeoutSeconds: 10, memoryMb: 512 },
  authorizer: { timeoutSeconds: 5, memoryMb: 1024 },
  protectedResourceMetadata: { timeoutSeconds: 10, memoryMb: 256 },
  demoMcpServer: { timeoutSeconds: 10, memoryMb: 512 },
  /** The MCP step streams a backend's answer: its timeout bounds how long one stream may run (the backend must start answering within 25 s). */
  mcpStep: { timeoutSeconds: 300, memoryMb: 512 },
  /** The Lambda@Edge origin-response function (ChallengeRestoringEdge). */
  restoreChallenge: { timeoutSeconds: 5, memoryMb: 128 },
} as const satisfies Readonly<Record<string, FunctionSettings>>;

export type FunctionRole = keyof typeof FUNCTION_SETTINGS;

/** The Lambda runtime of every function, the edge's included ("Restrictions on Lambda@Edge": the latest Node.js runtimes). */
export const LAMBDA_RUNTIME = 'nodejs24.x';

export const PAYLOAD_LIMITS = {
  /** API Gateway REST: the largest request or response payload. */
  apiGatewayPayloadBytes: 10 * 1024 * 1024,
  /** Lambda, synchronous invocation: the largest event, and the largest response. */
  lambdaSynchronousPayloadBytes: 6 * 1024 * 1024,
  /** API Gateway REST: how long it waits for an integration before answering 504. */
  apiGatewayIntegrationTimeoutMs: 29_000,
} as const;
