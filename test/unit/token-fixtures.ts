/**
 * Shared set-up for the token-side unit tests: in-memory ports, a few clients of each
 * kind, codes seeded straight into the store (the browser side is another suite's
 * business), form requests, and a snapshot of every store to prove a failure changed nothing.
 */
import { serve } from '../support/serve';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { sha256Base64url } from '../../lambda/core/crypto';
import type { HttpRequest, HttpResponse } from '../../lambda/core/http';
import type { AuthorizationCodeRecord, ClientRecord } from '../../lambda/core/ports';
import { handleJwks } from '../../lambda/core/authorization-server/jwks';
import type { AuthorizationServerDeps } from '../../lambda/core/authorization-server/deps';
import { inMemoryDepsWithSharedSigner, localTestConfig, type InMemoryDeps } from '../support/in-memory-ports';

export const ISSUER = 'http://localhost:8787';
export const R1 = 'http://localhost:8788/mcp';
export const R2 = 'https://r2.example/mcp';

export const PUBLIC = 'public-client';
export const OTHER_PUBLIC = 'other-public-client';
export const CODE_ONLY = 'code-only-client';
export const CONFIDENTIAL = 'confidential-client';
export const CONFIDENTIAL_SECRET = 'confidential secret:with+odd&chars';
export const OTHER_CONFIDENTIAL = 'other-confidential-client';
export const OTHER_CONFIDENTIAL_SECRET = 'other-secret';
/** A resource server allowed to introspect tokens for R1 (resources[0].introspectionClients). */
export const R1_INTROSPECTOR = 'r1-resource-server';
export const R1_INTROSPECTOR_SECRET = 'r1-rs-secret';

export const VERIFIER = 'v'.repeat(20) + '-._~' + 'A1b2C3d4E5f6G7h8I9j0K'; // 45 unreserved characters
export const REDIRECT_URI = 'https://client.example/cb';

function client(clientId: string, overrides: Partial<ClientRecord> = {}): ClientRecord {
  return {
    clientId,
    tokenEndpointAuthMethod: 'none',
    redirectUris: [REDIRECT_URI],
    grantTypes: ['authorization_code', 'refresh_token'],
    responseTypes: ['code'],
    source: 'dynamic',
    createdAt: 0,
    ...overrides,
  };
}

export function tokenDeps(): InMemoryDeps {
  const deps = inMemoryDepsWithSharedSigner(
    localTestConfig((raw) => {
      raw.resources[0].introspectionClients = [R1_INTROSPECTOR];
      raw.resources.push({ uri: R2, name: 'Second server', scopes: [{ name: 'r2:read', description: 'Read R2' }, { name: 'tool:read', description: 'Read tools on R2' }] });
    }),
  );
  const confidential = (id: string, secret: string, grantTypes = ['authorization_code', 'refresh_token']) =>
    client(id, { tokenEndpointAuthMethod: 'client_secret_basic', clientSecretHash: sha256Base64url(secret), grantTypes });
  for (const record of [
    client(PUBLIC),
    client(OTHER_PUBLIC),
    client(CODE_ONLY, { grantTypes: ['authorization_code'] }),
    confidential(CONFIDENTIAL, CONFIDENTIAL_SECRET),
    confidential(OTHER_CONFIDENTIAL, OTHER_CONFIDENTIAL_SECRET),
    confidential(R1_INTROSPECTOR, R1_INTROSPECTOR_SECRET, []),
  ]) deps.clients.items.set(record.clientId, record);
  return deps;
}

let codeCounter = 0;

/** Puts a fresh, unredeemed code for PUBLIC (by default) into the store, as /consent would have. */
export async function seedCode(deps: Pick<InMemoryDeps, 'codes' | 'clock' | 'config'> | Pick<AuthorizationServerDeps, 'codes' | 'clock' | 'config'>, overrides: Partial<AuthorizationCodeRecord> = {}): Promise<{ code: string; record: AuthorizationCodeRecord }> {
  const code = `test-code-${++codeCounter}-${'c'.repeat(30)}`;
  const now = Math.floor(deps.clock.nowMs() / 1000);
  const record: AuthorizationCodeRecord = {
    codeHash: sha256Base64url(code),
    clientId: PUBLIC,
    redirectUri: REDIRECT_URI,
    redirectUriWasSent: true,
    codeChallenge: sha256Base64url(VERIFIER),
    resources: [R1],
    scope: ['tool:read', 'tool:execute'],
    subject: 'alice-sub',
    authTime: now - 5,
    issuedAt: now,
    expiresAt: now + deps.config.tokens.authorizationCodeSeconds,
    ...overrides,
  };
  await deps.codes.put(record);
  return { code, record };
}

type Params = Record<string, string | readonly string[] | undefined>;

export function formRequest(path: string, params: Params, headers: Record<string, string | readonly string[]> = {}): HttpRequest {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const v of typeof value === 'string' ? [value] : value) body.append(name, v);
  }
  const lowerHeaders: Record<string, readonly string[]> = { 'content-type': ['application/x-www-form-urlencoded'] };
  for (const [name, value] of Object.entries(headers)) lowerHeaders[name.toLowerCase()] = typeof value === 'string' ? [value] : value;
  return { method: 'POST', path, query: {}, headers: lowerHeaders, body: body.toString() };
}

/** RFC 6749 section 2.3.1: each part form-urlencoded, then joined and base64-encoded. */
export function basicAuth(clientId: string, secret: string): string {
  const enc = (s: string) => new URLSearchParams({ x: s }).toString().slice(2);
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
}

export function codeParams(code: string, overrides: Params = {}): Params {
  return { grant_type: 'authorization_code', code, code_verifier: VERIFIER, client_id: PUBLIC, redirect_uri: REDIRECT_URI, resource: R1, ...overrides };
}

export async function token(deps: InMemoryDeps, params: Params, headers: Record<string, string | readonly string[]> = {}): Promise<HttpResponse> {
  return serve(deps, formRequest('/token', params, headers));
}

export function json(response: HttpResponse): any {
  return JSON.parse(response.body);
}

/** Redeems a fresh code for PUBLIC and returns the tokens. */
export async function login(deps: InMemoryDeps, overrides: Partial<AuthorizationCodeRecord> = {}, params: Params = {}): Promise<{ accessToken: string; refreshToken: string; code: string; body: any }> {
  const { code } = await seedCode(deps, overrides);
  const response = await token(deps, codeParams(code, { client_id: overrides.clientId ?? PUBLIC, ...params }));
  if (response.status !== 200) throw new Error(`login failed: ${response.status} ${response.body}`);
  const body = json(response);
  return { accessToken: body.access_token, refreshToken: body.refresh_token, code, body };
}

/** Verifies an access token the way any resource server would: jose against our JWKS. */
export async function verifyWithJose(deps: InMemoryDeps, accessToken: string, audience = R1): Promise<JWTPayload> {
  const jwks = json(await handleJwks(deps, { method: 'GET', path: '/.well-known/jwks.json', query: {}, headers: {} }));
  const { payload } = await jwtVerify(accessToken, createLocalJWKSet(jwks), {
    issuer: ISSUER,
    audience,
    typ: 'at+jwt',
    algorithms: ['RS256'],
    currentDate: new Date(deps.clock.nowMs()),
  });
  return payload;
}

/** Everything a token request could change, to assert that a failure changed nothing. */
export function snapshot(deps: InMemoryDeps): string {
  return JSON.stringify({
    codes: [...deps.codes.items.entries()],
    families: [...deps.families.items.entries()],
    revocations: [...deps.revocations.items.entries()],
    signCalls: deps.signer.signCalls,
    issued: deps.audit.events.filter((e) => e.type === 'token_issued').length,
  });
}
