/**
 * The property and fuzz tests (docs/security.md, "Properties"), for the guard (cases 34-43): properties of the
 * API Gateway authorizer, run in process against real parts (a real RSA key whose JWKS a
 * loopback server publishes, revocations in DynamoDB Local). A bad token must make the
 * authorizer reject with exactly `Error('Unauthorized')` (API Gateway's 401); any other
 * throw would be a 500, and any resolve is a request let through.
 *
 * Every fast-check run has a fixed seed, so a counterexample reproduces with the same
 * command; fast-check prints it shrunk.
 */
import fc from 'fast-check';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { createAuthorizer, type RequestAuthorizer } from '../../lambda/adapters/apigw/request-authorizer';
import type { Config } from '../../lambda/core/config';
import type { Clock } from '../../lambda/core/ports';
import { useDynamoDbTables } from '../support/dynamodb';
import { createTestSigningKey, localConfig, mintAccessToken, signRaw, startLoopbackServer, type LoopbackServer, type TestSigningKey } from '../support/guard-token-forge';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/local/POST/mcp';
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** A header is a few dozen bytes; the guard refuses one over 1 KB of base64url before it looks at it (case 40). */
const MAX_HEADER_B64_LENGTH = 1024;
/** The scope POST /mcp needs in config/local.json. */
const ROUTE_SCOPE = 'tool:read';

type HeaderPairs = readonly (readonly [string, string | undefined])[];

/** How API Gateway hands over headers: both maps (the usual case), or only one of them. */
type HeaderShape = 'both' | 'single-only' | 'multi-only' | 'empty-multi';

function event(pairs: HeaderPairs, shape: HeaderShape = 'both'): APIGatewayRequestAuthorizerEvent {
  const multi: Record<string, string[]> = {};
  const single: Record<string, string | undefined> = {};
  for (const [name, value] of pairs) {
    if (value !== undefined) (multi[name] ??= []).push(value);
    single[name] = value;
  }
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    resource: '/mcp',
    path: '/mcp',
    httpMethod: 'POST',
    headers: shape === 'multi-only' ? (null as unknown as Record<string, string>) : (single as Record<string, string>),
    multiValueHeaders: shape === 'single-only' ? (null as unknown as Record<string, string[]>) : shape === 'empty-multi' ? {} : multi,
    pathParameters: {},
    queryStringParameters: {},
    multiValueQueryStringParameters: {},
    stageVariables: {},
    requestContext: {} as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

const bearer = (token: string): HeaderPairs => [['Authorization', `Bearer ${token}`]];

type Outcome =
  | { readonly kind: 'allow' | 'deny'; readonly result: APIGatewayAuthorizerResult }
  | { readonly kind: 'unauthorized'; readonly reason: unknown };

/** The decision as API Gateway would see it; any rejection but exactly `Error('Unauthorized')` is thrown, to fail the property. */
async function outcomeOf(guard: Guard, request: APIGatewayRequestAuthorizerEvent): Promise<Outcome> {
  guard.logs.length = 0;
  let result: APIGatewayAuthorizerResult;
  try {
    result = await guard.authorize(request);
  } catch (error) {
    if (error instanceof Error && error.message === 'Unauthorized') {
      return { kind: 'unauthorized', reason: guard.logs.find((entry) => entry.reason !== undefined)?.reason };
    }
    throw new Error(`the authorizer threw something API Gateway turns into a 500: ${String(error)}; log: ${JSON.stringify(guard.logs)}`);
  }
  const allows = result.policyDocument.Statement.some((s) => s.Effect === 'Allow' && [(s as { Resource: string | string[] }).Resource].flat().includes(METHOD_ARN));
  return { kind: allows ? 'allow' : 'deny', result };
}

interface Guard {
  readonly authorize: RequestAuthorizer;
  readonly logs: Record<string, unknown>[];
}

/** Characters a mutation may insert: the token alphabet, its separators, and what base64 and headers use instead. */
const insertedText = fc.string({
  unit: fc.oneof(
    { arbitrary: fc.constantFrom(...BASE64URL_ALPHABET), weight: 6 },
    { arbitrary: fc.constantFrom('.', '=', '+', '/', ' ', '\t', '%', '\u00a0', '\u0000', 'é', '\u{1f511}'), weight: 2 },
  ),
  minLength: 1,
  maxLength: 8,
});

type Edit =
  | { readonly kind: 'delete'; readonly at: number; readonly count: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'truncate-end'; readonly keep: number }
  | { readonly kind: 'truncate-start'; readonly drop: number }
  | { readonly kind: 'duplicate-segment'; readonly segment: number; readonly at: number }
  | { readonly kind: 'overwrite-segment'; readonly from: number; readonly to: number };

/** Positions are fractions of the token's length, so one arbitrary serves every token. */
const editArbitrary: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(4096), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(4096), text: insertedText }),
  fc.record({ kind: fc.constant('truncate-end' as const), keep: fc.nat(4096) }),
  fc.record({ kind: fc.constant('truncate-start' as const), drop: fc.integer({ min: 1, max: 4096 }) }),
  fc.record({ kind: fc.constant('duplicate-segment' as const), segment: fc.nat(2), at: fc.nat(3) }),
  fc.record({ kind: fc.constant('overwrite-segment' as const), from: fc.nat(2), to: fc.nat(2) }).filter((e) => e.from !== e.to),
);

function applyEdit(token: string, edit: Edit): string {
  const scaled = (n: number) => n % (token.length + 1);
  const segments = token.split('.');
  switch (edit.kind) {
    case 'delete': {
      const at = scaled(edit.at) % token.length;
      return token.slice(0, at) + token.slice(at + edit.count);
    }
    case 'insert': {
      const at = scaled(edit.at);
      return token.slice(0, at) + edit.text + token.slice(at);
    }
    case 'truncate-end':
      return token.slice(0, edit.keep % token.length);
    case 'truncate-start':
      return token.slice(Math.min(edit.drop, token.length));
    case 'duplicate-segment': {
      const copy = [...segments];
      copy.splice(edit.at, 0, segments[edit.segment]!);
      return copy.join('.');
    }
    case 'overwrite-segment': {
      const copy = [...segments];
      copy[edit.to] = segments[edit.from]!;
      return copy.join('.');
    }
  }
}

/** A member left out of the JSON object. */
const ABSENT: unique symbol = Symbol('absent');
type Member = unknown | typeof ABSENT;

/** JSON values of the wrong type for any claim or header member we look at. */
const wrongJsonType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -5, max: 5 }),
  fc.string({ maxLength: 6 }),
  fc.constant({}),
  fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 4 })), { maxLength: 2 }),
);

/** Extra members: any name but the ones given, with small JSON values. `__proto__` and `constructor` are in on purpose. */
const extraMembers = (named: readonly string[]) =>
  fc.array(
    fc.tuple(
      fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'cnf', 'act', 'b64', 'ISS', 'Alg')).filter((k) => !named.includes(k)),
      fc.jsonValue({ maxDepth: 1 }),
    ),
    { maxLength: 3 },
  );

/** JSON object text with members in this order; written by hand so `__proto__` stays an ordinary member. */
function jsonObject(named: Readonly<Record<string, Member>>, extras: readonly (readonly [string, unknown])[]): string {
  const members: string[] = [];
  for (const [name, value] of Object.entries(named)) if (value !== ABSENT) members.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  for (const [name, value] of extras) members.push(`${JSON.stringify(name)}:${JSON.stringify(value)}`);
  return `{${members.join(',')}}`;
}

/** Mostly valid, sometimes wrong: a property over the valid region needs enough runs that land in it. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<U>, validWeight = 6) =>
  fc.oneof({ arbitrary: valid as fc.Arbitrary<T | U>, weight: validWeight }, { arbitrary: invalid as fc.Arbitrary<T | U>, weight: 1 });

const maybeAbsent = <T>(arb: fc.Arbitrary<T>, absentWeight = 1, presentWeight = 20) =>
  fc.oneof({ arbitrary: arb as fc.Arbitrary<T | typeof ABSENT>, weight: presentWeight }, { arbitrary: fc.constant(ABSENT), weight: absentWeight });

const own = (object: object, name: string) => Object.hasOwn(object, name);

describe('guard authorizer properties (docs/security.md, cases 34-43, property and fuzz testing)', () => {
  const tables = useDynamoDbTables('guard-properties');
  let key: TestSigningKey;
  let attacker: TestSigningKey;
  let jwks: LoopbackServer;
  let canary: LoopbackServer;
  let config: Config;

  beforeAll(async () => {
    key = await createTestSigningKey();
    attacker = await createTestSigningKey(key.kid);
    jwks = await startLoopbackServer((path) =>
      path === '/.well-known/jwks.json' ? { status: 200, body: JSON.stringify({ keys: [key.publicJwk] }) } : { status: 404, body: '{}' },
    );
    canary = await startLoopbackServer(() => ({ status: 200, body: JSON.stringify({ keys: [attacker.publicJwk] }) }));
    config = localConfig({ authorizerCacheTtlSeconds: 0, revocationCacheTtlSeconds: 60 });
  });
  afterAll(async () => {
    await jwks.close();
    await canary.close();
  });

  /** A fresh authorizer (cold memo and caches); its log is kept to name the reason in a counterexample. */
  const newGuard = (clock?: Clock): Guard => {
    const logs: Record<string, unknown>[] = [];
    const authorize = createAuthorizer({
      config,
      resource: config.resources[0]!,
      jwksUri: `${jwks.url}/.well-known/jwks.json`,
      revocations: tables().stores.revocations,
      clock,
      log: (entry) => logs.push({ ...entry }),
      // Unknown kids in the properties must not turn into one JWKS fetch each.
      jwksRefetchCooldownSeconds: 600,
    });
    return { authorize, logs };
  };

  const expectAllowed = async (guard: Guard, token: string) => {
    const outcome = await outcomeOf(guard, event(bearer(token)));
    expect(outcome).toMatchObject({ kind: 'allow' });
  };

  describe('property: every single-character change of a valid token is a 401, with the memo warm', () => {
    it('exhaustively: each position replaced by the next base64url character, ".", "=" and a space', async () => {
      const guard = newGuard();
      const token = await mintAccessToken(config, key);
      await expectAllowed(guard, token); // the memo now holds the token
      const accepted: { position: number; replacement: string; outcome: string }[] = [];
      let tried = 0;
      for (let position = 0; position < token.length; position++) {
        const original = token[position]!;
        const next = original === '.' ? 'A' : BASE64URL_ALPHABET[(BASE64URL_ALPHABET.indexOf(original) + 1) % BASE64URL_ALPHABET.length]!;
        for (const replacement of [next, '.', '=', ' ']) {
          if (replacement === original) continue;
          const changed = token.slice(0, position) + replacement + token.slice(position + 1);
          const outcome = await outcomeOf(guard, event(bearer(changed)));
          tried++;
          if (outcome.kind !== 'unauthorized') accepted.push({ position, replacement, outcome: outcome.kind });
        }
        // The real token keeps passing: no change of it evicted or poisoned what the memo holds.
        await expectAllowed(guard, token);
      }
      expect(accepted).toEqual([]);
      expect(tried).toBeGreaterThanOrEqual(3 * token.length);
    });

    it('fast-check: deletions, insertions, truncations and duplicated or overwritten segments', async () => {
      const guard = newGuard();
      const tokens = [
        await mintAccessToken(config, key),
        await mintAccessToken(config, key, { header: { typ: 'application/at+jwt' } }),
        await mintAccessToken(config, key, { claims: { scope: 'tool:read' } }),
      ];
      for (const token of tokens) await expectAllowed(guard, token);
      await fc.assert(
        fc.asyncProperty(fc.nat(tokens.length - 1), editArbitrary, async (which, edit) => {
          const token = tokens[which]!;
          const changed = applyEdit(token, edit);
          fc.pre(!tokens.includes(changed));
          const outcome = await outcomeOf(guard, event(bearer(changed)));
          expect(outcome).toMatchObject({ kind: 'unauthorized' });
          await expectAllowed(guard, token);
        }),
        { seed: 0x5eed0101, numRuns: 600 },
      );
    });

    it('fast-check: the segments of valid tokens put together in any other way (header of one, payload of another)', async () => {
      const guard = newGuard();
      // Different headers and payloads, so every mix of parts differs from every token.
      const tokens = [
        await mintAccessToken(config, key),
        await mintAccessToken(config, key, { header: { typ: 'application/at+jwt' } }),
        await mintAccessToken(config, key, { header: { typ: 'AT+JWT' }, claims: { sub: 'bob', scope: 'tool:read' } }),
      ];
      for (const token of tokens) await expectAllowed(guard, token);
      const parts = tokens.map((t) => t.split('.'));
      const source = fc.nat(tokens.length - 1);
      await fc.assert(
        fc.asyncProperty(source, source, source, async (h, p, s) => {
          fc.pre(!(h === p && p === s));
          const mixed = `${parts[h]![0]}.${parts[p]![1]}.${parts[s]![2]}`;
          const outcome = await outcomeOf(guard, event(bearer(mixed)));
          expect(outcome).toMatchObject({ kind: 'unauthorized' });
        }),
        // 3^3 - 3 combinations: enough runs to see them all.
        { seed: 0x5eed0102, numRuns: 100 },
      );
      for (const token of tokens) await expectAllowed(guard, token);
    });
  });

  describe('property: claims signed with the real key are allowed exactly when a simple oracle says they are valid', () => {
    it('fast-check: arbitrary payloads with optional, wrong-typed and extra members, around a pinned now', async () => {
      // One instant for the authorizer's Clock and for aws-jwt-verify, which reads Date.now() itself.
      const nowMs = Math.floor(Date.now() / 1000) * 1000;
      const now = nowMs / 1000;
      const skew = config.guard.clockSkewSeconds;
      const uri = config.resources[0]!.uri;
      const issuer = config.issuer;
      const dateNow = jest.spyOn(Date, 'now').mockReturnValue(nowMs);
      try {
        const guard = newGuard({ nowMs: () => nowMs });

        const nearNow = fc.oneof(
          fc.integer({ min: -3 * skew, max: 3 * skew }).map((d) => now + d),
          fc.constantFrom(-skew - 1, -skew, -skew + 1, skew - 1, skew, skew + 1).map((d) => now + d),
          fc.double({ min: -2 * skew, max: 2 * skew, noNaN: true, noDefaultInfinity: true }).map((d) => now + d),
          fc.constantFrom(0, -1, 1e308, -1e308, now * 1000),
        );
        const time = mostly(nearNow, fc.oneof(wrongJsonType, fc.constant(String(now))), 8);
        const id = mostly(
          fc.oneof(
            { arbitrary: fc.string({ minLength: 1, maxLength: 16 }), weight: 6 },
            { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), weight: 2 },
            { arbitrary: fc.constantFrom('x'.repeat(1024), 'x'.repeat(1025), ' '), weight: 1 },
          ),
          fc.oneof(fc.constant(''), wrongJsonType),
          10,
        );
        const claims = fc.record({
          iss: maybeAbsent(mostly(fc.constant(issuer), fc.oneof(fc.constantFrom(`${issuer}/`, issuer.toUpperCase(), '', 'https://evil.example', [issuer]), wrongJsonType), 10)),
          aud: maybeAbsent(
            mostly(
              fc.constantFrom(uri, [uri]),
              fc.oneof(fc.constantFrom([uri, 'https://other.example/mcp'], ['https://other.example/mcp', uri], [], [[uri]], `${uri}/`, 'https://other.example/mcp', [uri, uri]), wrongJsonType),
              10,
            ),
          ),
          exp: maybeAbsent(time),
          iat: maybeAbsent(time),
          nbf: maybeAbsent(time, 4, 1),
          sub: maybeAbsent(id),
          client_id: maybeAbsent(id),
          jti: maybeAbsent(id),
          scope: maybeAbsent(
            mostly(
              fc.oneof(fc.constantFrom('tool:read', 'tool:read tool:execute', ' tool:read ', 'admin', '', 'tool:readx', 'tool:read\ttool:execute'), fc.string({ maxLength: 12 })),
              fc.oneof(fc.constant(['tool:read']), wrongJsonType),
              10,
            ),
          ),
          fid: maybeAbsent(id, 2, 1),
        });
        const names = ['iss', 'aud', 'exp', 'iat', 'nbf', 'sub', 'client_id', 'jti', 'scope', 'fid'];

        /** RFC 9068 as docs/guard.md states it, written without the product's code. */
        const validId = (v: unknown) => typeof v === 'string' && v.length >= 1 && v.length <= 1024;
        const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
        const oracle = (p: Record<string, unknown>, tokenLength: number): boolean =>
          tokenLength <= 4096 &&
          p.iss === issuer &&
          (p.aud === uri || (Array.isArray(p.aud) && p.aud.length === 1 && p.aud[0] === uri)) &&
          isTime(p.exp) &&
          p.exp > now - skew &&
          isTime(p.iat) &&
          p.iat <= now + skew &&
          (!own(p, 'nbf') || (isTime(p.nbf) && p.nbf <= now + skew)) &&
          validId(p.sub) &&
          validId(p.client_id) &&
          validId(p.jti) &&
          typeof p.scope === 'string' &&
          (!own(p, 'fid') || validId(p.fid));

        const seen = { valid: 0, invalid: 0 };
        await fc.assert(
          fc.asyncProperty(claims, extraMembers(names), async (members, extras) => {
            const payloadJson = jsonObject(members, extras);
            const token = signRaw(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: key.kid }), payloadJson, key.privateKey);
            const payload = JSON.parse(payloadJson) as Record<string, unknown>;
            const valid = oracle(payload, token.length);
            seen[valid ? 'valid' : 'invalid']++;
            const outcome = await outcomeOf(guard, event(bearer(token)));
            if (!valid) {
              expect(outcome).toMatchObject({ kind: 'unauthorized' });
              return;
            }
            const scopes = (payload.scope as string).split(' ');
            expect(outcome).toMatchObject({ kind: scopes.includes(ROUTE_SCOPE) ? 'allow' : 'deny' });
            if (outcome.kind === 'unauthorized') return;
            expect(outcome.result.principalId).toBe(payload.sub);
            expect(outcome.result.context).toMatchObject({ sub: payload.sub, client_id: payload.client_id, jti: payload.jti, family: payload.fid ?? '' });
          }),
          { seed: 0x5eed0201, numRuns: 1000 },
        );
        // With this seed both sides of the oracle are well covered; fewer would mean the generators drifted.
        expect(seen.valid).toBeGreaterThanOrEqual(100);
        expect(seen.invalid).toBeGreaterThanOrEqual(400);
      } finally {
        dateNow.mockRestore();
      }
    });
  });

  describe('property: no Authorization header value or header shape makes the authorizer throw anything but Unauthorized', () => {
    it('fast-check: missing, repeated, other schemes, odd whitespace, very long and unicode values', async () => {
      const guard = newGuard();
      const token = await mintAccessToken(config, key);
      const space = fc.constantFrom(' ', '  ', '\t', '\u00a0', '\u2003', '\n', '\r\n', '', ' \t');
      const tokenish = fc.oneof(
        { arbitrary: fc.constant(token), weight: 4 },
        { arbitrary: editArbitrary.map((edit) => applyEdit(token, edit)), weight: 2 },
        { arbitrary: fc.string({ unit: 'binary', maxLength: 32 }), weight: 1 },
      );
      const oneOrOther = <T>(usual: fc.Arbitrary<T>, odd: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 3 }, { arbitrary: odd, weight: 1 });
      const composed = fc
        .tuple(
          oneOrOther(fc.constant(''), fc.constantFrom('x', ' ', 'Basic ', 'Token ')),
          oneOrOther(fc.constantFrom('Bearer', 'bearer', 'BEARER', 'BeArEr'), fc.constantFrom('Basic', 'DPoP', 'Bearer:', 'Bearer,', 'Bear', 'Bearerr', 'B\u0435arer')),
          oneOrOther(fc.constantFrom(' ', '  '), space),
          tokenish,
          oneOrOther(fc.constantFrom('', ' ', '   '), fc.constantFrom('\t', '\n', '\u00a0', ',', ' x', `, Bearer ${token}`)),
        )
        .map((parts) => parts.join(''));
      const value = fc.oneof(
        { arbitrary: composed, weight: 8 },
        { arbitrary: fc.string({ maxLength: 64 }), weight: 2 },
        { arbitrary: fc.string({ unit: 'binary', maxLength: 64 }), weight: 2 },
        { arbitrary: fc.integer({ min: 4000, max: 70_000 }).map((n) => `Bearer ${'A'.repeat(n)}`), weight: 1 },
        { arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => `Bearer ${token}${' '.repeat(n)}`), weight: 1 },
        { arbitrary: fc.constant(undefined), weight: 1 },
      );
      const name = fc.oneof(
        { arbitrary: fc.constantFrom('Authorization', 'authorization', 'AUTHORIZATION', 'AuThOrIzAtIoN'), weight: 8 },
        { arbitrary: fc.constantFrom('Authorization ', 'X-Authorization', 'Proxy-Authorization', 'Authorisation', 'Cookie', '\u0410uthorization'), weight: 2 },
        { arbitrary: fc.constantFrom('Mcp-Method', 'mcp-name', 'MCP-NAME'), weight: 2 },
      );
      const headers = fc.oneof(
        { arbitrary: fc.array(fc.tuple(name, value), { minLength: 1, maxLength: 3 }), weight: 8 },
        { arbitrary: fc.constant([]), weight: 1 },
      );
      const shape = fc.constantFrom<HeaderShape>('both', 'both', 'both', 'single-only', 'multi-only', 'empty-multi');

      /** What the guard was given: the multi-value map when it has anything, else the single one (as API Gateway fills both). */
      const authorizationValues = (pairs: HeaderPairs, how: HeaderShape): string[] => {
        const request = event(pairs, how);
        const multi = request.multiValueHeaders ?? {};
        if (Object.keys(multi).length) return Object.entries(multi).filter(([k]) => k.toLowerCase() === 'authorization').flatMap(([, v]) => v ?? []);
        return Object.entries(request.headers ?? {}).filter(([k, v]) => k.toLowerCase() === 'authorization' && v !== undefined).map(([, v]) => v!);
      };
      /** RFC 6750 section 2.1: the scheme, any case, one or more spaces, the token; trailing spaces tolerated. */
      const carriesToken = (v: string) => v.slice(0, 7).toLowerCase() === 'bearer ' && v.slice(7).replace(/^ +| +$/g, '') === token;

      const seen = { passed: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(headers, shape, async (pairs, how) => {
          const outcome = await outcomeOf(guard, event(pairs, how));
          const values = authorizationValues(pairs, how);
          const shouldPass = values.length === 1 && carriesToken(values[0]!);
          seen[outcome.kind === 'unauthorized' ? 'refused' : 'passed']++;
          expect({ passed: outcome.kind !== 'unauthorized', values }).toEqual({ passed: shouldPass, values });
        }),
        { seed: 0x5eed0301, numRuns: 1000 },
      );
      expect(seen.passed).toBeGreaterThanOrEqual(40);
      expect(seen.refused).toBeGreaterThanOrEqual(400);
    });
  });

  describe('property: only an RS256, at+jwt, our-kid JOSE header without crit or key members is accepted', () => {
    it('fast-check: arbitrary alg, typ, kid, crit, jwk, jku, x5u, x5c and extra members, signed with the real key', async () => {
      const guard = newGuard();
      const canaryHitsBefore = canary.hits;
      const now = Math.floor(Date.now() / 1000);
      // One valid payload for every header: only the header decides.
      const payloadJson = JSON.stringify({ iss: config.issuer, sub: 'alice', aud: config.resources[0]!.uri, client_id: 'client-1', scope: 'tool:read', iat: now, exp: now + 900, jti: 'header-properties' });

      const anyCase = (s: string) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }).map((up) => [...s].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
      const alg = maybeAbsent(mostly(fc.constant('RS256'), fc.oneof(fc.constantFrom('rs256', 'RS384', 'RS512', 'PS256', 'HS256', 'ES256', 'none', 'None', '', 'RS256 ', ['RS256']), wrongJsonType), 5));
      const typ = maybeAbsent(
        mostly(
          fc.oneof(anyCase('at+jwt'), anyCase('application/at+jwt')),
          fc.oneof(fc.constantFrom('JWT', 'jwt', 'dpop+jwt', 'at+jwt ', ' at+jwt', 'application/jwt', 'at+jwt; charset=utf-8', 'application/at+jwt+x', 'atjwt', 'at+jws', '', ['at+jwt']), wrongJsonType),
          5,
        ),
      );
      const kid = maybeAbsent(mostly(fc.constant(key.kid), fc.oneof(fc.constantFrom('test-key-2', 'TEST-KEY-1', `${key.kid} `, '', '../x', "' OR '1'='1", 'k'.repeat(200)), wrongJsonType), 5));
      const crit = maybeAbsent(fc.oneof(fc.constantFrom([], ['urn:x'], ['exp'], 'urn:x'), wrongJsonType), 6, 1);
      const keyMember = (values: fc.Arbitrary<unknown>) => maybeAbsent(fc.oneof(values, fc.constantFrom(null, '', [])), 10, 1);
      const header = fc.record({
        alg,
        typ,
        kid,
        crit,
        jwk: keyMember(fc.constant(attacker.publicJwk)),
        jku: keyMember(fc.constant(`${canary.url}/jwks.json`)),
        x5u: keyMember(fc.constant(`${canary.url}/cert.pem`)),
        x5c: keyMember(fc.constant(['MIIB'])),
      });
      const names = ['alg', 'typ', 'kid', 'crit', 'jwk', 'jku', 'x5u', 'x5c'];

      /** RFC 8725 and RFC 9068 as docs/guard.md states them, written without the product's code. */
      const oracle = (h: Record<string, unknown>) =>
        h.alg === 'RS256' &&
        typeof h.typ === 'string' &&
        /^(application\/)?at\+jwt$/i.test(h.typ) &&
        h.kid === key.kid &&
        !own(h, 'crit') &&
        !['jwk', 'jku', 'x5u', 'x5c'].some((member) => own(h, member));

      const seen = { valid: 0, invalid: 0 };
      await fc.assert(
        fc.asyncProperty(header, extraMembers(names), async (members, extras) => {
          const headerJson = jsonObject(members, extras);
          const token = signRaw(headerJson, payloadJson, key.privateKey);
          const valid = token.indexOf('.') <= MAX_HEADER_B64_LENGTH && oracle(JSON.parse(headerJson) as Record<string, unknown>);
          seen[valid ? 'valid' : 'invalid']++;
          const outcome = await outcomeOf(guard, event(bearer(token)));
          expect(outcome).toMatchObject({ kind: valid ? 'allow' : 'unauthorized' });
        }),
        { seed: 0x5eed0401, numRuns: 1000 },
      );
      expect(seen.valid).toBeGreaterThanOrEqual(100);
      expect(seen.invalid).toBeGreaterThanOrEqual(400);
      expect(canary.hits - canaryHitsBefore).toBe(0);
    });
  });
});
