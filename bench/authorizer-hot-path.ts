/**
 * The authorizer's hot path, in process: warm verifier, JWKS cached, revocation look-up
 * answered from the authorizer's own cache. Compared with a bare RS256 signature check of
 * the same token, which is the floor any JWT validation pays.
 */
import { createPublicKey, createSign, generateKeyPairSync, randomUUID, verify, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { JwtVerifier } from 'aws-jwt-verify';
import { parseConfig } from '../lambda/core/config';
import type { RevocationKey, RevocationRecord, RevocationStore } from '../lambda/core/ports';
import { createAuthorizer } from '../lambda/handlers/authorizer';
import { summarize, type LatencySummary } from './stats';

export interface HotPathResult {
  readonly authorizer: LatencySummary;
  readonly bareVerify: LatencySummary;
  /** aws-jwt-verify alone (JWKS pre-cached), to show where the authorizer's time goes. */
  readonly libraryVerify: LatencySummary;
  readonly ratio: number;
  readonly revocationStoreCalls: number;
  readonly jwksFetches: number;
}

const KID = 'bench-key';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:api-id/prod/POST/mcp';

/** Counts store reads: after the first, every look-up must come from the authorizer's cache. */
class CountingRevocationStore implements RevocationStore {
  calls = 0;
  async find(_keys: readonly RevocationKey[]): Promise<readonly RevocationRecord[]> {
    this.calls++;
    return [];
  }
  async revoke(): Promise<void> {
    throw new Error('the benchmark never revokes');
  }
}

export async function benchAuthorizerHotPath(iterations: number, warmup: number): Promise<HotPathResult> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };
  let jwksFetches = 0;
  const jwksServer: Server = createServer((_req, res) => {
    jwksFetches++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  const address = jwksServer.address();
  const jwksUri = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/.well-known/jwks.json`;

  try {
    const raw = JSON.parse(readFileSync(join(__dirname, '../config/local.json'), 'utf8'));
    // Per-request decisions (API Gateway cache off), revocation answers cached for the whole run.
    const config = parseConfig({ ...raw, guard: { ...raw.guard, authorizerCacheTtlSeconds: 0, revocationCacheTtlSeconds: 3600 } });
    const resource = config.resources[0]!;
    const store = new CountingRevocationStore();
    const authorizer = createAuthorizer({ config, resource, jwksUri, revocations: store, log: () => undefined });

    const token = signToken(privateKey, { iss: config.issuer, aud: resource.uri });
    const event = authorizerEvent(token);
    const [signingInput, signature] = [token.slice(0, token.lastIndexOf('.')), Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url')];
    const verifyKey: KeyObject = createPublicKey({ key: jwk, format: 'jwk' });

    const first = await authorizer(event);
    if (first.policyDocument.Statement.every((s) => s.Effect !== 'Allow')) throw new Error('the benchmark token is not allowed: fix the benchmark before measuring');
    if (!verify('RSA-SHA256', Buffer.from(signingInput), verifyKey, signature)) throw new Error('bare verification failed');

    for (let i = 0; i < warmup; i++) await authorizer(event);
    const authorizerNs = new Array<number>(iterations);
    const authorizerStart = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      await authorizer(event);
      authorizerNs[i] = Number(process.hrtime.bigint() - t0);
    }
    const authorizerTotalNs = Number(process.hrtime.bigint() - authorizerStart);

    for (let i = 0; i < warmup; i++) verify('RSA-SHA256', Buffer.from(signingInput), verifyKey, signature);
    const verifyNs = new Array<number>(iterations);
    const verifyStart = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      const t0 = process.hrtime.bigint();
      verify('RSA-SHA256', Buffer.from(signingInput), verifyKey, signature);
      verifyNs[i] = Number(process.hrtime.bigint() - t0);
    }
    const verifyTotalNs = Number(process.hrtime.bigint() - verifyStart);

    const library = JwtVerifier.create({ issuer: config.issuer, audience: resource.uri, jwksUri });
    library.cacheJwks({ keys: [jwk as never] });
    const libraryVerify = await measure(iterations, warmup, () => library.verify(token));

    const authorizerSummary = summarize(authorizerNs, authorizerTotalNs);
    const bareSummary = summarize(verifyNs, verifyTotalNs);
    return {
      authorizer: authorizerSummary,
      bareVerify: bareSummary,
      libraryVerify,
      ratio: authorizerSummary.p50Micros / bareSummary.p50Micros,
      revocationStoreCalls: store.calls,
      jwksFetches,
    };
  } finally {
    jwksServer.closeAllConnections();
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  }
}

async function measure(iterations: number, warmup: number, call: () => Promise<unknown>): Promise<LatencySummary> {
  for (let i = 0; i < warmup; i++) await call();
  const samples = new Array<number>(iterations);
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const t0 = process.hrtime.bigint();
    await call();
    samples[i] = Number(process.hrtime.bigint() - t0);
  }
  return summarize(samples, Number(process.hrtime.bigint() - start));
}

function signToken(privateKey: KeyObject, claims: { iss: string; aud: string }): string {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: KID })).toString('base64url');
  // Valid for an hour: far longer than any benchmark run.
  const payload = Buffer.from(JSON.stringify({ ...claims, sub: 'bench-user', client_id: 'bench-client', scope: 'tool:read tool:execute', iat: now, exp: now + 3600, jti: randomUUID(), fid: randomUUID() })).toString('base64url');
  const input = `${header}.${payload}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}

function authorizerEvent(token: string): APIGatewayRequestAuthorizerEvent {
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    resource: '/mcp',
    path: '/mcp',
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    pathParameters: {},
    queryStringParameters: {},
    multiValueQueryStringParameters: {},
    stageVariables: {},
    requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}
