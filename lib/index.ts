/**
 * The package's main entry (`import { ... } from 'mcp-oauth-aws'`): the CDK constructs a
 * platform team composes in its own app, the stacks this repository deploys with them, and
 * the configuration's types and validators. The guard library for MCP server authors is
 * `mcp-oauth-aws/guard`; the command line is `mcp-oauth-aws/cli` and the `mcp-oauth` bin.
 */
export { McpAuthorizationServer, mcpAuthorizationServerProblems, type McpAuthorizationServerProps, type UpstreamLoginChoice } from './constructs/mcp-authorization-server';
export { AuthorizationServerApi, AUTHORIZATION_SERVER_ROUTES, type AuthorizationServerApiProps, type EndpointGroup } from './constructs/authorization-server-api';
export { McpProtectedApi, type McpFunctionBackend, type McpProtectedApiProps } from './constructs/mcp-protected-api';
export { UpstreamLogin, type UpstreamLoginProps } from './constructs/upstream-login';
export { OAuthTables, type OAuthTablesProps } from './constructs/oauth-tables';
export { SigningKeys, type SigningKeysProps } from './constructs/signing-keys';
export { SigningKeyWatch, type SigningKeyWatchProps } from './constructs/signing-key-watch';
export { OAuthMonitoring, type OAuthMonitoringProps } from './constructs/oauth-monitoring';
export { ProtectedApiMonitoring, type ProtectedApiMonitoringProps } from './constructs/protected-api-monitoring';
export { ChallengeRestoringEdge, type ChallengeRestoringEdgeProps, type OriginVerifyRotation } from './constructs/challenge-restoring-edge';
export { RateLimitWebAcl, type RateLimitWebAclProps } from './constructs/rate-limit-web-acl';
export { OAuthFunction, type OAuthFunctionProps } from './constructs/oauth-function';
export { writeBundledConfig } from './constructs/bundled-config';
export { AuthorizationServerStack, authorizationServerPropsOf, type AuthorizationServerStackProps } from './stacks/authorization-server-stack';
export { McpServerStack, type McpServerStackProps } from './stacks/mcp-server-stack';
export { DemoMcpServerStack, type DemoMcpServerStackProps } from './stacks/demo-mcp-server-stack';
export { ApiGatewayAccountStack } from './stacks/api-gateway-account-stack';
export {
  DeploymentConfigError,
  parseDeploymentConfig,
  parseProductConfig,
  readProductConfigFile,
  type CustomDomainDeployConfig,
  type DeploymentConfig,
  type DeploymentInputs,
  type SigningKeysDeployConfig,
} from './config';
export { DEFAULT_RATE_LIMITS, DEFAULT_STAGE_THROTTLING, type RateLimits, type StageThrottling } from './definitions/rate-rules';
export { ConfigError, parseConfig } from '../lambda/adapters/config/parse-config';
export type { BackendConfig, Config, ResourceConfig, RouteRuleConfig, ToolRuleConfig, UpstreamConfig } from '../lambda/core/config';
