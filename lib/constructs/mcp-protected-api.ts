import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ResourceConfig } from '../../lambda/core/config';
import { SERVICE_NAMES } from '../../lambda/adapters/observability/metric-names';
import { gatewayResponsesFor } from '../../lambda/adapters/apigw/gateway-responses';
import type { CustomDomainDeployConfig } from '../config';
import { AUTHORIZER_PERMISSIONS } from '../definitions/function-permissions';
import { FUNCTION_SETTINGS } from '../definitions/function-settings';
import { DEFAULT_RATE_LIMITS, DEFAULT_STAGE_THROTTLING, protectedApiRateRules, type RateLimits, type StageThrottling } from '../definitions/rate-rules';
import { protectedApiRoutes, resourcePath } from '../definitions/rest-routes';
import type { ChallengeRestoringEdge, OriginVerifyRotation } from './challenge-restoring-edge';
import { grantFunctionPermissions } from './function-grants';
import { HANDLER_ENTRIES } from './handler-entries';
import { OAuthFunction } from './oauth-function';
import { addPublicEntrance } from './public-entrance';
import type { RateLimitWebAcl } from './rate-limit-web-acl';
import { stageOptions } from './rest-api-defaults';

/** What serves the MCP endpoint once the authorizer has let a request through. */
export type McpBackend =
  | { readonly function: lambda.IFunction }
  /** An HTTP(S) MCP server; API Gateway proxies every method and path below the resource path to it. */
  | { readonly httpUrl: string };

export interface McpProtectedApiProps {
  /** The resource (one of the product configuration's resources[]) this API serves: its URI, routes and tool rules. */
  readonly resource: ResourceConfig;
  /** The validated product configuration as a file (writeBundledConfig), copied into the guard's bundles. */
  readonly bundledConfigFile: string;
  /**
   * API Gateway's authorizer result cache TTL (guard.authorizerCacheTtlSeconds of the
   * product configuration): part of the revocation delay. 0 turns the cache off.
   */
  readonly authorizerCacheTtlSeconds: number;
  /** The authorization server's revocations table; the authorizer may only BatchGetItem it. */
  readonly revocationsTable: dynamodb.ITable;
  readonly backend: McpBackend;
  /** @default 'mcp' */
  readonly stageName?: string;
  /** The REST API's name, unique per account and region so its metrics are too. @default `<stack name>-<id>` */
  readonly apiName?: string;
  /** @default DEFAULT_STAGE_THROTTLING.protectedApi (100 requests per second, burst 200) */
  readonly throttling?: StageThrottling;
  /** WAF rate rules per viewer (mcp, mcpAllPaths and the window are used). @default DEFAULT_RATE_LIMITS */
  readonly rateLimits?: RateLimits;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * With the edge on, the domain is the distribution's and its certificate must be in
   * us-east-1; with it off, a regional API Gateway domain. @default none: the resource URI
   * must then be on the distribution's (or the stage's) URL
   */
  readonly customDomain?: CustomDomainDeployConfig;
  /**
   * A CloudFront distribution in front of the API whose origin-response function restores
   * the WWW-Authenticate header API Gateway renames when the MCP server answers 403 with a
   * tool-level challenge. It also stamps the viewer's address for the web ACL's rate rules,
   * and the web ACL then refuses requests that did not come through it
   * (ChallengeRestoringEdge). Off: clients reach the stage directly, are counted by their
   * connection's address, and such challenges arrive as x-amzn-remapped-www-authenticate.
   * @default true
   */
  readonly edge?: boolean;
  /** The edge's origin secret rotation. @default generation 1 */
  readonly originVerify?: OriginVerifyRotation;
  /** Of the functions', access and WAF log groups. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** @default the handlers in lambda/handlers */
  readonly entries?: { readonly authorizer?: string; readonly protectedResourceMetadata?: string };
}

/**
 * Puts an MCP server (a Lambda function or an HTTP backend) behind the guard:
 *
 * - a REQUEST authorizer on the Authorization header whose result cache TTL is
 *   authorizerCacheTtlSeconds (part of the revocation delay). With the cache on, its
 *   policies cover every route the token opens; with it off (0) it also decides per tool
 *   from Mcp-Method/Mcp-Name headers.
 * - the UNAUTHORIZED and ACCESS_DENIED gateway responses that carry the 401 and 403
 *   Bearer challenges. API Gateway renames a WWW-Authenticate header coming from an
 *   integration, so the challenges clients read must come from API Gateway itself (or be
 *   restored by the edge).
 * - the protected resource metadata (RFC 9728) at the path-inserted and the root
 *   well-known URLs, without authorization (protectedApiRoutes).
 */
export class McpProtectedApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly authorizer: apigateway.RequestAuthorizer;
  readonly authorizerFunction: OAuthFunction;
  readonly metadataFunction: OAuthFunction;
  readonly resource: ResourceConfig;
  readonly webAcl: RateLimitWebAcl;
  readonly domainName?: apigateway.DomainName;
  /** The edge in front of the API (props.edge). */
  readonly edge?: ChallengeRestoringEdge;
  readonly distribution?: cloudfront.Distribution;
  /** The URL clients reach: the custom domain, the distribution, or the stage. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: McpProtectedApiProps) {
    super(scope, id);
    const { resource } = props;
    this.resource = resource;
    const resourceUrl = new URL(resource.uri);
    if (props.customDomain && resourceUrl.host !== props.customDomain.domainName) {
      throw new Error(`McpProtectedApi: resource ${resource.uri} is not on the custom domain ${props.customDomain.domainName}`);
    }
    if ('httpUrl' in props.backend && !/^https:\/\//.test(props.backend.httpUrl)) throw new Error('McpProtectedApi: an HTTP backend must be https');
    if (!Number.isInteger(props.authorizerCacheTtlSeconds) || props.authorizerCacheTtlSeconds < 0 || props.authorizerCacheTtlSeconds > 3600) {
      throw new Error('McpProtectedApi: authorizerCacheTtlSeconds must be a whole number from 0 to 3600 (API Gateway\'s range)');
    }
    const edge = props.edge ?? true;
    const responses = gatewayResponsesFor(resource);
    for (const response of [responses.UNAUTHORIZED, responses.ACCESS_DENIED]) {
      for (const [name, value] of Object.entries(response.headers)) {
        // CloudFormation wants static values wrapped in single quotes, so a quote inside cannot be expressed.
        if (value.includes("'")) throw new Error(`McpProtectedApi: gateway response header ${name} contains a single quote`);
      }
    }

    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.DESTROY;
    this.authorizerFunction = new OAuthFunction(this, 'Authorizer', {
      entry: props.entries?.authorizer ?? HANDLER_ENTRIES.authorizer,
      serviceName: SERVICE_NAMES.authorizer,
      description: `mcp-oauth REQUEST authorizer for ${resource.uri}`,
      settings: FUNCTION_SETTINGS.authorizer,
      environment: { MCP_RESOURCE_URI: resource.uri, REVOCATIONS_TABLE_NAME: props.revocationsTable.tableName },
      configFile: props.bundledConfigFile,
      logRetention,
      logRemovalPolicy,
    });
    // Only the revocation lookup: the authorizer verifies with the public JWKS and never touches KMS.
    grantFunctionPermissions(this.authorizerFunction.role, AUTHORIZER_PERMISSIONS, { tables: { revocations: props.revocationsTable } });
    this.metadataFunction = new OAuthFunction(this, 'ProtectedResourceMetadata', {
      entry: props.entries?.protectedResourceMetadata ?? HANDLER_ENTRIES.protectedResourceMetadata,
      serviceName: SERVICE_NAMES.protectedResourceMetadata,
      description: `mcp-oauth protected resource metadata for ${resource.uri}`,
      settings: FUNCTION_SETTINGS.protectedResourceMetadata,
      environment: { MCP_RESOURCE_URI: resource.uri },
      configFile: props.bundledConfigFile,
      logRetention,
      logRemovalPolicy,
    });

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: props.apiName ?? `${Stack.of(this).stackName}-${id}`,
      description: `MCP server ${resource.name} (${resource.uri}) behind the mcp-oauth guard`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      deployOptions: stageOptions(this, {
        stageName: props.stageName ?? 'mcp',
        throttling: props.throttling ?? DEFAULT_STAGE_THROTTLING.protectedApi,
        logRetention,
        logRemovalPolicy,
      }),
      cloudWatchRole: false,
      // Behind the edge, the stage URL is CloudFront's origin and must stay enabled; the web ACL refuses requests that did not come through the edge.
      disableExecuteApiEndpoint: props.customDomain !== undefined && !edge,
    });
    this.authorizer = new apigateway.RequestAuthorizer(this, 'RequestAuthorizer', {
      handler: this.authorizerFunction.function,
      identitySources: [apigateway.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(props.authorizerCacheTtlSeconds),
    });
    for (const [type, response] of [[apigateway.ResponseType.UNAUTHORIZED, responses.UNAUTHORIZED], [apigateway.ResponseType.ACCESS_DENIED, responses.ACCESS_DENIED]] as const) {
      this.api.addGatewayResponse(`${type.responseType}Response`, {
        type,
        statusCode: String(response.statusCode),
        responseHeaders: Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, `'${value}'`])),
        templates: { 'application/json': response.body },
      });
    }

    const metadata = new apigateway.LambdaIntegration(this.metadataFunction.function);
    const backends = new Map<string, apigateway.Integration>();
    for (const route of protectedApiRoutes(resource)) {
      const node = route.path === '/' ? this.api.root : this.api.root.resourceForPath(route.path);
      let integration: apigateway.Integration = metadata;
      if (route.target === 'backend') {
        integration = backends.get(route.path) ?? backendIntegration(props.backend, route.path);
        backends.set(route.path, integration);
      }
      node.addMethod(route.method, integration, route.guarded ? { authorizer: this.authorizer, authorizationType: apigateway.AuthorizationType.CUSTOM } : undefined);
    }

    const entrance = addPublicEntrance(this, this.api, {
      edge,
      edgeComment: `mcp-oauth guard edge for ${resource.uri}`,
      customDomain: props.customDomain,
      webAclMetricName: 'McpOAuthProtectedApi',
      rateRules: protectedApiRateRules(resourcePath(resource), props.rateLimits ?? DEFAULT_RATE_LIMITS),
      originVerify: props.originVerify,
      logRetention,
      logRemovalPolicy,
    });
    this.edge = entrance.edge;
    this.distribution = entrance.edge?.distribution;
    this.domainName = entrance.domainName;
    this.webAcl = entrance.webAcl;
    this.url = entrance.url;
  }
}

function backendIntegration(backend: McpBackend, path: string): apigateway.Integration {
  if ('function' in backend) return new apigateway.LambdaIntegration(backend.function);
  return new apigateway.HttpIntegration(`${backend.httpUrl.replace(/\/$/, '')}${path}`, { proxy: true, httpMethod: 'ANY' });
}
