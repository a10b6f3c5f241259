/**
 * The guard's REQUEST authorizer against real parts: tokens signed by a real RSA key whose
 * JWKS a loopback server publishes, revocations in DynamoDB Local. docs/security.md 34-42:
 * every bad token is a 401 (the authorizer throws exactly "Unauthorized"), never a 5xx.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createAuthorizer, type RequestAuthorizer } from '../../lambda/adapters/apigw/request-authorizer';
import { AccessTokenVerifier } from '../../lambda/adapters/jwt/access-token-verifier';
import type { Config } from '../../lambda/core/config';
import type { Clock } from '../../lambda/core/ports';
import { useDynamoDbTables } from '../support/dynamodb';
import { b64url, createTestSigningKey, signRaw, localConfig, mintAccessToken, startLoopbackServer, type LoopbackServer, type TestSigningKey } from '../support/guard-token-forge';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/local/POST/mcp';

function event(headers: Record<string, string | string[]>, method = 'POST', path = '/mcp'): APIGatewayRequestAuthorizerEvent {
  const multi: Record<string, string[]> = {};
  const single: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    multi[k] = Array.isArray(v) ? v : [v];
    single[k] = Array.isArray(v) ? v[v.length - 1]! : v;
  }
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN.replace('/POST/mcp', `/${method}${path}`),
    resource: path,
    path,
    httpMethod: method,
    headers: single,
    multiValueHeaders: multi,
    pathParameters: {},
    queryStringParameters: {},
    multiValueQueryStringParameters: {},
    stageVariables: {},
    requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('guard authorizer', () => {
  const tables = useDynamoDbTables('guard-authorizer');
  let key: TestSigningKey;
  let jwks: LoopbackServer;
  let canary: LoopbackServer;
  let config: Config;
  let authorize: RequestAuthorizer;
  let logs: Record<string, unknown>[];

  const build = (overrides: Partial<Config['guard']> = {}, clock?: Clock) => {
    config = localConfig({ authorizerCacheTtlSeconds: 0, revocationCacheTtlSeconds: 0, ...overrides });
    logs = [];
    authorize = createAuthorizer({
      config,
      resource: config.resources[0]!,
      jwksUri: `${jwks.url}/.well-known/jwks.json`,
      revocations: tables().stores.revocations,
      clock,
      log: (entry) => logs.push({ ...entry }),
    });
  };

  beforeAll(async () => {
    key = await createTestSigningKey();
    jwks = await startLoopbackServer((path) =>
      path === '/.well-known/jwks.json' ? { status: 200, body: JSON.stringify({ keys: [key.publicJwk] }) } : { status: 404, body: '{}' },
    );
    canary = await startLoopbackServer(() => ({ status: 200, body: JSON.stringify({ keys: [key.publicJwk] }) }));
  });
  afterAll(async () => {
    await jwks.close();
    await canary.close();
  });
  beforeEach(() => build());

  const expectUnauthorized = async (headers: Record<string, string | string[]>) => {
    await expect(authorize(event(headers))).rejects.toThrow(/^Unauthorized$/);
  };
  const allowed = (result: APIGatewayAuthorizerResult) => result.policyDocument.Statement.some((s) => s.Effect === 'Allow' && (s as { Resource: string | string[] }).Resource.includes(METHOD_ARN));

  it('allows a valid token and hands the integration sub, client_id, scope, jti and family, never the token', async () => {
    const token = await mintAccessToken(config, key, { claims: { jti: 'jti-1', fid: 'fam-1' } });
    const result = await authorize(event(bearer(token)));
    expect(allowed(result)).toBe(true);
    expect(result.principalId).toBe('alice');
    expect(result.context).toEqual({ sub: 'alice', client_id: 'client-1', scope: 'tool:read tool:execute', jti: 'jti-1', family: 'fam-1' });
    expect(JSON.stringify(result)).not.toContain(token);
    expect(JSON.stringify(logs)).not.toContain(token);
  });

  it('41: no token, another scheme, a token in the query, or two Authorization headers are 401', async () => {
    const token = await mintAccessToken(config, key);
    await expectUnauthorized({});
    await expectUnauthorized({ Authorization: `Basic ${b64url('a:b')}` });
    await expectUnauthorized({ Authorization: token });
    await expectUnauthorized({ Authorization: [`Bearer ${token}`, `Bearer ${token}`] });
  });

  it('34: alg none with a live kid is 401', async () => {
    const valid = await mintAccessToken(config, key);
    const [, payload] = valid.split('.');
    await expectUnauthorized(bearer(`${b64url(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: key.kid }))}.${payload}.`));
  });

  it('35: HS256 keyed with the public key as PEM, DER or JWK JSON is 401', async () => {
    const valid = await mintAccessToken(config, key);
    const [, payload] = valid.split('.');
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'at+jwt', kid: key.kid }));
    const secrets = [
      key.publicKey.export({ type: 'spki', format: 'pem' }),
      key.publicKey.export({ type: 'spki', format: 'der' }),
      JSON.stringify(key.publicJwk),
    ];
    for (const secret of secrets) {
      const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
      await expectUnauthorized(bearer(`${header}.${payload}.${signature}`));
    }
  });

  it('36: odd kids are 401, never a 5xx, and 1,000 unknown kids cost at most one JWKS refetch', async () => {
    for (const kid of ['../../x', "' OR '1'='1", 'k'.repeat(10 * 1024)]) {
      await expectUnauthorized(bearer(await mintAccessToken(config, key, { header: { kid } })));
    }
    await authorize(event(bearer(await mintAccessToken(config, key)))); // JWKS cached
    const before = jwks.hits;
    const tokens = await Promise.all(Array.from({ length: 1000 }, (_, i) => mintAccessToken(config, key, { header: { kid: `x${i}` } })));
    for (const token of tokens) await expectUnauthorized(bearer(token));
    expect(jwks.hits - before).toBeLessThanOrEqual(1);
  });

  it('a key published after the JWKS was cached is fetched once, then verified from the cache', async () => {
    const next = await createTestSigningKey('test-key-2');
    let keys = [key.publicJwk];
    const rotating = await startLoopbackServer(() => ({ status: 200, body: JSON.stringify({ keys }) }));
    try {
      const rotatingAuthorizer = createAuthorizer({ config, resource: config.resources[0]!, jwksUri: `${rotating.url}/.well-known/jwks.json`, revocations: tables().stores.revocations, log: () => undefined });
      expect(allowed(await rotatingAuthorizer(event(bearer(await mintAccessToken(config, key)))))).toBe(true);
      expect(rotating.hits).toBe(1);
      keys = [key.publicJwk, next.publicJwk]; // publish-then-sign
      const fresh = await mintAccessToken(config, next);
      expect(allowed(await rotatingAuthorizer(event(bearer(fresh))))).toBe(true);
      expect(allowed(await rotatingAuthorizer(event(bearer(fresh))))).toBe(true);
      expect(allowed(await rotatingAuthorizer(event(bearer(await mintAccessToken(config, key)))))).toBe(true);
      expect(rotating.hits).toBe(2);
    } finally {
      await rotating.close();
    }
  });

  it('37: embedded jwk, jku or x5u is 401 and the canary gets no hit', async () => {
    const attacker = await createTestSigningKey(key.kid);
    for (const header of [{ jwk: attacker.publicJwk }, { jku: `${canary.url}/jwks.json` }, { x5u: `${canary.url}/cert.pem` }]) {
      await expectUnauthorized(bearer(await mintAccessToken(config, attacker, { header })));
    }
    expect(canary.hits).toBe(0);
  });

  it('37b: a token signed by another key under our kid is 401', async () => {
    const attacker = await createTestSigningKey(key.kid);
    await expectUnauthorized(bearer(await mintAccessToken(config, attacker)));
  });

  it('38: wrong iss, aud or typ, expired, nbf or iat in the future, and missing jti, client_id or sub are 401', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      { claims: { iss: `${config.issuer}/` } },
      { claims: { aud: 'https://other.example/mcp' } },
      { omit: ['aud'] },
      { claims: { aud: [config.resources[0]!.uri, 'https://other.example/mcp'] } },
      { header: { typ: 'JWT' } },
      { header: { typ: undefined } },
      { header: { typ: 'dpop+jwt' } },
      { claims: { exp: now - 120 } },
      { claims: { nbf: now + 300 } },
      { claims: { iat: now + 3600 } },
      { omit: ['jti'] },
      { omit: ['client_id'] },
      { omit: ['sub'] },
      { omit: ['exp'] },
    ];
    for (const c of cases) await expectUnauthorized(bearer(await mintAccessToken(config, key, c)));
  });

  it('39: a crit header is 401', async () => {
    const payload = Buffer.from((await mintAccessToken(config, key)).split('.')[1]!, 'base64url').toString('utf8');
    await expectUnauthorized(bearer(signRaw(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: key.kid, crit: ['urn:x'], 'urn:x': 1 }), payload, key.privateKey)));
  });

  it('40: 2 or 4 segments, non-base64url characters, 16 KB and 1 MB headers, duplicate aud are 401', async () => {
    const valid = await mintAccessToken(config, key);
    const [h, p, s] = valid.split('.');
    await expectUnauthorized(bearer(`${h}.${p}`));
    await expectUnauthorized(bearer(`${h}.${p}.${s}.${s}`));
    await expectUnauthorized(bearer(`${h}.${p}*.${s}`));
    for (const size of [16 * 1024, 1024 * 1024]) {
      await expectUnauthorized(bearer(`${b64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: key.kid, pad: 'a'.repeat(size) }))}.${p}.${s}`));
    }
    // {"aud":"<ours>",...,"aud":"<foreign>"}: a last-wins parser sees the foreign one; a strict parser refuses it.
    const ours = JSON.stringify(config.resources[0]!.uri);
    const payload = Buffer.from(p!, 'base64url').toString('utf8').replace(/}$/, `,"aud":"https://other.example/mcp"}`);
    expect(payload).toContain(`"aud":${ours}`);
    await expectUnauthorized(bearer(signRaw(Buffer.from(h!, 'base64url').toString('utf8'), payload, key.privateKey)));
  });

  it('42: a revoked jti, family, subject or client is 401; a revocation older than the token is not', async () => {
    const revocations = tables().stores.revocations;
    const now = Math.floor(Date.now() / 1000);
    for (const kind of ['jti', 'family', 'subject', 'client'] as const) {
      const claims = { jti: randomUUID(), fid: randomUUID(), sub: `user-${randomUUID()}`, client_id: `client-${randomUUID()}` };
      const token = await mintAccessToken(config, key, { claims });
      expect(allowed(await authorize(event(bearer(token))))).toBe(true);
      const value = { jti: claims.jti, family: claims.fid, subject: claims.sub, client: claims.client_id }[kind];
      const revokedAt = Math.floor(Date.now() / 1000);
      await revocations.revoke({ key: { kind, value }, revokedAt, expiresAt: now + 3600, reason: 'test' });
      await expectUnauthorized(bearer(token));
    }
    const subject = `user-${randomUUID()}`;
    await revocations.revoke({ key: { kind: 'subject', value: subject }, revokedAt: now - 60, expiresAt: now + 3600, reason: 'test' });
    expect(allowed(await authorize(event(bearer(await mintAccessToken(config, key, { claims: { sub: subject, iat: now } })))))).toBe(true);
  });

  it('the revocation cache keeps a revoked token passing for at most its TTL', async () => {
    let nowMs = Date.now();
    build({ revocationCacheTtlSeconds: 15 }, { nowMs: () => nowMs });
    const jti = randomUUID();
    const token = await mintAccessToken(config, key, { claims: { jti } });
    expect(allowed(await authorize(event(bearer(token))))).toBe(true);
    const now = Math.floor(Date.now() / 1000);
    await tables().stores.revocations.revoke({ key: { kind: 'jti', value: jti }, revokedAt: now, expiresAt: now + 3600, reason: 'test' });
    expect(allowed(await authorize(event(bearer(token))))).toBe(true); // still cached
    nowMs += 15_000;
    await expectUnauthorized(bearer(token));
  });

  it('the revocation cache never answers one token with the records of another whose claims spell the same keys', async () => {
    build({ revocationCacheTtlSeconds: 60 });
    const [jti, family] = [randomUUID(), randomUUID()];
    const now = Math.floor(Date.now() / 1000);
    await tables().stores.revocations.revoke({ key: { kind: 'family', value: family }, revokedAt: now, expiresAt: now + 3600, reason: 'test' });
    // Joined without lengths, both key lists read "jti:<jti>;family:<family>;subject:alice;client:client-1;".
    const lookalike = await mintAccessToken(config, key, { claims: { jti: `${jti};family:${family}`, iat: now - 5 }, omit: ['fid'] });
    expect(allowed(await authorize(event(bearer(lookalike))))).toBe(true);
    await expectUnauthorized(bearer(await mintAccessToken(config, key, { claims: { jti, fid: family, iat: now - 5 } })));
  });

  describe('a token seen before (the read-token memo and the verified-signature memo)', () => {
    it('has its signature verified once; later requests only check that the key that verified it is still the published one', async () => {
      // Another token first, so that the JWKS is cached: a token verified right after a JWKS fetch is not remembered yet.
      expect(allowed(await authorize(event(bearer(await mintAccessToken(config, key)))))).toBe(true);
      const verify = jest.spyOn(AccessTokenVerifier.prototype, 'verifyDecoded');
      try {
        const token = await mintAccessToken(config, key);
        for (let i = 0; i < 3; i++) expect(allowed(await authorize(event(bearer(token))))).toBe(true);
        expect(verify).toHaveBeenCalledTimes(1);
      } finally {
        verify.mockRestore();
      }
    });

    it('is refused once its key is rotated out of the JWKS, however often it passed; a refetched JWKS means one full verification again', async () => {
      const next = await createTestSigningKey('test-key-next');
      const third = await createTestSigningKey('test-key-third');
      let keys = [key.publicJwk];
      const rotating = await startLoopbackServer(() => ({ status: 200, body: JSON.stringify({ keys }) }));
      const verify = jest.spyOn(AccessTokenVerifier.prototype, 'verifyDecoded');
      try {
        const rotatingAuthorizer = createAuthorizer({ config, resource: config.resources[0]!, jwksUri: `${rotating.url}/.well-known/jwks.json`, revocations: tables().stores.revocations, log: () => undefined, jwksRefetchCooldownSeconds: 0 });
        const old = await mintAccessToken(config, key);
        const survivor = await mintAccessToken(config, key);
        for (let i = 0; i < 3; i++) expect(allowed(await rotatingAuthorizer(event(bearer(old))))).toBe(true);
        expect(allowed(await rotatingAuthorizer(event(bearer(survivor))))).toBe(true);

        // Publish-then-sign: the old key stays while a new one comes. The refetch (a token of the new key) replaces the cached JWKS,
        // so a remembered token is verified in full once more, then remembered with the key object of the new JWKS.
        keys = [key.publicJwk, next.publicJwk];
        expect(allowed(await rotatingAuthorizer(event(bearer(await mintAccessToken(config, next)))))).toBe(true);
        verify.mockClear();
        expect(allowed(await rotatingAuthorizer(event(bearer(survivor))))).toBe(true);
        expect(allowed(await rotatingAuthorizer(event(bearer(survivor))))).toBe(true);
        expect(verify).toHaveBeenCalledTimes(1);

        // Retired: the old key leaves the JWKS; once the authorizer has refetched it, the remembered tokens of that key are refused.
        keys = [next.publicJwk, third.publicJwk];
        expect(allowed(await rotatingAuthorizer(event(bearer(await mintAccessToken(config, third)))))).toBe(true);
        await expect(rotatingAuthorizer(event(bearer(old)))).rejects.toThrow(/^Unauthorized$/);
        await expect(rotatingAuthorizer(event(bearer(survivor)))).rejects.toThrow(/^Unauthorized$/);
      } finally {
        verify.mockRestore();
        await rotating.close();
      }
    });

    it('is no help to a token with the same header and payload and another signature', async () => {
      const token = await mintAccessToken(config, key);
      expect(allowed(await authorize(event(bearer(token))))).toBe(true);
      const [h, p] = token.split('.');
      const attacker = await createTestSigningKey(key.kid);
      const resigned = signRaw(Buffer.from(h!, 'base64url').toString('utf8'), Buffer.from(p!, 'base64url').toString('utf8'), attacker.privateKey);
      expect(resigned.startsWith(`${h}.${p}.`)).toBe(true);
      await expectUnauthorized(bearer(resigned));
      const at = token.length - 20;
      await expectUnauthorized(bearer(`${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`));
      // The last character also carries 4 bits that decoding ignores: its siblings decode to the same signature.
      const last = token.at(-1)!;
      const sibling = String.fromCharCode(last.charCodeAt(0) + 1);
      expect(Buffer.from(`${token.slice(token.lastIndexOf('.') + 1, -1)}${sibling}`, 'base64url')).toEqual(Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url'));
      await expectUnauthorized(bearer(`${token.slice(0, -1)}${sibling}`));
      expect(allowed(await authorize(event(bearer(token))))).toBe(true);
    });

    it('is 401 once it expires, or once it is revoked, however often it passed', async () => {
      let nowMs = Date.now();
      build({ revocationCacheTtlSeconds: 0 }, { nowMs: () => nowMs });
      const now = Math.floor(nowMs / 1000);
      const expiring = await mintAccessToken(config, key, { claims: { iat: now, exp: now + 60 } });
      for (let i = 0; i < 3; i++) expect(allowed(await authorize(event(bearer(expiring))))).toBe(true);
      nowMs += (60 + config.guard.clockSkewSeconds) * 1000;
      await expectUnauthorized(bearer(expiring));

      nowMs = Date.now();
      const jti = randomUUID();
      const revoked = await mintAccessToken(config, key, { claims: { jti } });
      for (let i = 0; i < 3; i++) expect(allowed(await authorize(event(bearer(revoked))))).toBe(true);
      await tables().stores.revocations.revoke({ key: { kind: 'jti', value: jti }, revokedAt: Math.floor(nowMs / 1000), expiresAt: now + 3600, reason: 'test' });
      await expectUnauthorized(bearer(revoked));
    });
  });

  it('a valid token without the route scope gets a Deny (403); a route no rule names is denied', async () => {
    const token = await mintAccessToken(config, key, { claims: { scope: 'admin' } });
    const result = await authorize(event(bearer(token)));
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: METHOD_ARN }]);
    const other = await authorize(event(bearer(await mintAccessToken(config, key)), 'POST', '/other'));
    expect(other.policyDocument.Statement[0]!.Effect).toBe('Deny');
  });

  it('decides on the REST resource API Gateway matched, never on the raw path or on Mcp-* headers', async () => {
    const bob = await mintAccessToken(config, key, { claims: { sub: 'bob', scope: 'tool:read' } });
    // Mcp-Name names a tool bob may not call: the authorizer never sees the body, so it decides the route alone.
    expect(allowed(await authorize(event({ ...bearer(bob), 'Mcp-Method': 'tools/call', 'Mcp-Name': 'echo' })))).toBe(true);
    const elsewhere = { ...event(bearer(bob)), resource: '/mcp/{proxy+}', path: '/mcp' };
    const result = await authorize(elsewhere);
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: METHOD_ARN }]);
    expect(logs).toContainEqual(expect.objectContaining({ audit: 'mcp_route_denied', route: '/mcp/{proxy+}', sub: 'bob', missing_scopes: '' }));
  });

  it('with the API Gateway cache on, returns one statement for this route and method (the cache key holds both)', async () => {
    build({ authorizerCacheTtlSeconds: 30 });
    const bob = await mintAccessToken(config, key, { claims: { sub: 'bob', scope: 'tool:read' } });
    const result = await authorize(event(bearer(bob)));
    const prefix = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/local';
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${prefix}/POST/mcp` }]);
    expect(result.context).toMatchObject({ sub: 'bob', scope: 'tool:read' });
  });

  it('a JWKS that cannot be fetched is a 500 (not cached, no re-login), not a 401', async () => {
    const dead = createAuthorizer({
      config,
      resource: config.resources[0]!,
      jwksUri: 'http://127.0.0.1:1/.well-known/jwks.json',
      revocations: tables().stores.revocations,
      log: () => undefined,
    });
    await expect(dead(event(bearer(await mintAccessToken(config, key))))).rejects.toThrow('Authorizer dependency unavailable');
  });

  it('counts each decision for the dashboard: allowed, denied by reason, and errors', async () => {
    const counted: string[] = [];
    const metrics = { allowed: () => counted.push('allowed'), denied: (reason: string) => counted.push(`denied:${reason}`), failed: () => counted.push('failed') };
    const counting = createAuthorizer({ config, resource: config.resources[0]!, jwksUri: `${jwks.url}/.well-known/jwks.json`, revocations: tables().stores.revocations, log: () => undefined, metrics });
    const failing = createAuthorizer({ config, resource: config.resources[0]!, jwksUri: 'http://127.0.0.1:1/.well-known/jwks.json', revocations: tables().stores.revocations, log: () => undefined, metrics });
    const alice = await mintAccessToken(config, key);
    const bob = await mintAccessToken(config, key, { claims: { sub: 'bob', scope: 'tool:read' } });

    await counting(event(bearer(alice)));
    await counting(event(bearer(bob), 'PUT'));
    await expect(counting(event({}))).rejects.toThrow(/^Unauthorized$/);
    await expect(failing(event(bearer(alice)))).rejects.toThrow('Authorizer dependency unavailable');

    expect(counted).toEqual(['allowed', 'denied:forbidden', 'denied:unauthorized', 'failed']);
  });
});
