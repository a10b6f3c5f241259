/**
 * The local host's API Gateway REST API stage: an HTTP server in front of Lambda proxy
 * integrations. It routes as API Gateway does (route-matcher.ts), builds the same v1 proxy
 * events AWS sends, runs the REQUEST authorizer step (authorizer.ts), answers with gateway
 * responses (gateway-responses.ts), renames integration headers API Gateway renames,
 * streams the responses of streaming integrations (streaming-integration.ts), and
 * enforces its payload limit and integration timeout; WAF (waf.ts) and the CloudFront edge
 * (edge.ts) sit in front of it. A behaviour that differs from AWS here is a bug: tests that
 * pass locally must pass on AWS (docs/design.md, "the local host").
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { recordOfSentNames } from '../../lambda/core/http';
import { EmulatedAuthorizerStep } from './authorizer';
import { LOCAL_ACCOUNT_ID } from './authorizer-policy';
import { EDGE_FUNCTION_FAILED, EmulatedDistribution, type EdgeRequest } from './edge';
import { gatewayResponse, type GatewayReply, type GatewayResponseType, type OutgoingReply } from './gateway-responses';
import { headersOf, lookupHeader, rawHeaderPairs } from './headers';
import { matchRoute } from './route-matcher';
import { invokeStreaming } from './streaming-integration';
import type { EmulatedApiSpec, RunningApi } from './types';
import { EmulatedWebAcl } from './waf';

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

class ApiGatewayEmulator {
  private readonly servers: Server[] = [];
  private readonly stage: string;
  private readonly apiId: string;
  private readonly authorizer?: EmulatedAuthorizerStep;
  private readonly webAcl: EmulatedWebAcl;
  private readonly edge: EmulatedDistribution;

  constructor(private readonly spec: EmulatedApiSpec) {
    this.stage = spec.stage ?? 'local';
    // Stable per API name, shaped like a real API id (10 lower-case alphanumerics).
    this.apiId = createHash('sha256').update(spec.name).digest('hex').slice(0, 10);
    if (spec.authorizer) this.authorizer = new EmulatedAuthorizerStep(spec.authorizer, this.apiId, this.stage);
    this.webAcl = new EmulatedWebAcl(spec.rateLimits ?? [], spec.edge);
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
    // Everything below answers through the edge when there is one: CloudFront sees every response, the gateway's own included.
    const send = (res: ServerResponse, reply: OutgoingReply, options: { close?: boolean } = {}) => sendReply(res, this.edge.response(reply, edgeRequest), options);

    // The edge's viewer-request function runs first: what it returns is the request WAF and API Gateway see.
    const headerPairs = this.edge.request(rawHeaderPairs(req), edgeRequest);
    if (!headerPairs) {
      await drain(req);
      send(res, EDGE_FUNCTION_FAILED);
      return;
    }

    // WAF sits in front of API Gateway: it counts (and blocks) before anything else runs.
    const blocked = this.webAcl.block(headerPairs, sourceIp, path);
    if (blocked) {
      await drain(req);
      send(res, blocked);
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

    if (match.route.authorized && this.authorizer) {
      const outcome = await this.authorizer.authorize(event);
      if (!outcome.ok) {
        send(res, this.gateway(outcome.refusal, requestId, outcome.message));
        return;
      }
      // API Gateway hands context values to a proxy integration as strings, plus the principal.
      (event.requestContext as { authorizer: unknown }).authorizer = { ...outcome.answer.context, principalId: outcome.answer.principalId };
    }

    if (match.route.responseTransferMode === 'STREAM') {
      await this.stream(res, match.route.handler, event, requestId, edgeRequest);
      return;
    }
    const result = await this.invokeIntegration(match.route.handler, event);
    if (result === 'timeout') {
      send(res, this.gateway('INTEGRATION_TIMEOUT', requestId));
      return;
    }
    const reply = result === 'failed' ? undefined : integrationReply(result, requestId);
    send(res, reply ?? this.gateway('DEFAULT_5XX', requestId));
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

  /** A streaming integration: the status and headers once the function has written them (through the edge, renamed as API Gateway renames them), then the payload as it comes. */
  private async stream(res: ServerResponse, handler: Parameters<typeof invokeStreaming>[0], event: APIGatewayProxyEvent, requestId: string, edgeRequest: EdgeRequest): Promise<void> {
    const outcome = await invokeStreaming(handler, event, this.spec.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS);
    if (outcome.kind !== 'streaming') {
      sendReply(res, this.edge.response(this.gateway(outcome.kind === 'timeout' ? 'INTEGRATION_TIMEOUT' : 'DEFAULT_5XX', requestId), edgeRequest));
      return;
    }
    const { prelude, body } = outcome;
    const pairs = integrationHeaderPairs(prelude.headers, { ...prelude.multiValueHeaders, ...(prelude.cookies?.length ? { 'Set-Cookie': prelude.cookies } : {}) }, requestId);
    const head = pairs ? this.edge.response({ status: prelude.statusCode, headers: {}, body: '', headerPairs: pairs }, edgeRequest) : undefined;
    if (!head) {
      body.resume();
      sendReply(res, this.edge.response(this.gateway('DEFAULT_5XX', requestId), edgeRequest));
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
    res.on('close', () => body.destroy());
    body.on('error', () => res.destroy());
    body.pipe(res);
  }

  private gateway(type: GatewayResponseType, requestId: string, message?: string): GatewayReply {
    const reply = gatewayResponse(type, this.spec.gatewayResponses, { requestId, message });
    return { ...reply, headers: { ...reply.headers, 'x-amzn-RequestId': requestId } };
  }
}




/** The proxy result as API Gateway returns it to the caller, or undefined for a malformed result (502). */
function integrationReply(result: unknown, requestId: string): OutgoingReply | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const r = result as Partial<APIGatewayProxyResult>;
  if (typeof r.statusCode !== 'number' || !Number.isInteger(r.statusCode) || r.statusCode < 100 || r.statusCode > 599) return undefined;
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return undefined;
  const renamed = integrationHeaderPairs(r.headers, r.multiValueHeaders, requestId);
  if (!renamed) return undefined;
  const bytes = r.body ? Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
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
