/**
 * The WAF rate-based rules and the API Gateway stage throttling of each API, as plain data
 * (no CDK import): RateLimitWebAcl and the stages are built from these, and local mode
 * counts by the same rules, limits and windows.
 *
 * AWS WAF counts per aggregation key over a sliding window of 60, 120, 300 or 600 seconds
 * and blocks once its estimate passes the limit ("Rate-based rule statement"); the estimate
 * can lag by some seconds, so a client is blocked at about, not exactly at, limit + 1.
 */
import { ENDPOINT_PATHS } from '../../lambda/core/authorization-server/endpoints';

/** The windows AWS WAF accepts for a rate-based rule (EvaluationWindowSec). */
export const RATE_WINDOWS_SECONDS = [60, 120, 300, 600] as const;
export type RateWindowSeconds = (typeof RATE_WINDOWS_SECONDS)[number];

/** AWS WAF's smallest rate limit. */
export const MIN_RATE_LIMIT = 10;

export interface RateLimits {
  /** The window every rule below counts over. */
  readonly windowSeconds: RateWindowSeconds;
  /** Requests per viewer per window, to each path of the authorization server. */
  readonly authorize: number;
  readonly token: number;
  readonly register: number;
  readonly revoke: number;
  readonly introspect: number;
  /** Requests per viewer per window to the authorization server, whatever the path. */
  readonly authorizationServerAllPaths: number;
  /** Requests per viewer per window to an MCP endpoint. */
  readonly mcp: number;
  /** Requests per viewer per window to an MCP server's API, whatever the path. */
  readonly mcpAllPaths: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  windowSeconds: 300,
  authorize: 300,
  token: 600,
  register: 60,
  revoke: 300,
  introspect: 600,
  authorizationServerAllPaths: 3000,
  mcp: 3000,
  mcpAllPaths: 6000,
};

/** One rate-based rule: its name (also its metric), the paths it counts, the limit and window. */
export interface RateRule {
  readonly name: string;
  /** Requests whose URL-decoded path ends with this; undefined: every request. */
  readonly pathSuffix?: string;
  readonly limit: number;
  readonly windowSeconds: RateWindowSeconds;
}

/** The authorization server's rules, in priority order: one per sensitive endpoint, then every path. */
export function authorizationServerRateRules(limits: RateLimits): readonly RateRule[] {
  const rule = (name: string, pathSuffix: string | undefined, limit: number): RateRule => ({ name, pathSuffix, limit, windowSeconds: limits.windowSeconds });
  return [
    rule('AuthorizeRateLimit', ENDPOINT_PATHS.authorize, limits.authorize),
    rule('TokenRateLimit', ENDPOINT_PATHS.token, limits.token),
    rule('RegisterRateLimit', ENDPOINT_PATHS.register, limits.register),
    rule('RevokeRateLimit', ENDPOINT_PATHS.revoke, limits.revoke),
    rule('IntrospectRateLimit', ENDPOINT_PATHS.introspect, limits.introspect),
    rule('AllPathsRateLimit', undefined, limits.authorizationServerAllPaths),
  ];
}

/** An MCP server API's rules: its MCP endpoint, then every path. */
export function protectedApiRateRules(mcpPath: string, limits: RateLimits): readonly RateRule[] {
  return [
    { name: 'McpRateLimit', pathSuffix: mcpPath, limit: limits.mcp, windowSeconds: limits.windowSeconds },
    { name: 'AllPathsRateLimit', limit: limits.mcpAllPaths, windowSeconds: limits.windowSeconds },
  ];
}

/** API Gateway stage throttling (a token bucket for the whole stage, "Throttle requests to your REST APIs"). */
export interface StageThrottling {
  readonly ratePerSecond: number;
  readonly burst: number;
}

export const DEFAULT_STAGE_THROTTLING = {
  authorizationServer: { ratePerSecond: 200, burst: 400 },
  protectedApi: { ratePerSecond: 100, burst: 200 },
} as const satisfies Readonly<Record<string, StageThrottling>>;
