import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ResourceConfig } from '../../lambda/core/config';
import { SERVICE_NAMES } from '../../lambda/adapters/observability/metric-names';
import { AUTHORIZER_IDENTITY_SOURCES } from '../../lambda/adapters/apigw/authorizer-policy';
import { gatewayResponsesFor } from '../../lambda/adapters/apigw/gateway-responses';
import type { CustomDomainDeployConfig } from '../config';
import { AUTHORIZER_PERMISSIONS, MCP_STEP_PERMISSIONS } from '../definitions/function-permissions';
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

/** A function of this app that serves the MCP endpoint itself (the demo server), instead of the resource's configured backend. */
export interface McpFunctionBackend {
  readonly function: lambda.IFunction;
}

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
  /**
   * @default the resource's own backend (resources[].backend): `httpUrl` behind the MCP step
   * (a streaming Lambda proxy integration that enforces tool scopes and passes the verified
   * identity), `lambdaFunctionArn` as a Lambda proxy integration of that function
   */
  readonly backend?: McpFunctionBackend;
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
  readonly entries?: { readonly authorizer?: string; readonly protectedResourceMetadata?: string; readonly mcpStep?: string };
}

/**
 * Puts an MCP server (the demo, any MCP server over HTTP, or your Lambda) behind the guard:
 *
 * - a REQUEST authorizer whose identity sources (its result cache key) are the
 *   Authorization header and the route API Gateway matched (context.resourcePath,
 *   context.httpMethod), with a result TTL of authorizerCacheTtlSeconds (part of the
 *   revocation delay): a cached answer is only replayed where it is right;
 * - one REST resource per configured route path (lib/definitions/rest-routes.ts), every
 *   method behind the authorizer, OPTIONS open;
 * - for an HTTP backend, the MCP step: a streaming Lambda proxy integration that enforces
 *   tool scopes from the JSON-RPC body and forwards the verified identity as headers;
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
  /** The MCP step in front of an HTTP backend (resources[].backend.httpUrl). */
  readonly mcpStepFunction?: OAuthFunction;
  /** What the MCP routes invoke: the given function, the MCP step, or the configured Lambda. */
  readonly backendFunction: lambda.IFunction;
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
    const configured = resource.backend;
    if (!props.backend && !configured) throw new Error(`McpProtectedApi: ${resource.uri} has no backend: give props.backend or resources[].backend`);
    if (!props.backend && configured && 'httpUrl' in configured) {
      if (!/^https:\/\//.test(configured.httpUrl)) throw new Error('McpProtectedApi: an HTTP backend must be https on AWS');
      if (configured.sharedSecret && !configured.sharedSecret.secretArn) throw new Error('McpProtectedApi: backend.sharedSecret needs secretArn on AWS (value is for local mode)');
    }
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
      // The token and the route API Gateway matched: a cached answer is only replayed for the same token, resource and method.
      identitySources: [...AUTHORIZER_IDENTITY_SOURCES],
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

    let backend: apigateway.Integration;
    if (props.backend) {
      this.backendFunction = props.backend.function;
      backend = new apigateway.LambdaIntegration(this.backendFunction);
    } else if ('lambdaFunctionArn' in configured!) {
      this.backendFunction = lambda.Function.fromFunctionArn(this, 'Backend', configured.lambdaFunctionArn);
      backend = new apigateway.LambdaIntegration(this.backendFunction);
    } else {
      this.mcpStepFunction = new OAuthFunction(this, 'McpStep', {
        entry: props.entries?.mcpStep ?? HANDLER_ENTRIES.mcpStep,
        serviceName: SERVICE_NAMES.mcpStep,
        description: `mcp-oauth MCP step for ${resource.uri} (to ${configured!.httpUrl})`,
        settings: FUNCTION_SETTINGS.mcpStep,
        environment: { MCP_RESOURCE_URI: resource.uri },
        configFile: props.bundledConfigFile,
        logRetention,
        logRemovalPolicy,
      });
      const secretArn = configured!.sharedSecret?.secretArn;
      grantFunctionPermissions(this.mcpStepFunction.role, MCP_STEP_PERMISSIONS, {
        backendSharedSecret: secretArn ? secretsmanager.Secret.fromSecretCompleteArn(this, 'BackendSharedSecret', secretArn) : undefined,
      });
      this.backendFunction = this.mcpStepFunction.function;
      // Streamed, so SSE reaches the client event by event ("Set up a Lambda proxy integration with payload response streaming in API Gateway").
      backend = new apigateway.LambdaIntegration(this.backendFunction, { responseTransferMode: apigateway.ResponseTransferMode.STREAM });
    }
    const metadata = new apigateway.LambdaIntegration(this.metadataFunction.function);
    for (const route of protectedApiRoutes(resource)) {
      const node = route.path === '/' ? this.api.root : this.api.root.resourceForPath(route.path);
      node.addMethod(route.method, route.target === 'backend' ? backend : metadata, route.guarded ? { authorizer: this.authorizer, authorizationType: apigateway.AuthorizationType.CUSTOM } : undefined);
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
