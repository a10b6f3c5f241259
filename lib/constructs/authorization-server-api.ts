import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SERVICE_NAMES } from '../../lambda/adapters/observability/metric-names';
import type { CustomDomainDeployConfig } from '../config';
import { ENDPOINT_GROUP_PERMISSIONS } from '../definitions/function-permissions';
import type { CookieKey } from './cookie-key';
import { FUNCTION_SETTINGS } from '../definitions/function-settings';
import { authorizationServerRateRules, DEFAULT_RATE_LIMITS, DEFAULT_STAGE_THROTTLING, type RateLimits, type StageThrottling } from '../definitions/rate-rules';
import { AUTHORIZATION_SERVER_ROUTES, type EndpointGroup } from '../definitions/rest-routes';
import type { ChallengeRestoringEdge, OriginVerifyRotation } from './challenge-restoring-edge';
import { grantFunctionPermissions } from './function-grants';
import { HANDLER_ENTRIES } from './handler-entries';
import { OAuthFunction } from './oauth-function';
import type { OAuthTables } from './oauth-tables';
import { addPublicEntrance } from './public-entrance';
import type { RateLimitWebAcl } from './rate-limit-web-acl';
import { stageOptions } from './rest-api-defaults';
import type { SigningKeys } from './signing-keys';
import type { UpstreamLogin } from './upstream-login';

export { AUTHORIZATION_SERVER_ROUTES, type EndpointGroup } from '../definitions/rest-routes';

export interface AuthorizationServerApiProps {
  /** The issuer every token carries (the product configuration's); must be on customDomain when one is given. */
  readonly issuer: string;
  /** The validated product configuration as a file (writeBundledConfig), copied into every function's bundle. */
  readonly bundledConfigFile: string;
  readonly tables: OAuthTables;
  readonly signingKeys: SigningKeys;
  /** The key of the sealed browser cookies; only the browser function gets it. */
  readonly cookieKey: CookieKey;
  readonly upstreamLogin: UpstreamLogin;
  /** WAF rate rules per viewer. @default DEFAULT_RATE_LIMITS */
  readonly rateLimits?: RateLimits;
  /** @default DEFAULT_STAGE_THROTTLING.authorizationServer */
  readonly stageThrottling?: StageThrottling;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** Of the functions', access and WAF log groups. @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * With the edge on, the domain is the distribution's and its certificate must be in
   * us-east-1; with it off, a regional API Gateway domain. @default no custom domain: the
   * issuer must then be the distribution's URL (or, with the edge off, the stage URL)
   */
  readonly customDomain?: CustomDomainDeployConfig;
  /**
   * A CloudFront distribution in front of the API whose origin-response function restores
   * the WWW-Authenticate header API Gateway renames, so that a 401 invalid_client from
   * /token carries `WWW-Authenticate: Basic` (RFC 6749 5.2). It also stamps the viewer's
   * address for the web ACL's rate rules, and the web ACL then refuses requests that did not
   * come through it (ChallengeRestoringEdge). Off: clients reach the stage directly, are
   * counted by their connection's address, and receive x-amzn-remapped-www-authenticate
   * instead. @default true
   */
  readonly edge?: boolean;
  /** The edge's origin secret rotation. @default generation 1 */
  readonly originVerify?: OriginVerifyRotation;
  /** The REST API's name, unique per account and region so its metrics are too. @default `<stack name>-<id>` */
  readonly apiName?: string;
  /** @default 'oauth' */
  readonly stageName?: string;
  /** @default lambda/handlers/authorization-server.ts */
  readonly entry?: string;
}

/**
 * The authorization server behind a REST API: one function per endpoint group, so the
 * token group alone may sign, the public group alone registers clients, and the browser
 * group alone touches login sessions; each holds exactly the permissions of
 * ENDPOINT_GROUP_PERMISSIONS. The routes are AUTHORIZATION_SERVER_ROUTES; a WAF web ACL
 * rate-limits each sensitive endpoint and every path per viewer (behind the edge, the
 * address it saw). By default a CloudFront edge in front restores the WWW-Authenticate
 * header of the handlers' 401s, which API Gateway renames.
 */
export class AuthorizationServerApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly functions: Readonly<Record<EndpointGroup, OAuthFunction>>;
  readonly webAcl: RateLimitWebAcl;
  readonly domainName?: apigateway.DomainName;
  /** The edge in front of the API (props.edge). */
  readonly edge?: ChallengeRestoringEdge;
  readonly distribution?: cloudfront.Distribution;
  /** The URL clients reach: the custom domain, the distribution, or the stage. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: AuthorizationServerApiProps) {
    super(scope, id);
    if (props.customDomain && new URL(props.issuer).host !== props.customDomain.domainName) {
      throw new Error(`AuthorizationServerApi: issuer ${props.issuer} is not on the custom domain ${props.customDomain.domainName}`);
    }
    const edge = props.edge ?? true;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.DESTROY;

    // The configuration travels in each bundle (Lambda's environment holds 4 KB in total); the upstream section, which may hold deploy-time values, in a variable.
    const environment = {
      MCP_OAUTH_UPSTREAM: Stack.of(this).toJsonString(props.upstreamLogin.upstreamConfig),
      MCP_OAUTH_TABLES: props.tables.environmentValue(this),
      MCP_OAUTH_SIGNING_KEYS: props.signingKeys.environmentValue(),
    };
    const make = (group: EndpointGroup, settings: (typeof FUNCTION_SETTINGS)[keyof typeof FUNCTION_SETTINGS], description: string) => {
      const fn = new OAuthFunction(this, `${group[0]?.toUpperCase()}${group.slice(1)}Endpoints`, {
        entry: props.entry ?? HANDLER_ENTRIES.authorizationServer,
        serviceName: SERVICE_NAMES.authorizationServer,
        description,
        settings,
        environment: { ...environment, MCP_OAUTH_ENDPOINT_GROUP: group, ...(ENDPOINT_GROUP_PERMISSIONS[group].deriveCookieKey ? { MCP_OAUTH_COOKIE_KEY: props.cookieKey.key.keyArn } : {}) },
        configFile: props.bundledConfigFile,
        logRetention,
        logRemovalPolicy,
      });
      grantFunctionPermissions(fn.role, ENDPOINT_GROUP_PERMISSIONS[group], { tables: props.tables.tables, signingKeys: props.signingKeys, cookieKey: props.cookieKey, upstreamLogin: props.upstreamLogin });
      return fn;
    };
    this.functions = {
      browser: make('browser', FUNCTION_SETTINGS.browserEndpoints, 'mcp-oauth: /authorize, /consent, /callback (login and consent)'),
      token: make('token', FUNCTION_SETTINGS.tokenEndpoints, 'mcp-oauth: /token, /revoke, /introspect (signs access tokens)'),
      public: make('public', FUNCTION_SETTINGS.publicEndpoints, 'mcp-oauth: metadata, JWKS, dynamic client registration'),
    };

    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: props.apiName ?? `${Stack.of(this).stackName}-${id}`,
      description: `mcp-oauth authorization server (issuer ${props.issuer})`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      deployOptions: stageOptions(this, {
        stageName: props.stageName ?? 'oauth',
        throttling: props.stageThrottling ?? DEFAULT_STAGE_THROTTLING.authorizationServer,
        logRetention,
        logRemovalPolicy,
      }),
      // The account-wide CloudWatch role is not this API's to own (ApiGatewayAccountStack).
      cloudWatchRole: false,
      // Behind the edge, the stage URL is CloudFront's origin and must stay enabled; the web ACL refuses requests that did not come through the edge.
      disableExecuteApiEndpoint: props.customDomain !== undefined && !edge,
    });
    const integrations = {
      browser: new apigateway.LambdaIntegration(this.functions.browser.function),
      token: new apigateway.LambdaIntegration(this.functions.token.function),
      public: new apigateway.LambdaIntegration(this.functions.public.function),
    };
    for (const route of AUTHORIZATION_SERVER_ROUTES) {
      const resource = this.api.root.resourceForPath(route.path);
      for (const method of route.methods) resource.addMethod(method, integrations[route.group]);
    }

    const entrance = addPublicEntrance(this, this.api, {
      edge,
      edgeComment: `mcp-oauth authorization server edge (issuer ${props.issuer})`,
      customDomain: props.customDomain,
      webAclMetricName: 'McpOAuthAuthorizationServer',
      rateRules: authorizationServerRateRules(props.rateLimits ?? DEFAULT_RATE_LIMITS),
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
