/**
 * The cost estimate in docs/deploy.md, proven: each flow runs through the real handlers
 * (authorization server, protected resource metadata, REQUEST authorizer, demo MCP server)
 * behind the API Gateway emulator, against DynamoDB Local, signing through the KMS adapter,
 * and the test counts what AWS would bill: API Gateway requests, Lambda invocations per
 * function, DynamoDB calls and their request units, KMS Sign calls. It then parses the
 * table in docs/deploy.md and requires the same numbers, so a change that adds a DynamoDB
 * call or a Sign fails here until the estimate is updated.
 *
 * Not counted: the upstream IdP's own requests (a scripted IdP stands in for it: its login
 * page, token endpoint and JWKS are someone else's bill) and the client's redirect target.
 */
import { createHash, createHmac, constants, generateKeyPairSync, privateEncrypt, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { GenerateMacCommand, GetPublicKeyCommand, KMSClient, SignCommand, type GenerateMacCommandInput, type SignCommandInput } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { createAuthorizationServerHandler } from '../../lambda/adapters/apigw/authorization-server-proxy';
import { createAuthorizer } from '../../lambda/adapters/apigw/request-authorizer';
import { createDemoMcpHandler } from '../../lambda/adapters/mcp/demo-mcp-server';
import { createProtectedResourceMetadataHandler } from '../../lambda/adapters/apigw/protected-resource-metadata-proxy';
import { startApiGatewayEmulator } from '../../local/emulator/stage';
import type { ProxyHandler, RequestAuthorizerHandler, RunningApi } from '../../local/emulator/types';
import { AUTHORIZER_IDENTITY_SOURCES } from '../../lambda/adapters/apigw/authorizer-policy';
import { KmsCookieKeys } from '../../lambda/adapters/kms/kms-cookie-keys';
import { KmsSigner } from '../../lambda/adapters/kms/kms-signer';
import { cryptoRandom } from '../../lambda/adapters/system/crypto-random';
import { systemClock } from '../../lambda/adapters/system/system-clock';
import { gatewayResponsesFor } from '../../lambda/adapters/apigw/gateway-responses';
import { protectedResourceMetadataPaths } from '../../lambda/core/guard/protected-resource-metadata';
import type { Config } from '../../lambda/core/config';
import { createTestTables, type TestTables } from '../support/dynamodb';
import { FakeMetadataFetcher, FakeTrustedIssuerKeys, FakeUpstreamGroups, FakeUpstreamIdp, FixedClock, RecordingAudit, localTestConfig } from '../support/in-memory-ports';
import {
  DynamoDbCallRecorder,
  formatDocumentedRow,
  readDocumentedCounts,
  readDocumentedPrices,
  readUnitDisagreements,
  summarizeDynamoDbCalls,
  usdPerMillion,
  type FlowCounts,
} from '../support/operation-counts';

const DEPLOY_DOC = join(__dirname, '../../docs/deploy.md');

/** The rows of the table, in order; each is measured by the test of the same name below. */
const FLOWS = {
  firstAuthorization: 'First authorization of a new client',
  returningAuthorization: 'Authorization by a signed-in user who already consented',
  refresh: 'Refresh',
  coldAuthorizerCall: 'MCP call, first on a new authorizer container',
  authorizerMiss: 'MCP call, authorizer cache miss',
  revocationCacheHit: 'MCP call, authorizer cache miss, revocation cache hit',
  authorizerHit: 'MCP call, authorizer cache hit',
  revokeAccessToken: 'Revoke an access token',
  revokeRefreshToken: 'Revoke a refresh token',
} as const;

type FunctionName = 'AS' | 'PRM' | 'authorizer' | 'MCP';

const KMS_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/11111111-1111-1111-1111-111111111111';
const MAC_KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/22222222-2222-2222-2222-222222222222';
const DIGEST_INFO_SHA256_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

describe('the cost estimate counts in docs/deploy.md are the counts the code makes', () => {
  const documented = new Map(readDocumentedCounts(DEPLOY_DOC).map((row) => [row.flow, row]));
  const measured = new Map<string, FlowCounts>();

  let tables: TestTables;
  let recorder: DynamoDbCallRecorder;
  let config: Config;
  let as: RunningApi;
  let mcp: RunningApi;
  let authorizerClock: FixedClock;
  let upstream: FakeUpstreamIdp;
  const kms = new KMSClient({ region: 'us-east-1' });
  const kmsMock = mockClient(kms);
  let signCalls = 0;
  let generateMacCalls = 0;
  let getPublicKeyCalls = 0;
  const invocations: Record<FunctionName, number> = { AS: 0, PRM: 0, authorizer: 0, MCP: 0 };
  let apiGatewayRequests = 0;
  const originalFetch = globalThis.fetch;

  const counted = <E, R>(name: FunctionName, handler: (event: E) => Promise<R>) => async (event: E): Promise<R> => {
    invocations[name]++;
    return handler(event);
  };

  /** A fresh authorizer, as a new Lambda container would start: empty JWKS and revocation caches. */
  let authorizerHandler: RequestAuthorizerHandler;
  const newAuthorizerContainer = () => {
    authorizerHandler = createAuthorizer({
      config,
      resource: config.resources[0]!,
      jwksUri: `${as.url}/.well-known/jwks.json`,
      revocations: tables.stores.revocations,
      clock: authorizerClock,
      log: () => undefined,
    });
  };

  beforeAll(async () => {
    tables = await createTestTables('operation-counts');
    recorder = new DynamoDbCallRecorder(tables.calls);
    // A cache TTL far above the test's duration: hit or miss is then decided by the test alone.
    config = localTestConfig((raw) => {
      raw.guard.authorizerCacheTtlSeconds = 300;
    });
    // KMS itself cannot run here; this stand-in signs as KMS does (DIGEST, PKCS#1 v1.5) behind the real KmsSigner adapter.
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    kmsMock.on(GetPublicKeyCommand).callsFake(async () => {
      getPublicKeyCalls++;
      return { KeyId: KMS_KEY_ARN, KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY', PublicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })), SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256'] };
    });
    kmsMock.on(SignCommand).callsFake(async (input: SignCommandInput) => {
      signCalls++;
      const signature = privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO_SHA256_PREFIX, Buffer.from(input.Message as Uint8Array)]));
      return { KeyId: KMS_KEY_ARN, Signature: new Uint8Array(signature), SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' };
    });

    // The cookie key's HMAC key stays in "KMS": a real HMAC-SHA256 under a secret only this stand-in holds.
    const macKey = randomBytes(32);
    kmsMock.on(GenerateMacCommand).callsFake(async (input: GenerateMacCommandInput) => {
      generateMacCalls++;
      return { KeyId: MAC_KEY_ARN, MacAlgorithm: 'HMAC_SHA_256', Mac: new Uint8Array(createHmac('sha256', macKey).update(input.Message as Uint8Array).digest()) };
    });

    upstream = new FakeUpstreamIdp();
    const asHandler: ProxyHandler = counted('AS', createAuthorizationServerHandler({
      config,
      clock: systemClock,
      random: cryptoRandom,
      signer: new KmsSigner({ kms, activeKeyId: KMS_KEY_ARN, publishedKeyIds: [] }),
      cookieKeys: new KmsCookieKeys({ kms, macKeyId: MAC_KEY_ARN }),
      ...tables.stores,
      upstream,
      upstreamGroups: new FakeUpstreamGroups(),
      metadataFetcher: new FakeMetadataFetcher(),
      trustedIssuerKeys: new FakeTrustedIssuerKeys(),
      audit: new RecordingAudit(),
      logError: (message, error) => {
        throw new Error(`the authorization server failed during a counted flow: ${message}: ${String(error)}`);
      },
    }));
    as = await startApiGatewayEmulator({
      name: 'operation-counts-as',
      port: 0,
      routes: [
        { method: 'ANY', resource: '/', handler: asHandler },
        { method: 'ANY', resource: '/{proxy+}', handler: asHandler },
      ],
    });

    authorizerClock = new FixedClock(Date.now());
    newAuthorizerContainer();
    const resource = config.resources[0]!;
    const mcpHandler = counted('MCP', createDemoMcpHandler({ config, resource }));
    const prmHandler = counted('PRM', createProtectedResourceMetadataHandler({ config, resource }));
    const responses = gatewayResponsesFor(resource);
    mcp = await startApiGatewayEmulator({
      name: 'operation-counts-mcp',
      port: 0,
      routes: [
        { method: 'POST', resource: '/mcp', handler: mcpHandler, authorized: true },
        ...protectedResourceMetadataPaths(resource).map((path) => ({ method: 'GET', resource: path, handler: prmHandler, authorized: false })),
      ],
      // The authorizer is looked up per call, so a test can swap in a new container.
      authorizer: { handler: counted('authorizer', (event) => authorizerHandler(event)), identitySources: AUTHORIZER_IDENTITY_SOURCES, resultTtlSeconds: config.guard.authorizerCacheTtlSeconds },
      gatewayResponses: { UNAUTHORIZED: responses.UNAUTHORIZED, ACCESS_DENIED: responses.ACCESS_DENIED },
    });

    // Every request to either API is one API Gateway request, including the authorizer's own JWKS fetch.
    globalThis.fetch = async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.origin === new URL(as.url).origin || url.origin === new URL(mcp.url).origin) apiGatewayRequests++;
      return originalFetch(input, init);
    };
  });

  afterAll(async () => {
    globalThis.fetch = originalFetch;
    recorder?.detach();
    kmsMock.restore();
    await mcp?.close();
    await as?.close();
    await tables?.dispose();
  });

  /** Runs one flow from a clean slate of counters and records what it cost. */
  async function measure(flow: string, run: () => Promise<void>): Promise<FlowCounts> {
    apiGatewayRequests = 0;
    signCalls = 0;
    for (const name of Object.keys(invocations) as FunctionName[]) invocations[name] = 0;
    const firstCall = recorder.calls.length;
    await run();
    const calls = recorder.calls.slice(firstCall);
    expect(readUnitDisagreements(calls)).toEqual([]);
    const counts: FlowCounts = {
      apiGatewayRequests,
      lambdaInvocations: Object.fromEntries(Object.entries(invocations).filter(([, n]) => n > 0)),
      ...summarizeDynamoDbCalls(calls),
      kmsSign: signCalls,
    };
    measured.set(flow, counts);
    return counts;
  }

  function expectDocumented(flow: string, counts: FlowCounts): void {
    const row = documented.get(flow);
    if (!row || !isDeepStrictEqual(row.counts, counts)) {
      const shouldRead = formatDocumentedRow(flow, counts, usdPerMillion(counts, readDocumentedPrices(DEPLOY_DOC)));
      throw new Error(
        `docs/deploy.md's cost table does not state what the code does for "${flow}". The row should read:\n${shouldRead}\n` +
          `measured:   ${JSON.stringify(counts)}\ndocumented: ${row ? JSON.stringify(row.counts) : '(no row)'}`,
      );
    }
  }

  // ---------------------------------------------------------------------------------------
  // The client side of the flows: plain HTTP, as an MCP client and a browser send it.

  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'http://127.0.0.1:53682/callback';
  const resourceUri = () => config.resources[0]!.uri;
  let clientId: string;
  let sessionCookie: string;
  let tokens: { access_token: string; refresh_token: string };

  const form = (fields: Record<string, string>) => ({ 'Content-Type': 'application/x-www-form-urlencoded' as const, body: new URLSearchParams(fields).toString() });

  async function post(base: string, path: string, fields: Record<string, string>, cookie?: string): Promise<Response> {
    const { body, ...headers } = form(fields);
    return fetch(`${base}${path}`, { method: 'POST', headers: { ...headers, ...(cookie ? { Cookie: cookie } : {}) }, body, redirect: 'manual' });
  }

  function cookieFrom(response: Response, name: string): string {
    const line = response.headers.getSetCookie().find((c) => c.startsWith(`${name}=`));
    if (!line) throw new Error(`no ${name} cookie in ${response.status} ${response.url}`);
    return line.split(';')[0]!;
  }

  const authorizeQuery = () =>
    new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256', scope: 'tool:read tool:execute', state: 'st', resource: resourceUri() });

  async function redeem(code: string): Promise<{ access_token: string; refresh_token: string }> {
    const response = await post(as.url, '/token', { grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: clientId, code_verifier: verifier, resource: resourceUri() });
    expect(response.status).toBe(200);
    return (await response.json()) as { access_token: string; refresh_token: string };
  }

  const codeFrom = (response: Response) => {
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
    return location.searchParams.get('code')!;
  };

  async function callWhoami(accessToken: string): Promise<Response> {
    return fetch(`${mcp.url}/mcp`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${accessToken}`, 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'whoami', arguments: {} } }),
    });
  }

  // ---------------------------------------------------------------------------------------

  it(FLOWS.firstAuthorization, async () => {
    const counts = await measure(FLOWS.firstAuthorization, async () => {
      // The MCP client's first, token-less request: API Gateway answers 401 without running the authorizer.
      expect((await fetch(`${mcp.url}/mcp`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(401);
      expect((await fetch(`${mcp.url}/.well-known/oauth-protected-resource/mcp`)).status).toBe(200);
      expect((await fetch(`${as.url}/.well-known/oauth-authorization-server`)).status).toBe(200);

      const registration = await fetch(`${as.url}/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ client_name: 'Cost probe', redirect_uris: [redirectUri], token_endpoint_auth_method: 'none', grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'] }),
      });
      expect(registration.status).toBe(201);
      clientId = ((await registration.json()) as { client_id: string }).client_id;

      const consentPage = await fetch(`${as.url}/authorize?${authorizeQuery()}`, { redirect: 'manual' });
      expect(consentPage.status).toBe(200);
      const pendingCookie = cookieFrom(consentPage, 'mcp_authz');
      const csrf = /name="csrf_token" value="([^"]+)"/.exec(await consentPage.text())![1]!;

      const toUpstream = await post(as.url, '/consent', { csrf_token: csrf, decision: 'approve' }, pendingCookie);
      expect(toUpstream.status).toBe(303);
      const upstreamState = new URL(toUpstream.headers.get('location')!).searchParams.get('state')!;
      // The pending request, now carrying the upstream state, comes back sealed in the same cookie.
      const upstreamCookie = cookieFrom(toUpstream, 'mcp_authz');

      const callback = await fetch(`${as.url}/callback?${new URLSearchParams({ code: 'upstream-code', state: upstreamState })}`, { headers: { Cookie: upstreamCookie }, redirect: 'manual' });
      expect(callback.status).toBe(303);
      sessionCookie = cookieFrom(callback, 'mcp_session');
      tokens = await redeem(codeFrom(callback));
    });
    expectDocumented(FLOWS.firstAuthorization, counts);
    // The cookie key is derived once per container, on the first request that needs a cookie, not per flow.
    expect(generateMacCalls).toBe(1);
  });

  it(FLOWS.returningAuthorization, async () => {
    const counts = await measure(FLOWS.returningAuthorization, async () => {
      const straightBack = await fetch(`${as.url}/authorize?${authorizeQuery()}`, { headers: { Cookie: sessionCookie }, redirect: 'manual' });
      expect(straightBack.status).toBe(302);
      await redeem(codeFrom(straightBack));
    });
    expectDocumented(FLOWS.returningAuthorization, counts);
  });

  it(FLOWS.refresh, async () => {
    const counts = await measure(FLOWS.refresh, async () => {
      const response = await post(as.url, '/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId });
      expect(response.status).toBe(200);
      tokens = (await response.json()) as typeof tokens;
    });
    expectDocumented(FLOWS.refresh, counts);
  });

  it(FLOWS.coldAuthorizerCall, async () => {
    newAuthorizerContainer();
    const counts = await measure(FLOWS.coldAuthorizerCall, async () => {
      expect((await callWhoami(tokens.access_token)).status).toBe(200);
    });
    expectDocumented(FLOWS.coldAuthorizerCall, counts);
  });

  it(FLOWS.authorizerMiss, async () => {
    // A warm container whose revocation cache has expired, and an API Gateway cache that does not hold this token.
    authorizerClock.advanceSeconds(config.guard.revocationCacheTtlSeconds + 1);
    mcp.clearAuthorizerCache();
    const counts = await measure(FLOWS.authorizerMiss, async () => {
      expect((await callWhoami(tokens.access_token)).status).toBe(200);
    });
    expectDocumented(FLOWS.authorizerMiss, counts);
  });

  it(FLOWS.revocationCacheHit, async () => {
    // API Gateway may route the next miss to the same container: its revocation look-up is remembered.
    mcp.clearAuthorizerCache();
    const counts = await measure(FLOWS.revocationCacheHit, async () => {
      expect((await callWhoami(tokens.access_token)).status).toBe(200);
    });
    expectDocumented(FLOWS.revocationCacheHit, counts);
  });

  it(FLOWS.authorizerHit, async () => {
    const counts = await measure(FLOWS.authorizerHit, async () => {
      expect((await callWhoami(tokens.access_token)).status).toBe(200);
    });
    expectDocumented(FLOWS.authorizerHit, counts);
  });

  it(FLOWS.revokeAccessToken, async () => {
    const counts = await measure(FLOWS.revokeAccessToken, async () => {
      expect((await post(as.url, '/revoke', { token: tokens.access_token, token_type_hint: 'access_token', client_id: clientId })).status).toBe(200);
    });
    expectDocumented(FLOWS.revokeAccessToken, counts);
  });

  it(FLOWS.revokeRefreshToken, async () => {
    const counts = await measure(FLOWS.revokeRefreshToken, async () => {
      expect((await post(as.url, '/revoke', { token: tokens.refresh_token, token_type_hint: 'refresh_token', client_id: clientId })).status).toBe(200);
    });
    expectDocumented(FLOWS.revokeRefreshToken, counts);
    // The revocation took: the refresh token no longer works.
    const refused = await post(as.url, '/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: clientId });
    expect(refused.status).toBe(400);
  });

  it('the table has a row for each measured flow and no other, and its prices follow from its counts', () => {
    expect([...documented.keys()]).toEqual(Object.values(FLOWS));
    const prices = readDocumentedPrices(DEPLOY_DOC);
    for (const [flow, row] of documented) {
      expect({ flow, usdPerMillion: row.usdPerMillion }).toEqual({ flow, usdPerMillion: usdPerMillion(row.counts, prices) });
    }
  });

  it('the signing key is fetched from KMS once per container, never per token', () => {
    expect(getPublicKeyCalls).toBe(1);
    expect(measured.get(FLOWS.firstAuthorization)?.kmsSign).toBe(1);
  });
});
