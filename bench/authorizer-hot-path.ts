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
import { parseConfig } from '../lambda/adapters/config/parse-config';
import type { RevocationKey, RevocationRecord, RevocationStore } from '../lambda/core/ports';
import { createAuthorizer } from '../lambda/adapters/apigw/request-authorizer';
import { AccessTokenVerifier } from '../lambda/adapters/jwt/access-token-verifier';
import { decodeAccessToken } from '../lambda/core/tokens/access-token-syntax';
import { summarize, type LatencySummary } from './stats';

export interface HotPathResult {
  /** The same token on every call, as a client sends it until it expires: what is read from it, and that its signature verified with the key still published, come from the authorizer's memos. */
  readonly authorizer: LatencySummary;
  /** A token this authorizer has not seen (or has forgotten) on every call: decoded and read in full. */
  readonly authorizerFirstSight: LatencySummary;
  readonly bareVerify: LatencySummary;
  /** aws-jwt-verify alone (JWKS pre-cached), to show where the authorizer's time goes. */
  readonly libraryVerify: LatencySummary;
  /** The same with its synchronous `verifySync`, which needs the JWKS already cached. */
  readonly librarySyncVerify: LatencySummary;
  /** The library's share of the authorizer: its synchronous check of the token the authorizer has already decoded. */
  readonly libraryDecodedVerify: LatencySummary;
  readonly ratio: number;
  readonly firstSightRatio: number;
  readonly revocationStoreCalls: number;
  readonly firstSightRevocationStoreCalls: number;
  /** Distinct tokens the first-sight path cycles through: more than the memo holds, so every call misses it. */
  readonly firstSightTokens: number;
  readonly jwksFetches: number;
}

const KID = 'bench-key';
/** More than the authorizer's read-token memo holds (1,000), so cycling through them in order never hits it. */
const FIRST_SIGHT_TOKENS = 1_100;
/** Rounds the measured paths alternate in (see measureInterleaved). */
const ROUNDS = 20;
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
    const firstSightStore = new CountingRevocationStore();
    const firstSightAuthorizer = createAuthorizer({ config, resource, jwksUri, revocations: firstSightStore, log: () => undefined });
    const firstSightEvents = Array.from({ length: FIRST_SIGHT_TOKENS }, () => authorizerEvent(signToken(privateKey, { iss: config.issuer, aud: resource.uri })));
    let nextFirstSight = 0;
    const [signingInput, signature] = [token.slice(0, token.lastIndexOf('.')), Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url')];
    const verifyKey: KeyObject = createPublicKey({ key: jwk, format: 'jwk' });

    const first = await authorizer(event);
    if (first.policyDocument.Statement.every((s) => s.Effect !== 'Allow')) throw new Error('the benchmark token is not allowed: fix the benchmark before measuring');
    if (!verify('RSA-SHA256', Buffer.from(signingInput), verifyKey, signature)) throw new Error('bare verification failed');

    const library = JwtVerifier.create({ issuer: config.issuer, audience: resource.uri, jwksUri });
    library.cacheJwks({ keys: [jwk as never] });
    const decodedVerifier = new AccessTokenVerifier({ issuer: config.issuer, audience: resource.uri, jwksUri, graceSeconds: config.guard.clockSkewSeconds, jwksRefetchCooldownSeconds: 10 });
    decodedVerifier.cacheJwks({ keys: [jwk as never] });
    const decoded = decodeAccessToken(token);
    if (!decoded.ok) throw new Error(`the benchmark token does not decode: ${decoded.reason}`);
    if (decodedVerifier.verifyDecoded(decoded.value) instanceof Promise) throw new Error('the pre-decoded path must be synchronous with a cached JWKS');

    const paths: MeasuredPath[] = [
      { name: 'authorizer', call: () => authorizer(event) },
      { name: 'authorizerFirstSight', call: () => firstSightAuthorizer(firstSightEvents[nextFirstSight++ % FIRST_SIGHT_TOKENS]!) },
      { name: 'bareVerify', call: () => verify('RSA-SHA256', Buffer.from(signingInput), verifyKey, signature) },
      { name: 'libraryVerify', call: () => library.verify(token) },
      { name: 'librarySyncVerify', call: () => library.verifySync(token) },
      { name: 'libraryDecodedVerify', call: () => decodedVerifier.verifyDecoded(decoded.value) },
    ];
    const [authorizerSummary, firstSightSummary, bareSummary, librarySummary, librarySyncSummary, libraryDecodedSummary] = await measureInterleaved(paths, iterations, warmup);
    return {
      authorizer: authorizerSummary!,
      authorizerFirstSight: firstSightSummary!,
      bareVerify: bareSummary!,
      libraryVerify: librarySummary!,
      librarySyncVerify: librarySyncSummary!,
      libraryDecodedVerify: libraryDecodedSummary!,
      ratio: authorizerSummary!.p50Micros / bareSummary!.p50Micros,
      firstSightRatio: firstSightSummary!.p50Micros / bareSummary!.p50Micros,
      revocationStoreCalls: store.calls,
      firstSightRevocationStoreCalls: firstSightStore.calls,
      firstSightTokens: FIRST_SIGHT_TOKENS,
      jwksFetches,
    };
  } finally {
    jwksServer.closeAllConnections();
    await new Promise<void>((resolve) => jwksServer.close(() => resolve()));
  }
}

interface MeasuredPath {
  readonly name: string;
  readonly call: () => unknown;
}

/**
 * Runs the paths in alternating rounds rather than one after the other: the machine is
 * shared, and a burst of load elsewhere then slows every path alike instead of skewing the
 * ratio. Each call is awaited only when it returns a promise, so a synchronous path pays no
 * promise hop it would not pay in real use.
 */
async function measureInterleaved(paths: readonly MeasuredPath[], iterations: number, warmup: number): Promise<LatencySummary[]> {
  for (const path of paths) for (let i = 0; i < warmup; i++) await path.call();
  const samples = paths.map(() => new Array<number>(iterations));
  const totals = paths.map(() => 0);
  const perRound = Math.ceil(iterations / ROUNDS);
  for (let round = 0, done = 0; done < iterations; round++, done += perRound) {
    const count = Math.min(perRound, iterations - done);
    for (let k = 0; k < paths.length; k++) {
      const index = (k + round) % paths.length;
      const call = paths[index]!.call;
      const into = samples[index]!;
      const start = process.hrtime.bigint();
      for (let i = done; i < done + count; i++) {
        const t0 = process.hrtime.bigint();
        const result = call();
        if (result instanceof Promise) await result;
        into[i] = Number(process.hrtime.bigint() - t0);
      }
      totals[index]! += Number(process.hrtime.bigint() - start);
    }
  }
  return paths.map((_, index) => summarize(samples[index]!, totals[index]!));
}

function signToken(privateKey: KeyObject, claims: { iss: string; aud: string }): string {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: KID })).toString('base64url');
  // Valid for an hour: far longer than any benchmark run.
  const payload = Buffer.from(JSON.stringify({ ...claims, sub: 'bench-user', client_id: 'bench-client', scope: 'tool:read tool:execute', iat: now, exp: now + 3600, jti: randomUUID(), fid: randomUUID() })).toString('base64url');
  const input = `${header}.${payload}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}

export function authorizerEvent(token: string): APIGatewayRequestAuthorizerEvent {
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
