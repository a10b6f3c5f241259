/**
 * Runs a Lambda@Edge origin-response function from its source file (a Node.js module that
 * exports `handler`, deployed inline as it is), in a node:vm context with the event shape of
 * "Lambda@Edge event structure": `Records[0].cf` with `config`, `request` and `response`,
 * the status as a string, and headers keyed by lower-case name, each an array of
 * `{ key, value }`. Set-Cookie is an ordinary header here, unlike in CloudFront Functions.
 *
 * What CloudFront answers when the function goes wrong ("Troubleshooting error responses
 * from your origin"): 503 for an execution error (it throws, or runs past its timeout), 502
 * for a validation error (what it returns is not a response).
 */
import { readFileSync } from 'node:fs';
import { Script, createContext } from 'node:vm';
import type { OutgoingReply } from './gateway-responses';
import type { EmulatedLambdaEdgeFunction } from './types';

/** What the edge knows of the request a response answers. */
export interface EdgeRequest {
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly sourceIp: string;
  readonly requestId: string;
}

type LambdaEdgeHeaders = Record<string, { key?: string; value: string }[]>;

interface LambdaEdgeResponse {
  readonly status: string;
  readonly statusDescription?: string;
  readonly headers: LambdaEdgeHeaders;
}

export const LAMBDA_EDGE_EXECUTION_ERROR: OutgoingReply = { status: 503, headers: { 'Content-Type': 'text/plain' }, body: 'The Lambda function associated with the CloudFront distribution failed.' };
export const LAMBDA_EDGE_VALIDATION_ERROR: OutgoingReply = { status: 502, headers: { 'Content-Type': 'text/plain' }, body: 'The Lambda function returned an invalid response to CloudFront.' };

/** The response the function made of the origin's, or CloudFront's own error answer when it failed (then no later function runs). */
export type OriginResponseOutcome = { readonly failed: false; readonly reply: OutgoingReply } | { readonly failed: true; readonly reply: OutgoingReply };

export type OriginResponseFunction = (reply: OutgoingReply, request: EdgeRequest) => Promise<OriginResponseOutcome>;

export function loadOriginResponseFunction(fn: EmulatedLambdaEdgeFunction): OriginResponseFunction {
  const handler = loadModuleHandler(fn.source);
  return async (reply, request) => {
    const pairs = [...Object.entries(reply.headers), ...(reply.headerPairs ?? [])];
    const event = {
      Records: [{
        cf: {
          config: { distributionDomainName: 'local.cloudfront.net', distributionId: 'ELOCALEDGE', eventType: 'origin-response', requestId: request.requestId },
          request: { clientIp: request.sourceIp, headers: {}, method: request.method, querystring: request.rawQuery, uri: request.path },
          response: { status: String(reply.status), statusDescription: '', headers: toLambdaEdgeHeaders(pairs) },
        },
      }],
    };
    let result: unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      result = await Promise.race([
        // The event crosses into the function's context as plain data, as Lambda serializes it.
        Promise.resolve(handler(JSON.parse(JSON.stringify(event)))).then((value) => JSON.parse(JSON.stringify(value ?? null)) as unknown),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), fn.timeoutSeconds * 1000);
        }),
      ]);
    } catch {
      return { failed: true, reply: LAMBDA_EDGE_EXECUTION_ERROR };
    } finally {
      clearTimeout(timer);
    }
    const response = validResponse(result);
    if (!response) return { failed: true, reply: LAMBDA_EDGE_VALIDATION_ERROR };
    return { failed: false, reply: { status: Number(response.status), headers: {}, body: reply.body, bytes: reply.bytes, headerPairs: fromLambdaEdgeHeaders(response.headers) } };
  };
}

function loadModuleHandler(sourcePath: string): (event: unknown) => unknown {
  const source = readFileSync(sourcePath, 'utf8');
  const module = { exports: {} as Record<string, unknown> };
  const context = createContext({ module, exports: module.exports });
  new Script(source, { filename: sourcePath }).runInContext(context);
  const handler = module.exports.handler;
  if (typeof handler !== 'function') throw new Error(`${sourcePath} exports no handler(event) function`);
  return handler as (event: unknown) => unknown;
}

function toLambdaEdgeHeaders(pairs: readonly (readonly [string, string])[]): LambdaEdgeHeaders {
  const headers: LambdaEdgeHeaders = Object.create(null) as LambdaEdgeHeaders;
  for (const [name, value] of pairs) (headers[name.toLowerCase()] ??= []).push({ key: name, value });
  return headers;
}

function fromLambdaEdgeHeaders(headers: LambdaEdgeHeaders): [string, string][] {
  return Object.entries(headers).flatMap(([name, values]) => values.map((header): [string, string] => [header.key ?? name, header.value]));
}

/** The function's answer when it is a response CloudFront accepts: a status of 100-599 and headers whose keys match their names. */
function validResponse(value: unknown): LambdaEdgeResponse | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const response = value as Partial<LambdaEdgeResponse>;
  const status = Number(response.status);
  if (!Number.isInteger(status) || status < 100 || status > 599) return undefined;
  if (typeof response.headers !== 'object' || response.headers === null) return undefined;
  for (const [name, values] of Object.entries(response.headers)) {
    if (name !== name.toLowerCase() || !Array.isArray(values)) return undefined;
    for (const header of values) {
      if (typeof header?.value !== 'string') return undefined;
      if (header.key !== undefined && header.key.toLowerCase() !== name) return undefined;
    }
  }
  return response as LambdaEdgeResponse;
}
