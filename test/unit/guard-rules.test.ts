/** The guard's pure rules: routes, scopes, challenges, metadata, token pre-checks and claims, header versus body. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import { type Config } from '../../lambda/core/config';
import { accessTokenTimeFailure } from '../../lambda/core/tokens/access-token-lifetime';
import { bearerToken } from '../../lambda/core/tokens/bearer-token';
import { decodeAccessToken } from '../../lambda/core/tokens/access-token-syntax';
import { isRevoked, accessTokenRevocationKeys } from '../../lambda/core/tokens/revocation-check';
import { readAccessTokenClaims } from '../../lambda/core/tokens/access-token-claims';
import { ReadTokenMemo } from '../../lambda/core/guard/read-token-memo';
import { arnPatternMatches, policyStatement } from '../../lambda/adapters/apigw/authorizer-policy';
import { compileAccessRules } from '../../lambda/core/guard/access-decision';
import { gatewayResponsesFor } from '../../lambda/adapters/apigw/gateway-responses';
import { protectedResourceMetadataPaths, protectedResourceMetadataUrl } from '../../lambda/core/guard/protected-resource-metadata';
import { checkMcpHeadersAgainstBody, decideToolRequest, decodeMcpHeaderValue, toolScopesFromBody } from '../../lambda/core/guard/mcp-request-rules';
import { protectedResourceMetadata } from '../../lambda/core/guard/protected-resource-metadata';
import { indexRouteRules } from '../../lambda/core/guard/route-rules';
import { missingScopes } from '../../lambda/core/scopes';

const config: Config = parseConfig(JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8')));
const resource = config.resources[0]!;
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jws = (header: unknown) => `${b64(header)}.${b64({})}.sig`;

describe('route rules: the rule of the REST resource API Gateway matched', () => {
  const rules = indexRouteRules([
    { method: 'POST', path: '/mcp/admin', scopes: ['admin'] },
    { method: 'ANY', path: '/mcp/admin', scopes: ['x'] },
    { method: 'POST', path: '/mcp/{tenant}', scopes: ['tool:read'] },
  ]);

  it('looks the rule up by resource template and method, never by the raw path', () => {
    expect(rules.ruleFor('/mcp/admin', 'post')?.scopes).toEqual(['admin']);
    expect(rules.ruleFor('/mcp/{tenant}', 'POST')?.scopes).toEqual(['tool:read']);
    expect(rules.ruleFor('/mcp/t1', 'POST')).toBeUndefined();
  });

  it('prefers the exact method over ANY, and names nothing for an unnamed method or resource', () => {
    expect(rules.ruleFor('/mcp/admin', 'GET')?.scopes).toEqual(['x']);
    expect(rules.ruleFor('/mcp/{tenant}', 'GET')).toBeUndefined();
    expect(rules.ruleFor(undefined, 'POST')).toBeUndefined();
  });

  it('needs every scope (AND)', () => {
    expect(missingScopes(['a', 'b'], ['b'])).toEqual(['a']);
  });
});

describe('challenges and metadata', () => {
  it('inserts the well-known segment before the resource path', () => {
    expect(protectedResourceMetadataUrl(resource)).toBe('http://localhost:8788/.well-known/oauth-protected-resource/mcp');
    expect(protectedResourceMetadataPaths(resource)).toEqual(['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource']);
    expect(protectedResourceMetadataUrl({ uri: 'https://api.example/' })).toBe('https://api.example/.well-known/oauth-protected-resource');
  });

  it('gives the exact gateway response header values', () => {
    const responses = gatewayResponsesFor(resource);
    expect(responses.UNAUTHORIZED.statusCode).toBe(401);
    expect(responses.UNAUTHORIZED.headers['WWW-Authenticate']).toBe('Bearer resource_metadata="http://localhost:8788/.well-known/oauth-protected-resource/mcp", scope="tool:read tool:execute"');
    expect(responses.ACCESS_DENIED.statusCode).toBe(403);
    expect(responses.ACCESS_DENIED.headers['WWW-Authenticate']).toBe(
      'Bearer error="insufficient_scope", scope="tool:read tool:execute admin", resource_metadata="http://localhost:8788/.well-known/oauth-protected-resource/mcp"',
    );
  });

  it('publishes the issuer exactly and no offline_access', () => {
    const withOffline = { ...resource, scopes: [...resource.scopes, { name: 'offline_access', description: 'x' }] };
    expect(protectedResourceMetadata(withOffline, config)).toEqual({
      resource: 'http://localhost:8788/mcp',
      authorization_servers: ['http://localhost:8787'],
      scopes_supported: ['tool:read', 'tool:execute', 'admin'],
      bearer_methods_supported: ['header'],
      resource_name: 'Demo MCP server',
    });
  });
});

describe('access token rules', () => {
  it('reads only a single Bearer credential', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer abc')).toBe('abc');
    expect(bearerToken('Bearer a b')).toBeUndefined();
    expect(bearerToken('Basic abc')).toBeUndefined();
  });

  it.each([
    ['alg none', { alg: 'none', typ: 'at+jwt', kid: 'k' }],
    ['HS256', { alg: 'HS256', typ: 'at+jwt', kid: 'k' }],
    ['typ JWT', { alg: 'RS256', typ: 'JWT', kid: 'k' }],
    ['no typ', { alg: 'RS256', kid: 'k' }],
    ['crit', { alg: 'RS256', typ: 'at+jwt', kid: 'k', crit: ['x'] }],
    ['jwk', { alg: 'RS256', typ: 'at+jwt', kid: 'k', jwk: {} }],
    ['jku', { alg: 'RS256', typ: 'at+jwt', kid: 'k', jku: 'http://127.0.0.1/' }],
    ['x5u', { alg: 'RS256', typ: 'at+jwt', kid: 'k', x5u: 'http://127.0.0.1/' }],
    ['path kid', { alg: 'RS256', typ: 'at+jwt', kid: '../../x' }],
    ['long kid', { alg: 'RS256', typ: 'at+jwt', kid: 'k'.repeat(200) }],
  ])('pre-check refuses %s', (_name, header) => {
    expect(decodeAccessToken(jws(header)).ok).toBe(false);
  });

  it('pre-check accepts our header shape, and refuses odd segment counts', () => {
    expect(decodeAccessToken(jws({ alg: 'RS256', typ: 'application/AT+JWT', kid: 'abc_-1' }))).toEqual({ ok: true, value: expect.objectContaining({ kid: 'abc_-1' }) });
    expect(decodeAccessToken('a.b').ok).toBe(false);
    expect(decodeAccessToken('a.b.c.d').ok).toBe(false);
    expect(decodeAccessToken(`${b64({ alg: 'RS256', typ: 'at+jwt', kid: 'k' })}.e30.`).ok).toBe(false);
  });

  const header = { alg: 'RS256', typ: 'at+jwt', kid: 'k' };
  it('refuses segments that are not the one base64url spelling of their bytes', () => {
    const valid = `${b64({ alg: 'RS256', typ: 'at+jwt', kid: 'k' })}.${b64({ sub: 'a' })}.${Buffer.alloc(256, 7).toString('base64url')}`;
    expect(decodeAccessToken(valid).ok).toBe(true);
    const signature = valid.slice(valid.lastIndexOf('.') + 1);
    expect(signature.length % 4).toBe(2);
    // 256 bytes leave 4 unused bits in the last character: every sibling decodes to the same bytes.
    const last = signature.at(-1)!;
    const siblings = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('').filter((c) => c !== last && Buffer.from(`${signature.slice(0, -1)}${c}`, 'base64url').equals(Buffer.from(signature, 'base64url')));
    expect(siblings).toHaveLength(15);
    for (const sibling of siblings) expect(decodeAccessToken(`${valid.slice(0, -1)}${sibling}`)).toEqual({ ok: false, reason: 'a segment is not canonical base64url' });
    expect(decodeAccessToken(`${valid}AAA`).ok).toBe(false); // 345 characters: a length base64url never has
    expect(decodeAccessToken(`${b64({ alg: 'RS256', typ: 'at+jwt', kid: 'k' })}.e30B.${signature}`).ok).toBe(false);
  });

  const token = (payloadJson: string) => `${b64(header)}.${Buffer.from(payloadJson).toString('base64url')}.c2ln`;

  it('decodes header and payload once, in the shape aws-jwt-verify verifies', () => {
    const raw = token('{"iss":"i","aud":["a"],"exp":1}');
    const [h, p, s] = raw.split('.');
    expect(decodeAccessToken(raw)).toEqual({ ok: true, value: { kid: 'k', header, headerB64: h, payload: { iss: 'i', aud: ['a'], exp: 1 }, payloadB64: p, signatureB64: s } });
  });

  it('drops __proto__ and constructor members at every depth, as the library parser does', () => {
    const decoded = decodeAccessToken(token('{"sub":"a","__proto__":{"admin":true},"constructor":{"x":1},"cnf":{"__proto__":{"y":1},"n":[{"constructor":2}]}}'));
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    const payload = decoded.value.payload as Record<string, unknown>;
    expect(Object.keys(payload)).toEqual(['sub', 'cnf']);
    expect(Object.hasOwn(payload, '__proto__')).toBe(false);
    expect(Object.getPrototypeOf(payload)).toBe(Object.prototype);
    expect(payload.cnf).toEqual({ n: [{}] });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"sub":'],
    ['an array', '[1]'],
    ['a string', '"x"'],
    ['null', 'null'],
    ['exp a string', '{"exp":"1"}'],
    ['iat null', '{"iat":null}'],
    ['nbf an object', '{"nbf":{}}'],
    ['iss a number', '{"iss":1}'],
    ['sub an array', '{"sub":["a"]}'],
    ['scope an array', '{"scope":["a"]}'],
    ['jti a number', '{"jti":1}'],
    ['aud a number', '{"aud":1}'],
    ['aud with a number', '{"aud":["a",1]}'],
  ])('refuses a payload that is %s', (_name, payloadJson) => {
    expect(decodeAccessToken(token(payloadJson)).ok).toBe(false);
  });

  const now = 1_800_000_000;
  const valid = { iss: config.issuer, aud: resource.uri, sub: 'alice', client_id: 'c', scope: 'tool:read', jti: 'j', fid: 'f', iat: now, exp: now + 900 };
  const expect_ = { issuer: config.issuer, audience: resource.uri, nowSeconds: now, skewSeconds: 30, expiryGraceSeconds: 30 };
  /** The whole claim check, as the authorizer applies it: time-free rules, then the clock. */
  const checkAccessTokenClaims = (payload: Record<string, unknown>, e: typeof expect_) => {
    const read = readAccessTokenClaims(payload, e);
    if (!read.ok) return read;
    const late = accessTokenTimeFailure(read.value, e);
    return late ? { ok: false as const, reason: late } : read;
  };

  it('accepts valid claims and names revocation keys', () => {
    const result = checkAccessTokenClaims(valid, expect_);
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value.scope).toEqual(['tool:read']);
      expect(accessTokenRevocationKeys(result.value)).toEqual([
        { kind: 'jti', value: 'j' }, { kind: 'family', value: 'f' }, { kind: 'subject', value: 'alice' }, { kind: 'client', value: 'c' },
      ]);
    }
  });

  it.each([
    ['iss', { iss: `${config.issuer}/` }],
    ['aud', { aud: 'https://other.example/mcp' }],
    ['aud', { aud: [resource.uri, 'https://other.example/mcp'] }],
    ['exp', { exp: now - 31 }],
    ['iat', { iat: now + 31 }],
    ['nbf', { nbf: now + 31 }],
    ['sub', { sub: '' }],
    ['client_id', { client_id: undefined }],
    ['jti', { jti: 5 }],
    ['scope', { scope: ['tool:read'] }],
  ])('refuses a bad %s', (reason, change) => {
    expect(checkAccessTokenClaims({ ...valid, ...change }, expect_)).toEqual({ ok: false, reason });
  });

  it('reads the claims that do not depend on the time, whatever the clock', () => {
    const long = { ...valid, iat: now - 86_400, exp: now - 3600, nbf: now + 3600 };
    const read = readAccessTokenClaims(long, expect_);
    expect(read).toEqual({ ok: true, value: expect.objectContaining({ subject: 'alice', issuedAt: now - 86_400, expiresAt: now - 3600, notBefore: now + 3600 }) });
    expect(readAccessTokenClaims({ ...valid, exp: '1' }, expect_)).toEqual({ ok: false, reason: 'exp' });
    expect(readAccessTokenClaims({ ...valid, nbf: null }, expect_)).toEqual({ ok: false, reason: 'nbf' });
  });

  it.each<[string | undefined, { exp?: number; iat?: number; nbf?: number }]>([
    [undefined, {}],
    [undefined, { exp: now - 29 }],
    ['exp', { exp: now - 30 }],
    [undefined, { iat: now + 30 }],
    ['iat', { iat: now + 31 }],
    [undefined, { nbf: now + 30 }],
    ['nbf', { nbf: now + 31 }],
  ])('time rules with 30 s of skew: %s for %j', (reason, change) => {
    const at = { expiresAt: change.exp ?? valid.exp, issuedAt: change.iat ?? valid.iat, notBefore: change.nbf };
    expect(accessTokenTimeFailure(at, { nowSeconds: now, skewSeconds: 30, expiryGraceSeconds: 30 })).toBe(reason);
  });

  it('a revocation covers tokens issued at or before it', () => {
    const record = { key: { kind: 'jti' as const, value: 'j' }, revokedAt: 100, expiresAt: 200, reason: 'x' };
    expect(isRevoked([record], 100)).toBe(true);
    expect(isRevoked([record], 101)).toBe(false);
  });
});

describe('tool rules and header versus body', () => {
  const call = (name: string) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } });

  it('decodes the base64 sentinel form and refuses garbage', () => {
    expect(decodeMcpHeaderValue('echo')).toBe('echo');
    expect(decodeMcpHeaderValue(`=?base64?${Buffer.from('héllo').toString('base64')}?=`)).toBe('héllo');
    expect(decodeMcpHeaderValue('=?base64?***?=')).toBeUndefined();
  });

  it('matches headers to the body', () => {
    expect(checkMcpHeadersAgainstBody({}, call('echo')).ok).toBe(true);
    expect(checkMcpHeadersAgainstBody({ method: 'tools/call', name: 'echo' }, call('echo')).ok).toBe(true);
    expect(checkMcpHeadersAgainstBody({ method: 'tools/call', name: 'whoami' }, call('admin_stats')).ok).toBe(false);
    expect(checkMcpHeadersAgainstBody({ method: 'tools/list' }, call('echo')).ok).toBe(false);
    expect(checkMcpHeadersAgainstBody({ method: 'tools/call' }, call('echo')).ok).toBe(false);
    expect(checkMcpHeadersAgainstBody({ method: 'tools/call', name: 'echo' }, [call('echo')]).ok).toBe(false);
  });

  it('needs the union of tool scopes over a batch', () => {
    expect(toolScopesFromBody(resource, [call('echo'), call('admin_stats'), { method: 'tools/list' }])).toEqual(['tool:execute', 'admin']);
    expect(decideToolRequest(resource, ['tool:read'], {}, call('echo'), ['tool:read'])).toEqual({
      effect: 'insufficient_scope',
      requiredScopes: ['tool:read', 'tool:execute'],
      calls: [{ tool: 'echo', requiredScopes: ['tool:read', 'tool:execute'], missingScopes: ['tool:execute'] }],
    });
    expect(decideToolRequest(resource, ['tool:read'], {}, call('echo'), ['tool:read', 'tool:execute'])).toEqual({ effect: 'allow', calls: [{ tool: 'echo', requiredScopes: ['tool:read', 'tool:execute'], missingScopes: [] }] });
    const batch = decideToolRequest(resource, ['tool:read'], {}, [call('echo'), call('admin_stats')], ['tool:read', 'tool:execute']);
    expect(batch).toMatchObject({ effect: 'insufficient_scope', requiredScopes: ['tool:read', 'tool:execute', 'admin'] });
  });
});

describe('authorizer decisions and policies', () => {
  const prefix = 'arn:aws:execute-api:us-east-1:1:api/stage';
  const decide = (granted: string[], resourcePath = '/mcp', method = 'POST') => compileAccessRules(resource).decide({ resourcePath, method, grantedScopes: granted });

  it('decides on the route alone: the scopes of the rule for the matched resource and method', () => {
    expect(decide(['tool:read'])).toMatchObject({ effect: 'allow' });
    expect(decide([])).toEqual({ effect: 'deny', requiredScopes: ['tool:read'], route: expect.objectContaining({ path: '/mcp' }) });
    expect(decide(['tool:read'], '/mcp', 'PUT')).toEqual({ effect: 'deny', requiredScopes: [] });
  });

  it('names this route and method when the answer may be cached, and the exact method ARN when it may not', () => {
    const allow = { effect: 'allow', route: resource.routes[0]! } as const;
    const request = { methodArn: `${prefix}/POST/mcp/t1`, resourcePath: '/mcp/{tenant}', httpMethod: 'POST' };
    expect(policyStatement({ ...request, cached: true }, allow)).toEqual({ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${prefix}/POST/mcp/*` });
    expect(policyStatement({ ...request, cached: false }, allow).Resource).toBe(`${prefix}/POST/mcp/t1`);
    expect(policyStatement({ ...request, cached: true }, { effect: 'deny', requiredScopes: ['admin'] }).Effect).toBe('Deny');
    expect(arnPatternMatches(`${prefix}/POST/mcp/*`, `${prefix}/POST/mcp/t2`)).toBe(true);
    expect(arnPatternMatches(`${prefix}/POST/mcp/*`, `${prefix}/GET/mcp/t2`)).toBe(false);
  });
});

describe('read token memo', () => {
  it('answers only the exact token text it was given', () => {
    const memo = new ReadTokenMemo<string>(4);
    memo.remember('a.b.c', 'read');
    expect(memo.get('a.b.c')).toBe('read');
    expect(memo.get('a.b.c ')).toBeUndefined();
    expect(memo.get('A.b.c')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const memo = new ReadTokenMemo<number>(3);
    for (let i = 0; i < 5; i++) memo.remember(`t${i}`, i);
    expect(memo.size).toBe(3);
    expect([0, 1, 2, 3, 4].map((i) => memo.get(`t${i}`))).toEqual([undefined, undefined, 2, 3, 4]);
  });

  it('does not let a repeat replace what was first read', () => {
    const memo = new ReadTokenMemo<number>(2);
    memo.remember('t', 1);
    memo.remember('t', 2);
    expect(memo.get('t')).toBe(1);
    expect(memo.size).toBe(1);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses a bound of %p', (max) => {
    expect(() => new ReadTokenMemo(max)).toThrow(RangeError);
  });
});
