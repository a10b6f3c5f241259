/**
 * Test helpers for the guard: a real RSA key served as a JWKS from a loopback HTTP server
 * (standing in for the authorization server), a canary server that records any hit, and
 * jose to mint valid and forged access tokens.
 */
import { createServer, type Server } from 'node:http';
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, exportJWK, type JWTPayload } from 'jose';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import { type Config } from '../../lambda/core/config';

export interface LoopbackServer {
  readonly url: string;
  hits: number;
  close(): Promise<void>;
}

export async function startLoopbackServer(respond: (path: string) => { status: number; body: string }): Promise<LoopbackServer> {
  const state = { hits: 0 };
  const server: Server = createServer((req, res) => {
    state.hits++;
    const { status, body } = respond(req.url ?? '/');
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
  });
  // No idle timeout on the server's side: with Node's default (5 s) it may close a kept-alive
  // socket just as fetch (undici) reuses it, when a loaded machine delays undici's own 4 s
  // timer, and the fetch then fails ("fetch failed", a reset): a test would see an outage
  // that is the harness's. The client closes its idle sockets itself; close() ends the rest.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return state.hits;
    },
    set hits(value: number) {
      state.hits = value;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export interface TestSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: Record<string, unknown>;
}

export async function createTestSigningKey(kid = 'test-key-1'): Promise<TestSigningKey> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = await exportJWK(publicKey);
  return { kid, privateKey, publicKey, publicJwk: { ...jwk, kid, alg: 'RS256', use: 'sig' } };
}

/** config/local.json, with overrides of the guard section. */
export function localConfig(guard: Partial<Config['guard']> = {}): Config {
  const raw = JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));
  return parseConfig({ ...raw, guard: { ...raw.guard, ...guard } });
}

export interface MintOptions {
  readonly header?: Record<string, unknown>;
  readonly claims?: Record<string, unknown>;
  readonly omit?: readonly string[];
  readonly key?: KeyObject;
}

/** A token like the AS mints (RFC 9068), changed as the options say. */
export async function mintAccessToken(config: Config, key: TestSigningKey, opts: MintOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims: JWTPayload & Record<string, unknown> = {
    iss: config.issuer,
    sub: 'alice',
    aud: config.resources[0]!.uri,
    client_id: 'client-1',
    scope: 'tool:read tool:execute',
    iat: now,
    exp: now + 900,
    jti: randomUUID(),
    fid: randomUUID(),
    ...opts.claims,
  };
  for (const name of opts.omit ?? []) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: key.kid, ...opts.header } as { alg: string })
    .sign(opts.key ?? key.privateKey);
}

export function b64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** Signs any header and payload text with RS256, bypassing jose's own checks (crit, duplicate members). */
export function signRaw(headerJson: string, payloadJson: string, key: KeyObject): string {
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key).toString('base64url')}`;
}
