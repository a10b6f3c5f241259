/**
 * The CloudFront distribution in front of an emulated API: its CloudFront Functions run on
 * every request (viewer-request) and every response (viewer-response), the gateway's own
 * responses included, as the deployed distribution does. The functions are the very source
 * files the CDK app deploys (lambda/edge), run by cloudfront-functions.ts.
 */
import {
  fromCloudFrontHeaders,
  loadCloudFrontFunction,
  loadViewerRequestFunction,
  toCloudFrontHeaders,
  type CloudFrontHeaderValue,
  type ViewerRequestFunction,
  type ViewerResponseFunction,
} from './cloudfront-functions';
import type { OutgoingReply } from './gateway-responses';
import type { EmulatedEdge } from './types';

/** What the edge knows of the request it serves. */
export interface EdgeRequest {
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly sourceIp: string;
  readonly requestId: string;
}

/** CloudFront's answer when a function fails. */
export const EDGE_FUNCTION_FAILED: OutgoingReply = { status: 503, headers: { 'Content-Type': 'text/plain' }, body: 'The CloudFront function associated with the request failed.' };

export class EmulatedDistribution {
  private readonly viewerResponse?: ViewerResponseFunction;
  private readonly viewerRequest?: ViewerRequestFunction;

  constructor(edge: EmulatedEdge | undefined) {
    if (edge) this.viewerResponse = loadCloudFrontFunction(edge.viewerResponseFunction);
    if (edge?.viewerRequestFunction) this.viewerRequest = loadViewerRequestFunction(edge.viewerRequestFunction);
  }

  /** The viewer-response function, with the reply in CloudFront's event shape; Set-Cookie passes beside it as CloudFront's cookies do. */
  response(reply: OutgoingReply, request: EdgeRequest): OutgoingReply {
    if (!this.viewerResponse) return reply;
    const pairs = [...Object.entries(reply.headers), ...(reply.headerPairs ?? [])];
    const cookies = pairs.filter(([name]) => name.toLowerCase() === 'set-cookie');
    let response;
    try {
      response = this.viewerResponse({
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
