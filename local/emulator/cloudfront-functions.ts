/**
 * Runs a CloudFront Function's source (cloudfront-js-2.0: a script defining `handler(event)`)
 * in a node:vm context, with CloudFront's viewer-request or viewer-response event shape, so
 * that local mode runs the very file the CDK app deploys. Header names are lower case and values are
 * `{ value, multiValue? }`, as CloudFront hands them over; Set-Cookie travels as cookies,
 * which the function does not see as headers and which are passed through untouched.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script, createContext } from 'node:vm';
import { recordOfSentNames } from '../../lambda/core/http';

/** The viewer-request function both APIs' distributions run: it stamps the viewer's address for the WAF rate rules. */
export const STAMP_VIEWER_IP_SOURCE = join(__dirname, '..', '..', 'lambda', 'edge', 'stamp-viewer-ip.js');

export interface CloudFrontHeaderValue {
  readonly value: string;
  readonly multiValue?: readonly { readonly value: string }[];
}

export interface CloudFrontViewerResponseEvent {
  readonly version: '1.0';
  readonly context: { readonly eventType: 'viewer-response'; readonly requestId: string; readonly distributionDomainName: string };
  readonly viewer: { readonly ip: string };
  readonly request: { readonly method: string; readonly uri: string; readonly querystring: Record<string, unknown>; readonly headers: Record<string, CloudFrontHeaderValue>; readonly cookies: Record<string, unknown> };
  readonly response: CloudFrontResponse;
}

export interface CloudFrontRequest {
  readonly method: string;
  readonly uri: string;
  readonly querystring: Record<string, unknown>;
  readonly headers: Record<string, CloudFrontHeaderValue>;
  readonly cookies: Record<string, unknown>;
}

export interface CloudFrontViewerRequestEvent {
  readonly version: '1.0';
  readonly context: { readonly eventType: 'viewer-request'; readonly requestId: string; readonly distributionDomainName: string };
  readonly viewer: { readonly ip: string };
  readonly request: CloudFrontRequest;
}

export interface CloudFrontResponse {
  readonly statusCode: number;
  readonly statusDescription?: string;
  readonly headers: Record<string, CloudFrontHeaderValue>;
  readonly cookies?: Record<string, unknown>;
}

export type ViewerResponseFunction = (event: CloudFrontViewerResponseEvent) => CloudFrontResponse;
/** Returns the request to send on (a viewer-request function may also answer with a response; ours never does). */
export type ViewerRequestFunction = (event: CloudFrontViewerRequestEvent) => CloudFrontRequest;

export function loadViewerResponseFunction(sourcePath: string): ViewerResponseFunction {
  return loadHandler(sourcePath) as ViewerResponseFunction;
}

export function loadViewerRequestFunction(sourcePath: string): ViewerRequestFunction {
  return loadHandler(sourcePath) as ViewerRequestFunction;
}

function loadHandler(sourcePath: string): (event: unknown) => unknown {
  const source = readFileSync(sourcePath, 'utf8');
  const context = createContext({});
  const handler = new Script(`${source}\n;handler;`, { filename: sourcePath }).runInContext(context) as unknown;
  if (typeof handler !== 'function') throw new Error(`${sourcePath} defines no handler(event) function`);
  // The event crosses into the function's context as plain data, as CloudFront serializes it.
  return (event) => JSON.parse(JSON.stringify((handler as (e: unknown) => unknown)(JSON.parse(JSON.stringify(event))))) as unknown;
}

/** Response headers as name/value pairs (repeated names allowed) to CloudFront's shape, and back. */
export function toCloudFrontHeaders(pairs: readonly (readonly [string, string])[]): Record<string, CloudFrontHeaderValue> {
  const grouped = recordOfSentNames<string[]>();
  for (const [name, value] of pairs) (grouped[name.toLowerCase()] ??= []).push(value);
  return Object.fromEntries(Object.entries(grouped).map(([name, values]) => [
    name,
    values.length === 1 ? { value: values[0]! } : { value: values[0]!, multiValue: values.map((value) => ({ value })) },
  ]));
}

export function fromCloudFrontHeaders(headers: Readonly<Record<string, CloudFrontHeaderValue>>): [string, string][] {
  return Object.entries(headers).flatMap(([name, header]) =>
    header.multiValue?.length ? header.multiValue.map((v): [string, string] => [name, v.value]) : [[name, header.value] as [string, string]]);
}
