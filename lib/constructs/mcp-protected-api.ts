import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Config, ResourceConfig } from '../../lambda/core/config';
import { SERVICE_NAMES } from '../../lambda/adapters/observability/metric-names';
import { gatewayResponsesFor, protectedResourceMetadataPaths } from '../../lambda/core/guard/challenges';
import type { CustomDomainDeployConfig } from '../config';
import { writeBundledConfig } from './bundled-config';
import type { ChallengeRestoringEdge } from './challenge-restoring-edge';
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
  /** The product configuration: issuer, resources and their rules, guard settings. */
  readonly config: Config;
  /** The resource this API serves: one of config.resources[].uri. @default config.defaultResource */
  readonly resourceUri?: string;
  /** The authorization server's revocations table; the authorizer may only BatchGetItem it. */
  readonly revocationsTable: dynamodb.ITable;
  readonly backend: McpBackend;
  /** @default 'mcp' */
  readonly stageName?: string;
  /** @default 100 requests per second, burst 200 */
  readonly throttling?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Requests per client IP per 5 minutes to the MCP endpoint. @default 3000 */
  readonly requestsPer5Minutes?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * With the edge on, the domain is the distribution's and its certificate must be in
   * us-east-1; with it off, a regional API Gateway domain. @default none: the resource URI
   * must then be on the distribution's (or the stage's) URL
   */
  readonly customDomain?: CustomDomainDeployConfig;
  /**
   * A CloudFront distribution in front of the API whose viewer-response function restores
   * the WWW-Authenticate header API Gateway renames when the MCP server answers 403 with a
   * tool-level challenge. Caching off, every method, every viewer header but Host forwarded.
   * It also stamps the viewer's address for the web ACL's rate rule, and the web ACL then
   * refuses requests that did not come through it (ChallengeRestoringEdge).
   * Off: clients reach the stage directly, are counted by their connection's address, and
   * such challenges arrive as x-amzn-remapped-www-authenticate. @default true
   */
  readonly edge?: boolean;
  /** @default RemovalPolicy.DESTROY for log groups */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** @default the handlers in lambda/handlers */
  readonly entries?: { readonly authorizer?: string; readonly protectedResourceMetadata?: string };
}

/**
 * Puts an MCP server (a Lambda function or an HTTP backend) behind the guard:
 *
 * - a REQUEST authorizer on the Authorization header whose result cache TTL is the
 *   configured guard.authorizerCacheTtlSeconds (part of the revocation delay). With the
 *   cache on, its policies cover every route the token opens; with it off (0) it also
 *   decides per tool from Mcp-Method/Mcp-Name headers.
 * - the UNAUTHORIZED and ACCESS_DENIED gateway responses that carry the 401 and 403
 *   Bearer challenges. API Gateway renames a WWW-Authenticate header coming from an
 *   integration, so the challenges clients read must come from API Gateway itself.
 * - the protected resource metadata (RFC 9728) at the path-inserted and the root
 *   well-known URLs, without authorization.
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
    const resourceUri = props.resourceUri ?? props.config.defaultResource;
    const resource = props.config.resources.find((r) => r.uri === resourceUri);
    if (!resource) throw new Error(`McpProtectedApi: ${resourceUri} is not one of the configured resources`);
    this.resource = resource;
    const resourceUrl = new URL(resource.uri);
    if (props.customDomain && resourceUrl.host !== props.customDomain.domainName) {
      throw new Error(`McpProtectedApi: resource ${resource.uri} is not on the custom domain ${props.customDomain.domainName}`);
    }
    if ('httpUrl' in props.backend && !/^https:\/\//.test(props.backend.httpUrl)) throw new Error('McpProtectedApi: an HTTP backend must be https');
    const edge = props.edge ?? true;
    const cacheTtl = props.config.guard.authorizerCacheTtlSeconds;
    const responses = gatewayResponsesFor(resource, props.config);
    for (const response of [responses.UNAUTHORIZED, responses.ACCESS_DENIED]) {
      for (const [name, value] of Object.entries(response.headers)) {
        // CloudFormation wants static values wrapped in single quotes, so a quote inside cannot be expressed.
        if (value.includes("'")) throw new Error(`McpProtectedApi: gateway response header ${name} contains a single quote`);
      }
    }

    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const configFile = writeBundledConfig(props.config);
    this.authorizerFunction = new OAuthFunction(this, 'Authorizer', {
      entry: props.entries?.authorizer ?? HANDLER_ENTRIES.authorizer,
      serviceName: SERVICE_NAMES.authorizer,
      description: `mcp-oauth REQUEST authorizer for ${resource.uri}`,
      environment: { MCP_RESOURCE_URI: resource.uri, REVOCATIONS_TABLE_NAME: props.revocationsTable.tableName },
      configFile,
      memorySize: 1024,
      timeout: Duration.seconds(5),
      logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });
    // Only the revocation lookup: the authorizer verifies with the public JWKS and never touches KMS.
    this.authorizerFunction.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:BatchGetItem'],
      resources: [props.revocationsTable.tableArn],
    }));
    this.metadataFunction = new OAuthFunction(this, 'ProtectedResourceMetadata', {
      entry: props.entries?.protectedResourceMetadata ?? HANDLER_ENTRIES.protectedResourceMetadata,
      serviceName: SERVICE_NAMES.protectedResourceMetadata,
      description: `mcp-oauth protected resource metadata for ${resource.uri}`,
      environment: { MCP_RESOURCE_URI: resource.uri },
      configFile,
      memorySize: 256,
      logRetention,
      logRemovalPolicy: props.logRemovalPolicy,
    });

    this.api = new apigateway.RestApi(this, 'Api', {
      description: `MCP server ${resource.name} (${resource.uri}) behind the mcp-oauth guard`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      deployOptions: stageOptions(this, {
        stageName: props.stageName ?? 'mcp',
        rateLimit: props.throttling?.rateLimit ?? 100,
        burstLimit: props.throttling?.burstLimit ?? 200,
        logRetention,
      }),
      cloudWatchRole: false,
      // Behind the edge, the stage URL is CloudFront's origin and must stay enabled; the web ACL refuses requests that did not come through the edge.
      disableExecuteApiEndpoint: props.customDomain !== undefined && !edge,
    });
    this.authorizer = new apigateway.RequestAuthorizer(this, 'RequestAuthorizer', {
      handler: this.authorizerFunction.function,
      identitySources: [apigateway.IdentitySource.header('Authorization')],
      resultsCacheTtl: Duration.seconds(cacheTtl),
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
    for (const path of protectedResourceMetadataPaths(resource)) {
      const node = this.api.root.resourceForPath(path);
      node.addMethod('GET', metadata);
      node.addMethod('OPTIONS', metadata);
    }

    const mcpPaths = new Set<string>([resourceUrl.pathname.replace(/\/$/, '') || '/', ...resource.routes.map((r) => r.path)]);
    for (const path of mcpPaths) {
      const node = path === '/' ? this.api.root : this.api.root.resourceForPath(path);
      const integration = backendIntegration(props.backend, path);
      node.addMethod('ANY', integration, { authorizer: this.authorizer, authorizationType: apigateway.AuthorizationType.CUSTOM });
      // A CORS preflight carries no Authorization header; the backend answers it without the guard.
      node.addMethod('OPTIONS', integration);
    }

    const entrance = addPublicEntrance(this, this.api, {
      edge,
      edgeComment: `mcp-oauth guard edge for ${resource.uri}`,
      customDomain: props.customDomain,
      webAclMetricName: 'McpOAuthProtectedApi',
      rateLimits: [{ name: 'McpRateLimit', pathSuffix: resourceUrl.pathname.replace(/\/$/, '') || '/', limitPer5Minutes: props.requestsPer5Minutes ?? 3000 }],
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
