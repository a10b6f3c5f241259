/**
 * The local host's API Gateway REST API stage: an HTTP server in front of Lambda proxy
 * integrations. In the order AWS applies them: the CloudFront edge (edge.ts) and the web ACL
 * (waf.ts) in front; the stage's throttling (stage-throttle.ts); the 10 MB payload quota;
 * routing as API Gateway does (route-matcher.ts); the REQUEST authorizer step
 * (authorizer.ts); the same v1 proxy events AWS sends (binary-media.ts for binaryMediaTypes);
 * Lambda's 6 MB synchronous payload quota and each function's timeout beside the 29 s
 * integration timeout; gateway responses (gateway-responses.ts); the renaming of
 * integration headers API Gateway renames; and streaming integrations
 * (streaming-integration.ts). A behaviour that differs from AWS here is a bug: tests that
 * pass locally must pass on AWS (docs/design.md, "the local host"; docs/local-mode.md, the
 * fidelity table).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { recordOfSentNames } from '../../lambda/core/http';
import { PAYLOAD_LIMITS } from '../../lib/definitions/function-settings';
import { EmulatedAuthorizerStep } from './authorizer';
import { LOCAL_ACCOUNT_ID } from './authorizer-policy';
import { firstAcceptedMediaType, isBinaryMediaType } from './binary-media';
import { EDGE_FUNCTION_FAILED, EmulatedDistribution, type EdgeRequest } from './edge';
import { gatewayResponse, type GatewayReply, type GatewayResponseType, type OutgoingReply } from './gateway-responses';
import { headersOf, lookupHeader, rawHeaderPairs } from './headers';
import { matchRoute } from './route-matcher';
import { StageTokenBucket } from './stage-throttle';
import { invokeStreaming } from './streaming-integration';
import type { EmulatedApiSpec, EmulatedRoute, RunningApi } from './types';
import { EmulatedWebAcl } from './waf';

/**
 * Lambda's synchronous quotas ("Lambda quotas": 6 MB each way) as the service counts them:
 * the invocation's JSON event may be 6 MiB, the function's JSON result 100 bytes more.
 */
const LAMBDA_MAX_EVENT_BYTES = PAYLOAD_LIMITS.lambdaSynchronousPayloadBytes;
const LAMBDA_MAX_RESULT_BYTES = PAYLOAD_LIMITS.lambdaSynchronousPayloadBytes + 100;

/** Integration response headers API Gateway renames to x-amzn-Remapped-<name> (proxy integrations). */
const REMAPPED_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'www-authenticate': 'x-amzn-Remapped-WWW-Authenticate',
  authorization: 'x-amzn-Remapped-Authorization',
};

export async function startApiGatewayEmulator(spec: EmulatedApiSpec): Promise<RunningApi> {
  const emulator = new ApiGatewayEmulator(spec);
  return emulator.listen();
}

class ApiGatewayEmulator {
  private readonly servers: Server[] = [];
  private readonly stage: string;
  private readonly apiId: string;
  private readonly authorizer?: EmulatedAuthorizerStep;
  private readonly webAcl: EmulatedWebAcl;
  private readonly throttle?: StageTokenBucket;
  private readonly edge: EmulatedDistribution;

  constructor(private readonly spec: EmulatedApiSpec) {
    this.stage = spec.stage ?? 'local';
    // Stable per API name, shaped like a real API id (10 lower-case alphanumerics).
    this.apiId = createHash('sha256').update(spec.name).digest('hex').slice(0, 10);
    if (spec.authorizer) this.authorizer = new EmulatedAuthorizerStep(spec.authorizer, this.apiId, this.stage);
    const now = spec.now ?? Date.now;
    this.webAcl = new EmulatedWebAcl(spec.waf, spec.edge, now);
    if (spec.throttling) this.throttle = new StageTokenBucket(spec.throttling, now);
    this.edge = new EmulatedDistribution(spec.edge);
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
      clearAuthorizerCache: () => this.authorizer?.clearCache(),
    };
  }

  private listenOn(port: number, host: string): Promise<number> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) sendReply(res, { status: 500, headers: { 'Content-Type': 'application/json' }, body: '{"message":"Internal server error"}' });
        else res.destroy();
      });
    });
    // Node closes an idle keep-alive connection after 5 s, which a loaded client can race by reusing it ("other side closed");
    // an edge keeps its connections far longer, so the emulator does too.
    server.keepAliveTimeout = 55_000;
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
    const edgeRequest: EdgeRequest = { method, path, rawQuery, sourceIp, requestId };
    // Everything below is the origin's answer and reaches the viewer through the edge: API Gateway's own responses and WAF's included.
    const send = async (res: ServerResponse, reply: OutgoingReply, options: { close?: boolean } = {}) => sendReply(res, await this.edge.response(reply, edgeRequest), options);

    // The edge's viewer-request function runs first: what it returns is the request WAF and API Gateway see.
    const headerPairs = this.edge.request(rawHeaderPairs(req), edgeRequest);
    if (!headerPairs) {
      await drain(req);
      // CloudFront's own answer: no origin, so no origin-response function.
      sendReply(res, EDGE_FUNCTION_FAILED);
      return;
    }

    // WAF sits in front of API Gateway: it counts (and blocks) before anything else runs.
    const verdict = this.webAcl.evaluate(headerPairs, sourceIp, path);
    if (verdict.action !== 'allow') {
      await drain(req);
      // A custom response takes precedence over the API's gateway responses; WAF's default block is answered with WAF_FILTERED.
      await send(res, verdict.action === 'custom' ? verdict.reply : this.gateway('WAF_FILTERED', requestId));
      return;
    }

    if (this.throttle && !this.throttle.take()) {
      await drain(req);
      await send(res, this.gateway('THROTTLED', requestId));
      return;
    }

    const body = await readBody(req, PAYLOAD_LIMITS.apiGatewayPayloadBytes);
    if (body === 'too_large') {
      await send(res, this.gateway('REQUEST_TOO_LARGE', requestId), { close: true });
      return;
    }

    const match = matchRoute(this.spec.routes, method, path);
    if (!match) {
      await send(res, this.gateway('MISSING_AUTHENTICATION_TOKEN', requestId));
      return;
    }

    const event = this.proxyEvent({ req, headerPairs, requestId, sourceIp, method, path, rawQuery, body, resource: match.route.resource, pathParameters: match.pathParameters });

    if (match.route.authorized && this.authorizer) {
      const outcome = await this.authorizer.authorize(event);
      if (!outcome.ok) {
        await send(res, this.gateway(outcome.refusal, requestId, outcome.message));
        return;
      }
      // API Gateway hands context values to a proxy integration as strings, plus the principal.
      (event.requestContext as { authorizer: unknown }).authorizer = { ...outcome.answer.context, principalId: outcome.answer.principalId };
    }

    // Lambda refuses an invocation whose event is over its quota: the function never runs.
    if (Buffer.byteLength(JSON.stringify(event)) > LAMBDA_MAX_EVENT_BYTES) {
      await send(res, this.gateway('API_CONFIGURATION_ERROR', requestId));
      return;
    }

    if (match.route.responseTransferMode === 'STREAM') {
      await this.stream(res, match.route, event, requestId, edgeRequest);
      return;
    }
    const result = await this.invokeIntegration(match.route, event);
    if (result === 'timeout') {
      await send(res, this.gateway('INTEGRATION_TIMEOUT', requestId));
      return;
    }
    const accept = firstAcceptedMediaType(lookupHeader(event.multiValueHeaders as Record<string, string[]>, 'accept'));
    const reply = result === 'failed' ? undefined : integrationReply(result, requestId, isBinaryMediaType(accept, this.spec.binaryMediaTypes ?? []));
    await send(res, reply ?? this.gateway('DEFAULT_5XX', requestId));
  }

  private proxyEvent(input: {
    req: IncomingMessage;
    headerPairs: readonly [string, string][];
    requestId: string;
    sourceIp: string;
    method: string;
    path: string;
    rawQuery: string;
    body: Buffer;
    resource: string;
    pathParameters: Record<string, string> | null;
  }): APIGatewayProxyEvent {
    const multiValueHeaders = headersOf(input.headerPairs, input.sourceIp, input.req.socket.localPort);
    const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([name, values]) => [name, values[values.length - 1]]));
    const multiValueQuery = recordOfSentNames<string[]>();
    for (const [key, value] of new URLSearchParams(input.rawQuery)) (multiValueQuery[key] ??= []).push(value);
    const hasQuery = Object.keys(multiValueQuery).length > 0;
    const userAgent = lookupHeader(multiValueHeaders, 'user-agent')?.[0] ?? null;
    const binaryBody = isBinaryMediaType(lookupHeader(multiValueHeaders, 'content-type')?.[0], this.spec.binaryMediaTypes ?? []);
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
      body: input.body.length === 0 ? null : input.body.toString(binaryBody ? 'base64' : 'utf8'),
      isBase64Encoded: binaryBody,
    };
  }

  /**
   * How long API Gateway waits for the function: its integration timeout, or less when the
   * function's own Lambda timeout ends the invocation first (a function error, hence 502).
   */
  private deadline(route: EmulatedRoute): { readonly ms: number; readonly outcome: 'timeout' | 'failed' } {
    const integrationMs = this.spec.integrationTimeoutMs ?? PAYLOAD_LIMITS.apiGatewayIntegrationTimeoutMs;
    const lambdaMs = route.timeoutSeconds === undefined ? Infinity : route.timeoutSeconds * 1000;
    return lambdaMs < integrationMs ? { ms: lambdaMs, outcome: 'failed' } : { ms: integrationMs, outcome: 'timeout' };
  }

  private async invokeIntegration(route: EmulatedRoute & { readonly responseTransferMode?: 'BUFFERED' }, event: APIGatewayProxyEvent): Promise<unknown> {
    const deadline = this.deadline(route);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout' | 'failed'>((resolve) => {
      timer = setTimeout(() => resolve(deadline.outcome), deadline.ms);
    });
    try {
      // Past the integration timeout the function keeps running, as a Lambda does; only the caller stops waiting.
      const result = await Promise.race([route.handler(event).catch(() => 'failed' as const), timeout]);
      // A result over Lambda's response quota is a function error.
      if (typeof result === 'object' && Buffer.byteLength(JSON.stringify(result)) > LAMBDA_MAX_RESULT_BYTES) return 'failed';
      return result;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A streaming integration: the status and headers once the function has written them (through the edge, renamed as API Gateway renames them), then the payload as it comes. */
  private async stream(res: ServerResponse, route: EmulatedRoute & { readonly responseTransferMode: 'STREAM' }, event: APIGatewayProxyEvent, requestId: string, edgeRequest: EdgeRequest): Promise<void> {
    const deadline = this.deadline(route);
    const invokedAtMs = Date.now();
    const outcome = await invokeStreaming(route.handler, event, deadline.ms);
    if (outcome.kind !== 'streaming') {
      const type = outcome.kind === 'timeout' && deadline.outcome === 'timeout' ? 'INTEGRATION_TIMEOUT' : 'DEFAULT_5XX';
      sendReply(res, await this.edge.response(this.gateway(type, requestId), edgeRequest));
      return;
    }
    const { prelude, body } = outcome;
    const pairs = integrationHeaderPairs(prelude.headers, { ...prelude.multiValueHeaders, ...(prelude.cookies?.length ? { 'Set-Cookie': prelude.cookies } : {}) }, requestId);
    const head = pairs ? await this.edge.response({ status: prelude.statusCode, headers: {}, body: '', headerPairs: pairs }, edgeRequest) : undefined;
    if (!head) {
      body.resume();
      sendReply(res, await this.edge.response(this.gateway('DEFAULT_5XX', requestId), edgeRequest));
      return;
    }
    try {
      for (const [name, values] of groupedHeaders([...Object.entries(head.headers), ...(head.headerPairs ?? [])])) res.setHeader(name, values.length === 1 ? values[0]! : values);
      res.writeHead(head.status);
      res.flushHeaders();
    } catch {
      body.resume();
      if (!res.headersSent) sendReply(res, this.gateway('DEFAULT_5XX', requestId));
      return;
    }
    // The function's Lambda timeout ends the invocation, and with it the stream, however far it got.
    const lambdaTimeout = route.timeoutSeconds === undefined
      ? undefined
      : setTimeout(() => body.destroy(new Error('Task timed out')), Math.max(0, route.timeoutSeconds * 1000 - (Date.now() - invokedAtMs)));
    res.on('close', () => {
      clearTimeout(lambdaTimeout);
      body.destroy();
    });
    body.on('error', () => res.destroy());
    body.pipe(res);
  }

  private gateway(type: GatewayResponseType, requestId: string, message?: string): GatewayReply {
    const reply = gatewayResponse(type, this.spec.gatewayResponses, { requestId, message });
    return { ...reply, headers: { ...reply.headers, 'x-amzn-RequestId': requestId } };
  }
}




/**
 * The proxy result as API Gateway returns it to the caller, or undefined for a malformed
 * result (502). A base64 body (isBase64Encoded) is decoded only when `decodeBase64` (the
 * request accepts one of the API's binaryMediaTypes); otherwise it is sent as the text it is.
 */
function integrationReply(result: unknown, requestId: string, decodeBase64: boolean): OutgoingReply | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const r = result as Partial<APIGatewayProxyResult>;
  if (typeof r.statusCode !== 'number' || !Number.isInteger(r.statusCode) || r.statusCode < 100 || r.statusCode > 599) return undefined;
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return undefined;
  const renamed = integrationHeaderPairs(r.headers, r.multiValueHeaders, requestId);
  if (!renamed) return undefined;
  const bytes = r.body ? Buffer.from(r.body, r.isBase64Encoded && decodeBase64 ? 'base64' : 'utf8') : Buffer.alloc(0);
  return { status: r.statusCode, headers: {}, body: '', headerPairs: renamed, bytes };
}

/** An integration's headers as API Gateway passes them on: renamed where it renames, a default Content-Type, its request id; undefined when malformed. */
function integrationHeaderPairs(headers: unknown, multiValueHeaders: unknown, requestId: string): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  for (const [name, value] of Object.entries((headers ?? {}) as Record<string, unknown>)) pairs.push([name, String(value)]);
  for (const [name, values] of Object.entries((multiValueHeaders ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(values)) return undefined;
    for (const value of values) pairs.push([name, String(value)]);
  }
  const renamed = pairs.map(([name, value]): [string, string] => [REMAPPED_RESPONSE_HEADERS[name.toLowerCase()] ?? name, value]);
  if (!renamed.some(([name]) => name.toLowerCase() === 'content-type')) renamed.push(['Content-Type', 'application/json']);
  renamed.push(['x-amzn-RequestId', requestId]);
  return renamed;
}

/** Header pairs grouped by case-insensitive name, the first spelling kept. */
function groupedHeaders(pairs: readonly (readonly [string, string])[]): [string, string[]][] {
  const grouped = new Map<string, { name: string; values: string[] }>();
  for (const [name, value] of pairs) {
    const entry = grouped.get(name.toLowerCase());
    if (entry) entry.values.push(value);
    else grouped.set(name.toLowerCase(), { name, values: [value] });
  }
  return [...grouped.values()].map(({ name, values }) => [name, values]);
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

/** The body's bytes, or 'too_large' once it exceeds the limit (the rest is read and dropped so the client sees the 413). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> {
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
    req.on('end', () => resolve(tooLarge ? 'too_large' : Buffer.concat(chunks)));
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
