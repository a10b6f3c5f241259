/**
 * The local host: an HTTP server that behaves like an API Gateway REST API stage in front
 * of Lambda proxy integrations. It builds the same v1 proxy events AWS sends, runs the
 * REQUEST authorizer with AWS's caching and policy rules, answers with gateway responses,
 * renames integration headers API Gateway renames, and enforces its payload limit and
 * integration timeout. A behaviour that differs from AWS here is a bug: tests that pass
 * locally must pass on AWS (DESIGN.md section 4).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import type { EmulatedApiSpec, EmulatedAuthorizer, EmulatedRateLimit, RunningApi } from './emulator-types';
import { recordOfSentNames } from '../../core/http';
import { matchRoute } from './apigw-route-matcher';
import { evaluatePolicy, LOCAL_ACCOUNT_ID, methodArn, parseAuthorizerAnswer, type AuthorizerAnswer } from './apigw-authorizer-policy';
import { gatewayResponse, type GatewayReply, type GatewayResponseType } from './apigw-gateway-responses';
import {
  fromCloudFrontHeaders,
  loadCloudFrontFunction,
  loadViewerRequestFunction,
  toCloudFrontHeaders,
  type CloudFrontHeaderValue,
  type ViewerRequestFunction,
  type ViewerResponseFunction,
} from './cloudfront-function-runner';

/** API Gateway's payload quota. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
/** API Gateway's default (and, for REST APIs, usual) integration timeout. */
export const INTEGRATION_TIMEOUT_MS = 29_000;

/** Integration response headers API Gateway renames to x-amzn-Remapped-<name> (proxy integrations). */
const REMAPPED_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'www-authenticate': 'x-amzn-Remapped-WWW-Authenticate',
  authorization: 'x-amzn-Remapped-Authorization',
};

export async function startApiGatewayEmulator(spec: EmulatedApiSpec): Promise<RunningApi> {
  const emulator = new ApiGatewayEmulator(spec);
  return emulator.listen();
}

interface CachedAnswer {
  readonly answer: AuthorizerAnswer;
  readonly expiresAtMs: number;
}

type AuthorizationOutcome = { readonly ok: true; readonly answer: AuthorizerAnswer } | { readonly ok: false; readonly reply: GatewayReply };

class ApiGatewayEmulator {
  private readonly servers: Server[] = [];
  private readonly stage: string;
  private readonly apiId: string;
  private readonly authorizerCache = new Map<string, CachedAnswer>();
  private readonly rateWindows = new Map<string, { windowStartMs: number; count: number }>();
  private readonly viewerResponse?: ViewerResponseFunction;
  private readonly viewerRequest?: ViewerRequestFunction;

  constructor(private readonly spec: EmulatedApiSpec) {
    this.stage = spec.stage ?? 'local';
    if (spec.edge) this.viewerResponse = loadCloudFrontFunction(spec.edge.viewerResponseFunction);
    if (spec.edge?.viewerRequestFunction) this.viewerRequest = loadViewerRequestFunction(spec.edge.viewerRequestFunction);
    // Stable per API name, shaped like a real API id (10 lower-case alphanumerics).
    this.apiId = createHash('sha256').update(spec.name).digest('hex').slice(0, 10);
  }

  async listen(): Promise<RunningApi> {
    const host = this.spec.host ?? '127.0.0.1';
    const port = await this.listenOn(this.spec.port, host);
    // "localhost" resolves to ::1 first on many machines: answer there too when IPv6 loopback exists.
    if (host === '127.0.0.1') await this.listenOn(port, '::1').catch(() => undefined);
    return {
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      port,
      close: () => this.close(),
      clearAuthorizerCache: () => this.authorizerCache.clear(),
    };
  }

  private listenOn(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) sendReply(res, { status: 500, headers: { 'Content-Type': 'application/json' }, body: '{"message":"Internal server error"}' });
        else res.destroy();
      });
    });
    return new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'EADDRINUSE'
          ? new Error(`${this.spec.name}: port ${port} is already in use: stop what listens there, or choose another port.`)
          : error);
      });
      server.listen(port, host, () => {
        this.servers.push(server);
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  private async close(): Promise<void> {
    await Promise.all(this.servers.splice(0).map((server) => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    })));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
    const method = (req.method ?? 'GET').toUpperCase();
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const path = (queryAt === -1 ? rawUrl : rawUrl.slice(0, queryAt)) || '/';
    const rawQuery = queryAt === -1 ? '' : rawUrl.slice(queryAt + 1);
    // Everything below answers through the edge when there is one: CloudFront sees every response, the gateway's own included.
    const send = (res: ServerResponse, reply: OutgoingReply, options: { close?: boolean } = {}) =>
      sendReply(res, this.atEdge(reply, { method, path, rawQuery, sourceIp, requestId }), options);

    // The edge's viewer-request function runs first: what it returns is the request WAF and API Gateway see.
    let headerPairs = rawHeaderPairs(req);
    if (this.viewerRequest) {
      const edited = this.viewerRequestAtEdge(headerPairs, { method, path, rawQuery, sourceIp, requestId });
      if (!edited) {
        await drain(req);
        send(res, { status: 503, headers: { 'Content-Type': 'text/plain' }, body: 'The CloudFront function associated with the request failed.' });
        return;
      }
      headerPairs = edited;
    }

    // WAF sits in front of API Gateway: it counts (and blocks) before anything else runs.
    const client = this.rateLimitKey(headerPairs, sourceIp);
    if (client === undefined) {
      // The deployed web ACL's ViewerIpStamped rule: WAF's plain block.
      await drain(req);
      send(res, { status: 403, headers: { 'Content-Type': 'text/plain' }, body: 'Forbidden' });
      return;
    }
    const limited = this.rateLimited(client, path);
    if (limited) {
      await drain(req);
      send(res, { status: 429, headers: { 'Content-Type': 'application/json', 'Retry-After': String(limited.windowSeconds) }, body: '{"message":"Too Many Requests"}' });
      return;
    }

    const body = await readBody(req, MAX_REQUEST_BODY_BYTES);
    if (body === 'too_large') {
      send(res, this.gateway('REQUEST_TOO_LARGE', requestId), { close: true });
      return;
    }

    const match = matchRoute(this.spec.routes, method, path);
    if (!match) {
      send(res, this.gateway('MISSING_AUTHENTICATION_TOKEN', requestId));
      return;
    }

    const event = this.proxyEvent({ req, headerPairs, requestId, sourceIp, method, path, rawQuery, body, resource: match.route.resource, pathParameters: match.pathParameters });

    if (match.route.authorized && this.spec.authorizer) {
      const outcome = await this.authorize(this.spec.authorizer, event, requestId);
      if (!outcome.ok) {
        send(res, outcome.reply);
        return;
      }
      // API Gateway hands context values to a proxy integration as strings, plus the principal.
      (event.requestContext as { authorizer: unknown }).authorizer = { ...outcome.answer.context, principalId: outcome.answer.principalId };
    }

    const result = await this.invokeIntegration(match.route.handler, event);
    if (result === 'timeout') {
      send(res, this.gateway('INTEGRATION_TIMEOUT', requestId));
      return;
    }
    const reply = result === 'failed' ? undefined : integrationReply(result, requestId);
    send(res, reply ?? this.gateway('DEFAULT_5XX', requestId));
  }

  /** The viewer-response function, with the reply in CloudFront's event shape; Set-Cookie passes beside it as CloudFront's cookies do. */
  private atEdge(reply: OutgoingReply, request: { method: string; path: string; rawQuery: string; sourceIp: string; requestId: string }): OutgoingReply {
    if (!this.viewerResponse) return reply;
    const pairs = [...Object.entries(reply.headers), ...(reply.headerPairs ?? [])];
    const cookies = pairs.filter(([name]) => name.toLowerCase() === 'set-cookie');
    let response;
    try {
      response = this.viewerResponse({
        version: '1.0',
        context: { eventType: 'viewer-response', requestId: request.requestId, distributionDomainName: 'local.cloudfront.net' },
        viewer: { ip: request.sourceIp },
        request: { method: request.method, uri: request.path, querystring: Object.fromEntries([...new URLSearchParams(request.rawQuery)].map(([k, v]) => [k, { value: v }])), headers: {}, cookies: {} },
        response: { statusCode: reply.status, headers: toCloudFrontHeaders(pairs.filter(([name]) => name.toLowerCase() !== 'set-cookie')), cookies: {} },
      });
    } catch {
      // CloudFront answers 503 when a function fails.
      return { status: 503, headers: { 'Content-Type': 'text/plain' }, body: 'The CloudFront function associated with the request failed.' };
    }
    return { status: response.statusCode, headers: {}, body: reply.body, bytes: reply.bytes, headerPairs: [...fromCloudFrontHeaders(response.headers), ...cookies] };
  }

  /**
   * The viewer-request function, with the request in CloudFront's event shape (cookies beside
   * the headers, as CloudFront hands them over). Headers it left as they were keep the
   * caller's spelling; headers it set reach the origin as CloudFront writes them
   * (Capitalized-Words). Undefined when the function fails (CloudFront then answers 503).
   */
  private viewerRequestAtEdge(pairs: readonly [string, string][], request: { method: string; path: string; rawQuery: string; sourceIp: string; requestId: string }): [string, string][] | undefined {
    const isCookie = ([name]: readonly [string, string]) => name.toLowerCase() === 'cookie';
    const before = toCloudFrontHeaders(pairs.filter((pair) => !isCookie(pair)));
    let after: Record<string, CloudFrontHeaderValue>;
    try {
      after = this.viewerRequest!({
        version: '1.0',
        context: { eventType: 'viewer-request', requestId: request.requestId, distributionDomainName: 'local.cloudfront.net' },
        viewer: { ip: request.sourceIp },
        request: { method: request.method, uri: request.path, querystring: Object.fromEntries([...new URLSearchParams(request.rawQuery)].map(([k, v]) => [k, { value: v }])), headers: before, cookies: {} },
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

  /** Whom a rate limit counts: the address the edge stamped, or the connection's; undefined for a request the edge should have stamped and did not. */
  private rateLimitKey(pairs: readonly [string, string][], sourceIp: string): string | undefined {
    const header = this.spec.edge?.viewerIpHeader;
    if (!header) return sourceIp;
    const values = pairs.filter(([name]) => name.toLowerCase() === header.toLowerCase()).map(([, value]) => value);
    return values.length ? values.join(',') : undefined;
  }

  private rateLimited(client: string, path: string): EmulatedRateLimit | undefined {
    const now = Date.now();
    for (const [index, rule] of (this.spec.rateLimits ?? []).entries()) {
      if (!path.startsWith(rule.pathPrefix)) continue;
      const key = `${index}|${client}`;
      const window = this.rateWindows.get(key);
      if (!window || now - window.windowStartMs >= rule.windowSeconds * 1000) {
        this.rateWindows.set(key, { windowStartMs: now, count: 1 });
        continue;
      }
      window.count++;
      if (window.count > rule.limit) return rule;
    }
    return undefined;
  }

  private proxyEvent(input: {
    req: IncomingMessage;
    headerPairs: readonly [string, string][];
    requestId: string;
    sourceIp: string;
    method: string;
    path: string;
    rawQuery: string;
    body: string;
    resource: string;
    pathParameters: Record<string, string> | null;
  }): APIGatewayProxyEvent {
    const multiValueHeaders = headersOf(input.headerPairs, input.sourceIp, input.req.socket.localPort);
    const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([name, values]) => [name, values[values.length - 1]]));
    const multiValueQuery = recordOfSentNames<string[]>();
    for (const [key, value] of new URLSearchParams(input.rawQuery)) (multiValueQuery[key] ??= []).push(value);
    const hasQuery = Object.keys(multiValueQuery).length > 0;
    const userAgent = lookupHeader(multiValueHeaders, 'user-agent')?.[0] ?? null;
    const now = Date.now();
    return {
      resource: input.resource,
      path: input.path,
      httpMethod: input.method,
      headers,
      multiValueHeaders,
      queryStringParameters: hasQuery ? Object.fromEntries(Object.entries(multiValueQuery).map(([k, v]) => [k, v[v.length - 1]])) : null,
      multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
      pathParameters: input.pathParameters,
      stageVariables: null,
      requestContext: {
        accountId: LOCAL_ACCOUNT_ID,
        apiId: this.apiId,
        authorizer: undefined,
        domainName: lookupHeader(multiValueHeaders, 'host')?.[0],
        extendedRequestId: input.requestId,
        httpMethod: input.method,
        identity: {
          accessKey: null,
          accountId: null,
          apiKey: null,
          apiKeyId: null,
          caller: null,
          clientCert: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp: input.sourceIp,
          user: null,
          userAgent,
          userArn: null,
        },
        path: `/${this.stage}${input.path}`,
        protocol: `HTTP/${input.req.httpVersion}`,
        requestId: input.requestId,
        requestTime: new Date(now).toISOString(),
        requestTimeEpoch: now,
        resourceId: createHash('sha256').update(input.resource).digest('hex').slice(0, 6),
        resourcePath: input.resource,
        stage: this.stage,
      },
      body: input.body === '' ? null : input.body,
      isBase64Encoded: false,
    };
  }

  private async authorize(authorizer: EmulatedAuthorizer, event: APIGatewayProxyEvent, requestId: string): Promise<AuthorizationOutcome> {
    const identity = identityValues(authorizer.identitySources, event);
    if (!identity) return { ok: false, reply: this.gateway('UNAUTHORIZED', requestId) };
    const arn = methodArn(this.apiId, this.stage, event.httpMethod, event.path);

    let answer: AuthorizerAnswer | undefined;
    const cacheKey = JSON.stringify(identity);
    const cached = authorizer.resultTtlSeconds > 0 ? this.authorizerCache.get(cacheKey) : undefined;
    if (cached && cached.expiresAtMs > Date.now()) {
      answer = cached.answer;
    } else {
      const authorizerEvent: APIGatewayRequestAuthorizerEvent = {
        type: 'REQUEST',
        methodArn: arn,
        resource: event.resource,
        path: event.path,
        httpMethod: event.httpMethod,
        headers: event.headers,
        multiValueHeaders: event.multiValueHeaders,
        pathParameters: event.pathParameters,
        queryStringParameters: event.queryStringParameters,
        multiValueQueryStringParameters: event.multiValueQueryStringParameters,
        stageVariables: event.stageVariables,
        requestContext: { ...event.requestContext, authorizer: undefined },
      };
      let result: unknown;
      try {
        result = await authorizer.handler(authorizerEvent);
      } catch (error) {
        // The one thrown error API Gateway understands: anything else is a broken authorizer.
        if (error instanceof Error && error.message === 'Unauthorized') return { ok: false, reply: this.gateway('UNAUTHORIZED', requestId) };
        return { ok: false, reply: this.gateway('AUTHORIZER_FAILURE', requestId) };
      }
      answer = parseAuthorizerAnswer(result);
      if (!answer) return { ok: false, reply: this.gateway('AUTHORIZER_FAILURE', requestId) };
      if (authorizer.resultTtlSeconds > 0) {
        this.authorizerCache.set(cacheKey, { answer, expiresAtMs: Date.now() + authorizer.resultTtlSeconds * 1000 });
      }
    }

    const decision = evaluatePolicy(answer, arn);
    if (decision === 'allow') return { ok: true, answer };
    const message = decision === 'explicit_deny'
      ? 'User is not authorized to access this resource with an explicit deny'
      : 'User is not authorized to access this resource';
    return { ok: false, reply: this.gateway('ACCESS_DENIED', requestId, message) };
  }

  private async invokeIntegration(handler: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>, event: APIGatewayProxyEvent): Promise<unknown> {
    const timeoutMs = this.spec.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      // The function keeps running after a timeout, as a Lambda does; only the caller stops waiting.
      return await Promise.race([handler(event).catch(() => 'failed' as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private gateway(type: GatewayResponseType, requestId: string, message?: string): GatewayReply {
    const reply = gatewayResponse(type, this.spec.gatewayResponses, { requestId, message });
    return { ...reply, headers: { ...reply.headers, 'x-amzn-RequestId': requestId } };
  }
}

/** The identity-source values, or undefined when one is missing or empty (API Gateway then answers 401 without calling the authorizer). */
function identityValues(sources: readonly string[], event: APIGatewayProxyEvent): string[] | undefined {
  const values: string[] = [];
  for (const source of sources) {
    const header = /^method\.request\.header\.(.+)$/i.exec(source);
    const query = /^method\.request\.querystring\.(.+)$/i.exec(source);
    let found: readonly string[] | undefined;
    if (header) found = lookupHeader(event.multiValueHeaders, header[1]);
    else if (query) found = event.multiValueQueryStringParameters?.[query[1]];
    else throw new Error(`unsupported identity source ${source}`);
    const value = found?.join(',');
    if (!value) return undefined;
    values.push(value);
  }
  return values;
}

function lookupHeader(headers: Record<string, string[] | undefined>, name: string): string[] | undefined {
  const wanted = name.toLowerCase();
  for (const [key, values] of Object.entries(headers)) if (key.toLowerCase() === wanted) return values;
  return undefined;
}

/** The request's headers as sent, with the caller's spelling, in order. */
function rawHeaderPairs(req: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  return pairs;
}

/** How CloudFront spells a header a function wrote: each hyphen-separated word capitalized ("CloudFront Functions event structure"). */
function cloudFrontHeaderName(name: string): string {
  return name.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('-');
}

/** Request headers (the caller's spelling, or the edge's for the ones it wrote), grouped case-insensitively, plus the ones API Gateway adds. */
function headersOf(pairs: readonly (readonly [string, string])[], sourceIp: string, localPort: number | undefined): Record<string, string[]> {
  const grouped = new Map<string, { name: string; values: string[] }>();
  const add = (name: string, value: string) => {
    const entry = grouped.get(name.toLowerCase());
    if (entry) entry.values.push(value);
    else grouped.set(name.toLowerCase(), { name, values: [value] });
  };
  for (const [name, value] of pairs) add(name, value);
  const forwardedFor = grouped.get('x-forwarded-for');
  if (forwardedFor) forwardedFor.values = [`${forwardedFor.values.join(', ')}, ${sourceIp}`];
  else add('X-Forwarded-For', sourceIp);
  grouped.set('x-forwarded-proto', { name: 'X-Forwarded-Proto', values: ['http'] });
  grouped.set('x-forwarded-port', { name: 'X-Forwarded-Port', values: [String(localPort ?? '')] });
  return Object.fromEntries([...grouped.values()].map(({ name, values }) => [name, values]));
}

/** The proxy result as API Gateway returns it to the caller, or undefined for a malformed result (502). */
function integrationReply(result: unknown, requestId: string): OutgoingReply | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const r = result as Partial<APIGatewayProxyResult>;
  if (typeof r.statusCode !== 'number' || !Number.isInteger(r.statusCode) || r.statusCode < 100 || r.statusCode > 599) return undefined;
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return undefined;
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries(r.headers ?? {})) pairs.push([name, String(value)]);
  for (const [name, values] of Object.entries(r.multiValueHeaders ?? {})) {
    if (!Array.isArray(values)) return undefined;
    for (const value of values) pairs.push([name, String(value)]);
  }
  const renamed = pairs.map(([name, value]): [string, string] => [REMAPPED_RESPONSE_HEADERS[name.toLowerCase()] ?? name, value]);
  if (!renamed.some(([name]) => name.toLowerCase() === 'content-type')) renamed.push(['Content-Type', 'application/json']);
  renamed.push(['x-amzn-RequestId', requestId]);
  const bytes = r.body ? Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  return { status: r.statusCode, headers: {}, body: '', headerPairs: renamed, bytes };
}

/** A reply with repeated headers and a binary-safe body: what an integration returns. */
interface OutgoingReply extends GatewayReply {
  readonly headerPairs?: readonly [string, string][];
  readonly bytes?: Buffer;
}

function sendReply(res: ServerResponse, reply: OutgoingReply, options: { close?: boolean } = {}): void {
  try {
    const grouped = new Map<string, { name: string; values: string[] }>();
    const pairs = [...Object.entries(reply.headers), ...(reply.headerPairs ?? [])];
    for (const [name, value] of pairs) {
      const entry = grouped.get(name.toLowerCase());
      if (entry) entry.values.push(value);
      else grouped.set(name.toLowerCase(), { name, values: [value] });
    }
    for (const { name, values } of grouped.values()) res.setHeader(name, values.length === 1 ? values[0] : values);
    if (options.close) res.setHeader('Connection', 'close');
    res.statusCode = reply.status;
    const bytes = reply.bytes ?? Buffer.from(reply.body, 'utf8');
    res.end(bytes.length ? bytes : undefined);
  } catch {
    // A header value Node refuses (e.g. a newline) is a malformed integration response.
    if (!res.headersSent) {
      res.removeHeader('Content-Type');
      res.statusCode = 502;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"message":"Internal server error"}');
    }
  }
}

/** The body as text, or 'too_large' once it exceeds the limit (the rest is read and dropped so the client sees the 413). */
function readBody(req: IncomingMessage, limit: number): Promise<string | 'too_large'> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = declared > limit;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too_large' : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.on('end', resolve);
    req.on('error', () => resolve());
    req.resume();
  });
}
