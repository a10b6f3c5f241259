import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { Config } from '../../lambda/core/config';
import { SERVICE_NAMES } from '../../lambda/adapters/observability/metric-names';
import type { CustomDomainDeployConfig, RateLimitsDeployConfig } from '../config';
import { writeBundledConfig } from './bundled-config';
import type { ChallengeRestoringEdge } from './challenge-restoring-edge';
import { HANDLER_ENTRIES } from './handler-entries';
import { OAuthFunction } from './oauth-function';
import type { OAuthTables } from './oauth-tables';
import { addPublicEntrance } from './public-entrance';
import type { RateLimitWebAcl } from './rate-limit-web-acl';
import { stageOptions } from './rest-api-defaults';
import type { SigningKeys } from './signing-keys';
import type { UpstreamLogin } from './upstream-login';

/** The functions of the authorization server, split so each holds only the permissions its endpoints need. */
export type EndpointGroup = 'browser' | 'token' | 'public';

/** Every route of the authorization server and the group that serves it. */
export const AUTHORIZATION_SERVER_ROUTES: readonly { readonly path: string; readonly methods: readonly string[]; readonly group: EndpointGroup }[] = [
  { path: '/authorize', methods: ['GET'], group: 'browser' },
  { path: '/consent', methods: ['GET', 'POST'], group: 'browser' },
  { path: '/callback', methods: ['GET'], group: 'browser' },
  { path: '/token', methods: ['POST', 'OPTIONS'], group: 'token' },
  { path: '/revoke', methods: ['POST', 'OPTIONS'], group: 'token' },
  { path: '/introspect', methods: ['POST'], group: 'token' },
  { path: '/register', methods: ['POST', 'OPTIONS'], group: 'public' },
  { path: '/.well-known/oauth-authorization-server', methods: ['GET', 'OPTIONS'], group: 'public' },
  { path: '/.well-known/jwks.json', methods: ['GET', 'OPTIONS'], group: 'public' },
];

export interface AuthorizationServerApiProps {
  /** The product configuration with the upstream section that will be used in AWS. */
  readonly config: Config;
  readonly tables: OAuthTables;
  readonly signingKeys: SigningKeys;
  readonly upstreamLogin: UpstreamLogin;
  readonly rateLimits: RateLimitsDeployConfig;
  readonly logRetention: logs.RetentionDays;
  /**
   * With the edge on, the domain is the distribution's and its certificate must be in
   * us-east-1; with it off, a regional API Gateway domain. @default no custom domain: the
   * issuer must then be the distribution's URL (or, with the edge off, the stage URL)
   */
  readonly customDomain?: CustomDomainDeployConfig;
  /**
   * A CloudFront distribution in front of the API whose viewer-response function restores
   * the WWW-Authenticate header API Gateway renames, so that a 401 invalid_client from
   * /token carries `WWW-Authenticate: Basic` (RFC 6749 5.2). Caching off, every method,
   * every viewer header but Host forwarded (Authorization, Cookie, Origin, Content-Type).
   * It also stamps the viewer's address for the web ACL's rate rules, and the web ACL then
   * refuses requests that did not come through it (ChallengeRestoringEdge).
   * Off: clients reach the stage directly, are counted by their connection's address, and
   * receive x-amzn-remapped-www-authenticate instead. @default true
   */
  readonly edge?: boolean;
  /** @default 'oauth' */
  readonly stageName?: string;
  /** @default RemovalPolicy.DESTROY for log groups */
  readonly logRemovalPolicy?: RemovalPolicy;
  /** @default lambda/handlers/authorization-server.ts */
  readonly entry?: string;
}

/**
 * The authorization server behind a REST API: one function per endpoint group, so the
 * token group alone may sign, the public group alone registers clients, and the browser
 * group alone touches login sessions. A WAF web ACL rate-limits /authorize, /token and
 * /register per client address (behind the edge, the one the edge saw). By default a
 * CloudFront edge in front restores the WWW-Authenticate header of the handlers' 401s,
 * which API Gateway renames.
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
    // The configuration travels in each bundle (Lambda's environment holds 4 KB in total); the upstream section, which may hold deploy-time values, in a variable.
    const configFile = writeBundledConfig(props.config);
    if (props.customDomain && new URL(props.config.issuer).host !== props.customDomain.domainName) {
      throw new Error(`AuthorizationServerApi: issuer ${props.config.issuer} is not on the custom domain ${props.customDomain.domainName}`);
    }
    const edge = props.edge ?? true;

    const stack = Stack.of(this);
    const environment = {
      MCP_OAUTH_UPSTREAM: stack.toJsonString(props.upstreamLogin.upstreamConfig),
      MCP_OAUTH_TABLES: props.tables.environmentValue(this),
      MCP_OAUTH_SIGNING_KEYS: props.signingKeys.environmentValue(),
    };
    const make = (group: EndpointGroup, description: string) =>
      new OAuthFunction(this, `${group[0]?.toUpperCase()}${group.slice(1)}Endpoints`, {
        entry: props.entry ?? HANDLER_ENTRIES.authorizationServer,
        serviceName: SERVICE_NAMES.authorizationServer,
        description,
        environment: { ...environment, MCP_OAUTH_ENDPOINT_GROUP: group },
        configFile,
        logRetention: props.logRetention,
        logRemovalPolicy: props.logRemovalPolicy,
        timeout: Duration.seconds(group === 'browser' ? 15 : 10),
      });
    this.functions = {
      browser: make('browser', 'mcp-oauth: /authorize, /consent, /callback (login and consent)'),
      token: make('token', 'mcp-oauth: /token, /revoke, /introspect (signs access tokens)'),
      public: make('public', 'mcp-oauth: metadata, JWKS, dynamic client registration'),
    };

    const { tables } = props.tables;
    const browser = this.functions.browser.function;
    tables.clients.grantReadWriteData(browser);
    tables.codes.grantWriteData(browser);
    tables.sessions.grantReadWriteData(browser);
    props.upstreamLogin.allowReadingClientSecret(browser);

    const token = this.functions.token.function;
    tables.clients.grantReadData(token);
    tables.codes.grantReadWriteData(token);
    tables.families.grantReadWriteData(token);
    tables.revocations.grantReadWriteData(token);
    props.signingKeys.allowSigning(token.role!);

    const pub = this.functions.public.function;
    tables.clients.grantReadWriteData(pub);
    props.signingKeys.allowReadingPublicKeys(pub);

    this.api = new apigateway.RestApi(this, 'Api', {
      description: `mcp-oauth authorization server (issuer ${props.config.issuer})`,
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      deployOptions: stageOptions(this, {
        stageName: props.stageName ?? 'oauth',
        rateLimit: props.rateLimits.stageRatePerSecond,
        burstLimit: props.rateLimits.stageBurst,
        logRetention: props.logRetention,
      }),
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.DESTROY,
      // Behind the edge, the stage URL is CloudFront's origin and must stay enabled; the web ACL refuses requests that did not come through the edge.
      disableExecuteApiEndpoint: props.customDomain !== undefined && !edge,
    });
    const integrations = {
      browser: new apigateway.LambdaIntegration(browser),
      token: new apigateway.LambdaIntegration(token),
      public: new apigateway.LambdaIntegration(pub),
    };
    for (const route of AUTHORIZATION_SERVER_ROUTES) {
      const resource = this.api.root.resourceForPath(route.path);
      for (const method of route.methods) resource.addMethod(method, integrations[route.group]);
    }

    const entrance = addPublicEntrance(this, this.api, {
      edge,
      edgeComment: `mcp-oauth authorization server edge (issuer ${props.config.issuer})`,
      customDomain: props.customDomain,
      webAclMetricName: 'McpOAuthAuthorizationServer',
      rateLimits: [
        { name: 'AuthorizeRateLimit', pathSuffix: '/authorize', limitPer5Minutes: props.rateLimits.authorizePer5Minutes },
        { name: 'TokenRateLimit', pathSuffix: '/token', limitPer5Minutes: props.rateLimits.tokenPer5Minutes },
        { name: 'RegisterRateLimit', pathSuffix: '/register', limitPer5Minutes: props.rateLimits.registerPer5Minutes },
      ],
    });
    this.edge = entrance.edge;
    this.distribution = entrance.edge?.distribution;
    this.domainName = entrance.domainName;
    this.webAcl = entrance.webAcl;
    this.url = entrance.url;
  }
}
