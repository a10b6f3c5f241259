/**
 * The contract of the local API Gateway emulator (stage.ts and its parts). It turns HTTP
 * requests into the same REST API proxy events AWS sends and applies what API Gateway
 * applies: REQUEST authorizers with a result cache keyed on identity sources, gateway
 * responses (UNAUTHORIZED, ACCESS_DENIED, ...), the renaming of an integration's
 * WWW-Authenticate header to x-amzn-remapped-www-authenticate, the 29 s integration
 * timeout and the 10 MB payload limit, and integrations that stream their response.
 */
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
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
}

/** API Gateway gateway responses: the status, static headers and body template for a response type. */
export interface EmulatedGatewayResponse {
  readonly statusCode: number;
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
  /** WAF rate-based rules in front of the API: requests per source IP (behind an edge with `viewerIpHeader`, per stamped viewer address) and window; over the limit gets 429. */
  readonly rateLimits?: readonly EmulatedRateLimit[];
  /** API Gateway's integration timeout; 29 000 ms as on AWS unless a test shortens it. */
  readonly integrationTimeoutMs?: number;
  /** A CloudFront distribution in front of the API. @default none: clients talk to API Gateway directly */
  readonly edge?: EmulatedEdge;
}

/** CloudFront in front of the API: CloudFront Functions run on every request and response, as the deployed distribution does. */
export interface EmulatedEdge {
  /** Path of a CloudFront Function source file (cloudfront-js-2.0), associated at viewer-response. */
  readonly viewerResponseFunction: string;
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

/** A WAF rate-based rule scoped to requests whose path starts with pathPrefix. */
export interface EmulatedRateLimit {
  readonly pathPrefix: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

export interface RunningApi {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
  /** Drops cached authorizer results (tests of the revocation delay use the TTL instead). */
  clearAuthorizerCache(): void;
}
