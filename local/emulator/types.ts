/**
 * The contract of the local API Gateway emulator (stage.ts and its parts). It turns HTTP
 * requests into the same REST API proxy events AWS sends and applies what API Gateway
 * applies: REQUEST authorizers with a result cache keyed on identity sources, gateway
 * responses (UNAUTHORIZED, ACCESS_DENIED, ...), the renaming of an integration's
 * WWW-Authenticate header to x-amzn-remapped-www-authenticate, stage throttling, the 29 s
 * integration timeout, each function's own timeout, the 10 MB API and 6 MB Lambda payload
 * limits, binary media types, and integrations that stream their response; in front of it,
 * WAF rate-based rules and a CloudFront edge with its functions.
 */
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import type { RateRule, StageThrottling } from '../../lib/definitions/rate-rules';
import type { StreamingLambdaHandler } from './streaming-integration';

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
export type RequestAuthorizerHandler = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

interface EmulatedRouteBase {
  /** HTTP method or 'ANY'. */
  readonly method: string;
  /** API Gateway resource path: '/token', '/.well-known/{proxy+}', '/{proxy+}'. */
  readonly resource: string;
  /** Whether the API's authorizer guards this route. */
  readonly authorized?: boolean;
  /**
   * The integrated function's Lambda timeout (FUNCTION_SETTINGS). A function that runs
   * longer fails as Lambda makes it fail ("Task timed out"), which API Gateway answers with
   * 502; one longer than the integration timeout gets the 504 of INTEGRATION_TIMEOUT first.
   * @default none: only the integration timeout applies
   */
  readonly timeoutSeconds?: number;
}

/** A Lambda proxy integration: buffered (the default), or with response streaming (responseTransferMode STREAM). */
export type EmulatedRoute =
  | (EmulatedRouteBase & { readonly responseTransferMode?: 'BUFFERED'; readonly handler: ProxyHandler })
  | (EmulatedRouteBase & { readonly responseTransferMode: 'STREAM'; readonly handler: StreamingLambdaHandler });

export interface EmulatedAuthorizer {
  readonly handler: RequestAuthorizerHandler;
  /** e.g. ['method.request.header.Authorization']. A request missing any of them gets UNAUTHORIZED without invoking the authorizer, as AWS does when caching is on. */
  readonly identitySources: readonly string[];
  /** API Gateway's authorizerResultTtlInSeconds; 0 disables the cache. */
  readonly resultTtlSeconds: number;
  /** The authorizer function's Lambda timeout: past it, API Gateway answers 500 (AUTHORIZER_CONFIGURATION_ERROR). @default none */
  readonly timeoutSeconds?: number;
}

/** API Gateway gateway responses: the status, static headers and body template for a response type. */
export interface EmulatedGatewayResponse {
  /** Undefined keeps the type's own status; on DEFAULT_4XX / DEFAULT_5XX a status applies to every type of the family that is not customised itself. */
  readonly statusCode?: number;
  /** Header values as they are configured, e.g. `'Bearer resource_metadata="..."'` without the outer single quotes. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface EmulatedApiSpec {
  /** For logs. */
  readonly name: string;
  readonly port: number;
  /** Host to bind; 127.0.0.1 unless a test says otherwise. */
  readonly host?: string;
  readonly routes: readonly EmulatedRoute[];
  readonly authorizer?: EmulatedAuthorizer;
  /** Keys: API Gateway response types such as UNAUTHORIZED, ACCESS_DENIED, DEFAULT_4XX, DEFAULT_5XX. */
  readonly gatewayResponses?: Readonly<Record<string, EmulatedGatewayResponse>>;
  /** The stage name in requestContext.stage; the URL has no stage prefix (as with a custom domain). */
  readonly stage?: string;
  /** The WAF web ACL on the stage (waf.ts). @default none */
  readonly waf?: EmulatedWebAclSpec;
  /** The stage's throttling (a token bucket: ratePerSecond, burst); past it, 429 THROTTLED. @default none */
  readonly throttling?: StageThrottling;
  /** The REST API's binaryMediaTypes: a proxy result with isBase64Encoded is decoded only for these. @default none */
  readonly binaryMediaTypes?: readonly string[];
  /** API Gateway's integration timeout; 29 000 ms as on AWS unless a test shortens it. */
  readonly integrationTimeoutMs?: number;
  /** A CloudFront distribution in front of the API. @default none: clients talk to API Gateway directly */
  readonly edge?: EmulatedEdge;
  /** The clock of WAF's counts and the stage's token bucket; tests give a controllable one. @default Date.now */
  readonly now?: () => number;
}

/** The rate-based rules of a web ACL, as lib/definitions/rate-rules.ts defines them for the deployment. */
export interface EmulatedWebAclSpec {
  readonly rules: readonly RateRule[];
  /**
   * How often WAF re-estimates each rate; between two estimates a client keeps the decision
   * of the last one, so a flood is blocked some time after it passes the limit and stays
   * blocked some time after it stops ("Rate-based rule caveats": usually below 30 s).
   * @default 0: every request is estimated anew
   */
  readonly estimateIntervalMs?: number;
}

/**
 * CloudFront in front of the API, with the deployed distribution's function associations.
 * As on CloudFront ("Restrictions on all edge functions"), the origin-response function runs
 * for every response from the origin (API Gateway and its web ACL), a viewer-response
 * function only when that response's status is below 400.
 */
export interface EmulatedEdge {
  /** A Lambda@Edge function (a Node.js module exporting `handler`), associated at origin-response. @default none */
  readonly originResponseFunction?: EmulatedLambdaEdgeFunction;
  /** Path of a CloudFront Function source file (cloudfront-js-2.0), associated at viewer-response. @default none */
  readonly viewerResponseFunction?: string;
  /**
   * Path of a CloudFront Function source file (cloudfront-js-2.0), associated at
   * viewer-request: the headers it returns are the ones WAF, API Gateway and the handlers see.
   * @default none: the viewer's headers pass unchanged
   */
  readonly viewerRequestFunction?: string;
  /**
   * The header the viewer-request function sets to the viewer's address. The rate limits then
   * count by its value, as the deployed web ACL's CUSTOM_KEYS rules do, and a request without
   * it is refused with 403, as the web ACL's ViewerIpStamped rule does.
   * @default none: the rate limits count the connection's address
   */
  readonly viewerIpHeader?: string;
}

export interface EmulatedLambdaEdgeFunction {
  /** Path of the function's source file. */
  readonly source: string;
  /** Its Lambda timeout; past it, CloudFront answers 503 as for a failed function. */
  readonly timeoutSeconds: number;
}

export interface RunningApi {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  /** Drops cached authorizer results (tests of the revocation delay use the TTL instead). */
  clearAuthorizerCache(): void;
}
