/**
 * The guard as a library, for MCP server authors: the one module with stable names to
 * import (docs/guard.md, "A library for MCP server authors"). Everything here is re-exported
 * from where it lives; nothing is implemented twice.
 *
 * - createAuthorizer: the REQUEST authorizer (its identity sources: AUTHORIZER_IDENTITY_SOURCES;
 *   its 401/403 gateway responses: gatewayResponsesFor).
 * - guardMcpRequest: the tool-level check an MCP server behind it runs on each JSON-RPC body.
 * - createMcpStepHandler: the MCP-aware proxy in front of an HTTP MCP server.
 * - createTokenExchanger: an MCP server's downstream calls, by RFC 8693 token exchange (cached).
 * - parseConfig: the one configuration, validated.
 */
export { createAuthorizer, type AuthorizerDeps, type RequestAuthorizer } from '../adapters/apigw/request-authorizer';
export { AUTHORIZER_IDENTITY_SOURCES } from '../adapters/apigw/authorizer-policy';
export { gatewayResponsesFor, type GuardGatewayResponses } from '../adapters/apigw/gateway-responses';
export { createProtectedResourceMetadataHandler } from '../adapters/apigw/protected-resource-metadata-proxy';
export { writeStreamingResponse, type StreamingProxyResult, type StreamingPrelude } from '../adapters/apigw/streaming-response';
export {
  guardMcpRequest,
  identityFromEvent,
  insufficientScopeResponse,
  INSUFFICIENT_SCOPE_ERROR_CODE,
  type GuardIdentity,
  type GuardMcpRequestOptions,
  type McpGuardVerdict,
} from '../adapters/mcp/tool-scope-guard';
export { createMcpStepHandler, type McpStepDeps, type McpStepHandler } from '../adapters/mcp/mcp-step';
export { IDENTITY_HEADERS } from '../adapters/mcp/identity-headers';
export { createTokenExchanger, TokenExchangeError, type TokenExchanger, type TokenExchangerOptions, type TokenExchangeTarget } from '../adapters/mcp/token-exchanger';
export { consoleGuardAudit, lambdaGuardAudit } from '../adapters/observability/guard-audit-log';
export { ConfigError, parseConfig } from '../adapters/config/parse-config';
export { HEADER_MISMATCH_ERROR_CODE } from '../core/guard/mcp-request-rules';
export type { GuardAuditRecord, GuardAudit } from '../core/guard/decision-audit';
export type { BackendConfig, Config, ResourceConfig, RouteRuleConfig, ToolRuleConfig } from '../core/config';
