/**
 * docs/security.md, case 66: private_key_jwt client assertions (RFC 7523 section 3, RFC 8725
 * section 3.1) at /token over real HTTP on the local stack. Each refused assertion is a 401
 * invalid_client with the one text every client authentication failure has, issues nothing,
 * and burns nothing: the same jti still authenticates afterwards in a valid assertion.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { expectOAuthError, postForm, startSecurityStack, type SecurityStack } from './support/security-stack';

const CLIENT = 'jwt-machine';
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KID = 'k1';

let ctx: SecurityStack;

beforeAll(async () => {
  ctx = await startSecurityStack({
    configOverrides: (config) => {
      config.clients.push({
        clientId: CLIENT,
        clientName: 'Machine with a key',
        tokenEndpointAuthMethod: 'private_key_jwt',
        jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' }] },
        grantTypes: ['client_credentials'],
        allowedScopes: { [config.resources[0].uri]: ['tool:read'] },
      });
    },
  });
}, 90_000);

afterAll(async () => {
  await ctx?.stop();
});

interface AssertionChanges {
  readonly claims?: Record<string, unknown>;
  readonly header?: Record<string, unknown>;
  readonly key?: KeyObject | Uint8Array;
  readonly alg?: string;
}

async function assertion(changes: AssertionChanges = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: CLIENT, sub: CLIENT, aud: ctx.issuer, iat: now, exp: now + 60, jti: randomUUID(), ...changes.claims };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: changes.alg ?? 'RS256', kid: KID, ...changes.header } as never)
    .sign(changes.key ?? privateKey);
}

function tokenRequest(clientAssertion: string, extra: Record<string, string> = {}) {
  return postForm(`${ctx.issuer}/token`, { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: clientAssertion, ...extra });
}

function unsigned(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

describe('case 66: private_key_jwt', () => {
  it('control: a valid assertion gets a token for the client itself', async () => {
    const answer = await tokenRequest(await assertion());
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ token_type: 'Bearer', scope: 'tool:read' });
    expect(answer.json.refresh_token).toBeUndefined();
  });

  it('case 66: a replayed jti is invalid_client (the first use got the token)', async () => {
    const once = await assertion();
    expect((await tokenRequest(once)).status).toBe(200);
    const replay = await tokenRequest(once);
    expectOAuthError(replay, 401, 'invalid_client');
    expect(replay.json.error_description).toBe('Client authentication failed.');
  });

  it('case 66: two requests racing with one assertion: exactly one token', async () => {
    const once = await assertion();
    const answers = await Promise.all(Array.from({ length: 4 }, () => tokenRequest(once)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 401, 401, 401]);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const refused: [string, (jti: string) => Promise<string>][] = [
    ['case 66: exp more than 5 minutes ahead', (jti) => assertion({ claims: { jti, exp: now() + 3600 } })],
    ['case 66: wrong aud (another server)', (jti) => assertion({ claims: { jti, aud: 'https://other-as.example' } })],
    ['case 66: wrong aud (the MCP server)', (jti) => assertion({ claims: { jti, aud: ctx.r1 } })],
    ['case 66: unknown kid', (jti) => assertion({ claims: { jti }, header: { kid: 'not-registered' } })],
    ['case 66: alg none', async (jti) => unsigned({ iss: CLIENT, sub: CLIENT, aud: ctx.issuer, exp: now() + 60, jti })],
    ['case 66: HS256 keyed with the client\'s public key', (jti) => assertion({ claims: { jti }, alg: 'HS256', key: new Uint8Array(Buffer.from(publicKey.export({ format: 'pem', type: 'spki' }))) })],
    ['expired', (jti) => assertion({ claims: { jti, exp: now() - 120 } })],
    ['iss and sub not the same client', (jti) => assertion({ claims: { jti, sub: 'demo-machine' } })],
    ['signed by another key', (jti) => assertion({ claims: { jti }, key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey })],
  ];

  it.each(refused)('%s -> 401 invalid_client, and the jti is not burned', async (_name, make) => {
    const jti = randomUUID();
    const answer = await tokenRequest(await make(jti));
    expectOAuthError(answer, 401, 'invalid_client');
    expect(answer.json.error_description).toBe('Client authentication failed.');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic/);
    expect((await tokenRequest(await assertion({ claims: { jti } }))).status).toBe(200);
  });

  it('an assertion without a jti -> 401 invalid_client', async () => {
    expectOAuthError(await tokenRequest(await assertion({ claims: { jti: undefined } })), 401, 'invalid_client');
  });

  it('an assertion together with a client secret is invalid_request (one method only)', async () => {
    expectOAuthError(await tokenRequest(await assertion(), { client_secret: 'x' }), 400, 'invalid_request');
  });

  it('client_id in the body naming another client is invalid_client', async () => {
    expectOAuthError(await tokenRequest(await assertion(), { client_id: 'demo-machine' }), 401, 'invalid_client');
  });
});
