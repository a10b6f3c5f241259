/**
 * The CloudFront distribution in front of an emulated API, with the function associations
 * the deployed one has (the very source files the CDK app deploys, from lambda/edge): a
 * CloudFront Function at viewer-request, run on every request (cloudfront-functions.ts); a
 * Lambda@Edge function at origin-response, run on every response from the origin, API
 * Gateway's own and its web ACL's included (lambda-edge.ts); and, where a test associates
 * one, a CloudFront Function at viewer-response, run only when the response's status is
 * below 400. That is CloudFront's rule ("Restrictions on all edge functions", HTTP status
 * codes: no viewer-response function for an origin status of 400 or higher; origin-response
 * functions for all origin responses), so a challenge on a 401 or 403 reaches a client here
 * only through the mechanism that also works on AWS.
 */
import {
  fromCloudFrontHeaders,
  loadViewerResponseFunction,
  loadViewerRequestFunction,
  toCloudFrontHeaders,
  type CloudFrontHeaderValue,
  type ViewerRequestFunction,
  type ViewerResponseFunction,
} from './cloudfront-functions';
import type { OutgoingReply } from './gateway-responses';
import { loadOriginResponseFunction, type EdgeRequest, type OriginResponseFunction } from './lambda-edge';
import type { EmulatedEdge } from './types';

export type { EdgeRequest } from './lambda-edge';

/** CloudFront's answer when a CloudFront Function fails ("HTTP 503 status code (function execution error)"). */
export const EDGE_FUNCTION_FAILED: OutgoingReply = { status: 503, headers: { 'Content-Type': 'text/plain' }, body: 'The CloudFront function associated with the request failed.' };

/** The lowest origin status for which CloudFront skips viewer-response functions. */
const NO_VIEWER_RESPONSE_FROM_STATUS = 400;

export class EmulatedDistribution {
  private readonly viewerRequest?: ViewerRequestFunction;
  private readonly originResponse?: OriginResponseFunction;
  private readonly viewerResponse?: ViewerResponseFunction;

  constructor(edge: EmulatedEdge | undefined) {
    if (edge?.viewerRequestFunction) this.viewerRequest = loadViewerRequestFunction(edge.viewerRequestFunction);
    if (edge?.originResponseFunction) this.originResponse = loadOriginResponseFunction(edge.originResponseFunction);
    if (edge?.viewerResponseFunction) this.viewerResponse = loadViewerResponseFunction(edge.viewerResponseFunction);
  }

  /**
   * A response from the origin on its way to the viewer: the origin-response function sees
   * it whatever its status; the viewer-response function only below 400. A failing function
   * gives CloudFront's own error answer, which no function sees.
   */
  async response(reply: OutgoingReply, request: EdgeRequest): Promise<OutgoingReply> {
    let current = reply;
    if (this.originResponse) {
      const outcome = await this.originResponse(current, request);
      if (outcome.failed) return outcome.reply;
      current = outcome.reply;
    }
    if (!this.viewerResponse || current.status >= NO_VIEWER_RESPONSE_FROM_STATUS) return current;
    return this.runViewerResponse(current, request);
  }

  /** The viewer-response function, with the reply in CloudFront's event shape; Set-Cookie passes beside it as CloudFront's cookies do. */
  private runViewerResponse(reply: OutgoingReply, request: EdgeRequest): OutgoingReply {
    const pairs = [...Object.entries(reply.headers), ...(reply.headerPairs ?? [])];
    const cookies = pairs.filter(([name]) => name.toLowerCase() === 'set-cookie');
    let response;
    try {
      response = this.viewerResponse!({
        version: '1.0',
        context: { eventType: 'viewer-response', requestId: request.requestId, distributionDomainName: 'local.cloudfront.net' },
        viewer: { ip: request.sourceIp },
        request: { method: request.method, uri: request.path, querystring: cloudFrontQuery(request.rawQuery), headers: {}, cookies: {} },
        response: { statusCode: reply.status, headers: toCloudFrontHeaders(pairs.filter(([name]) => name.toLowerCase() !== 'set-cookie')), cookies: {} },
      });
    } catch {
      return EDGE_FUNCTION_FAILED;
    }
    return { status: response.statusCode, headers: {}, body: reply.body, bytes: reply.bytes, headerPairs: [...fromCloudFrontHeaders(response.headers), ...cookies] };
  }

  /**
   * The viewer-request function, with the request in CloudFront's event shape (cookies beside
   * the headers, as CloudFront hands them over): what it returns is the request WAF and API
   * Gateway see. Headers it left as they were keep the caller's spelling; headers it set reach
   * the origin as CloudFront writes them (Capitalized-Words). Undefined when the function fails
   * (CloudFront then answers 503); the pairs as they are when there is no such function.
   */
  request(pairs: [string, string][], request: EdgeRequest): [string, string][] | undefined {
    if (!this.viewerRequest) return pairs;
    const isCookie = ([name]: readonly [string, string]) => name.toLowerCase() === 'cookie';
    const before = toCloudFrontHeaders(pairs.filter((pair) => !isCookie(pair)));
    let after: Record<string, CloudFrontHeaderValue>;
    try {
      after = this.viewerRequest({
        version: '1.0',
        context: { eventType: 'viewer-request', requestId: request.requestId, distributionDomainName: 'local.cloudfront.net' },
        viewer: { ip: request.sourceIp },
        request: { method: request.method, uri: request.path, querystring: cloudFrontQuery(request.rawQuery), headers: before, cookies: {} },
      }).headers;
    } catch {
      return undefined;
    }
    const unchanged = (name: string) => name in after && JSON.stringify(after[name]) === JSON.stringify(before[name]);
    const kept = pairs.filter((pair) => isCookie(pair) || unchanged(pair[0].toLowerCase()));
    const written = Object.entries(after)
      .filter(([name]) => !unchanged(name))
      .flatMap(([name, header]) => fromCloudFrontHeaders({ [name]: header }).map(([, value]): [string, string] => [cloudFrontHeaderName(name), value]));
    return [...kept, ...written];
  }
}

function cloudFrontQuery(rawQuery: string): Record<string, { value: string }> {
  return Object.fromEntries([...new URLSearchParams(rawQuery)].map(([k, v]) => [k, { value: v }]));
}

/** How CloudFront spells a header a function wrote: each hyphen-separated word capitalized ("CloudFront Functions event structure"). */
function cloudFrontHeaderName(name: string): string {
  return name.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('-');
}
