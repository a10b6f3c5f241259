/**
 * docs/security.md, case 65: ID-JAGs at /token (grant_type=jwt-bearer) over real HTTP on the
 * local stack, from a test IdP whose JWKS a loopback server publishes and which the config
 * trusts for R1 only. Each refusal is one 400 invalid_grant with the same text, issues
 * nothing, and burns nothing: the same jti is redeemed afterwards in a valid ID-JAG. Scope
 * beyond what the ID-JAG or the policy allows is narrowed, never widened.
 */
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { sha256Base64url } from '../../lambda/core/crypto';
import { basic, claimsOf, expectOAuthError, postForm, startSecurityStack, type SecurityStack } from './support/security-stack';

const IDP = 'https://idp.enterprise.example';
const EC1 = { clientId: 'EC1', secret: 'ec1-secret-for-the-attack-suite-0123456789' };
const EC2 = { clientId: 'EC2', secret: 'ec2-secret-for-the-attack-suite-0123456789' };
const idpKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });

let ctx: SecurityStack;
let jwks: Server;

beforeAll(async () => {
  jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ ...idpKey.publicKey.export({ format: 'jwk' }), kid: 'idp-1', alg: 'RS256', use: 'sig' }] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUri = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks`;
  ctx = await startSecurityStack({
    secondResource: true,
    configOverrides: (config) => {
      const client = (c: typeof EC1) => ({ clientId: c.clientId, clientName: c.clientId, tokenEndpointAuthMethod: 'client_secret_basic', clientSecretHash: sha256Base64url(c.secret), grantTypes: ['urn:ietf:params:oauth:grant-type:jwt-bearer'] });
      config.clients.push(client(EC1), client(EC2));
      config.trustedIdentityProviders = [{ issuer: IDP, jwksUri, resources: { [config.resources[0].uri]: ['tool:read', 'tool:execute'] }, subjectPrefix: 'ent|' }];
    },
  });
}, 90_000);

afterAll(async () => {
  await ctx?.stop();
  await new Promise((resolve) => jwks?.close(resolve));
});

interface IdJagChanges {
  readonly claims?: Record<string, unknown>;
  readonly typ?: string;
  readonly key?: KeyObject;
}

function idJag(changes: IdJagChanges = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: IDP, sub: 'u-123', aud: ctx.issuer, client_id: EC1.clientId, jti: randomUUID(), iat: now, exp: now + 300, resource: ctx.r1, scope: 'tool:read tool:execute', ...changes.claims };
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: changes.typ ?? 'oauth-id-jag+jwt', kid: 'idp-1' }).sign(changes.key ?? idpKey.privateKey);
}

function redeem(assertion: string, extra: Record<string, string> = {}, client = EC1) {
  return postForm(`${ctx.issuer}/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion, ...extra }, basic(client.clientId, client.secret));
}

describe('case 65: ID-JAG (jwt-bearer grant)', () => {
  it('control: a valid ID-JAG gets an access token for the resource, the subject mapped, no refresh token', async () => {
    const answer = await redeem(await idJag());
    expect(answer.status).toBe(200);
    expect(answer.json.refresh_token).toBeUndefined();
    expect(claimsOf(answer.json.access_token)).toMatchObject({ sub: 'ent|u-123', aud: ctx.r1, client_id: EC1.clientId, scope: 'tool:read tool:execute' });
  });

  const now = () => Math.floor(Date.now() / 1000);
  const refused: [string, (jti: string) => Promise<string>][] = [
    ['case 65: header typ not oauth-id-jag+jwt', (jti) => idJag({ claims: { jti }, typ: 'JWT' })],
    ['case 65: untrusted iss', (jti) => idJag({ claims: { jti, iss: 'https://evil-idp.example' }, key: strangerKey.privateKey })],
    ['case 65: trusted iss, signed by another key', (jti) => idJag({ claims: { jti }, key: strangerKey.privateKey })],
    ['case 65: aud the token endpoint, not exactly our issuer', (jti) => idJag({ claims: { jti, aud: `${ctx.issuer}/token` } })],
    ['case 65: aud another authorization server', (jti) => idJag({ claims: { jti, aud: 'https://other-as.example' } })],
    ['case 65: aud a list that also names another server', (jti) => idJag({ claims: { jti, aud: [ctx.issuer, 'https://other-as.example'] } })],
    ['case 65: client_id claim is another client', (jti) => idJag({ claims: { jti, client_id: EC2.clientId } })],
    ['case 65: expired', (jti) => idJag({ claims: { jti, iat: now() - 600, exp: now() - 120 } })],
    ['case 65: iat in the future beyond the skew', (jti) => idJag({ claims: { jti, iat: now() + 600, exp: now() + 900 } })],
    ['case 65: resource not configured', (jti) => idJag({ claims: { jti, resource: 'https://unknown.example/mcp' } })],
    ['case 65: resource configured but not allowed for this IdP', (jti) => idJag({ claims: { jti, resource: ctx.r2 } })],
  ];

  it.each(refused)('%s -> 400 invalid_grant, and the jti is not burned', async (_name, make) => {
    const jti = randomUUID();
    const answer = await redeem(await make(jti));
    expectOAuthError(answer, 400, 'invalid_grant');
    expect(answer.json.error_description).toBe('The assertion is invalid, expired, already used, or not accepted here.');
    expect((await redeem(await idJag({ claims: { jti } }))).status).toBe(200);
  });

  it('case 65: a replayed jti is invalid_grant (the first redemption got the token)', async () => {
    const once = await idJag();
    expect((await redeem(once)).status).toBe(200);
    expectOAuthError(await redeem(once), 400, 'invalid_grant');
  });

  it('case 65: four requests racing with one ID-JAG: exactly one token', async () => {
    const once = await idJag();
    const answers = await Promise.all(Array.from({ length: 4 }, () => redeem(once)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400, 400]);
  });

  it('case 65: another client presenting the ID-JAG is refused (client_id is EC1), and EC1 can still redeem it', async () => {
    const assertion = await idJag();
    expectOAuthError(await redeem(assertion, {}, EC2), 400, 'invalid_grant');
    expect((await redeem(assertion)).status).toBe(200);
  });

  it('case 65: scope beyond the policy (admin) in the ID-JAG is narrowed, never widened', async () => {
    const answer = await redeem(await idJag({ claims: { scope: 'tool:read admin' } }));
    expect(answer.status).toBe(200);
    expect(answer.json.scope).toBe('tool:read');
  });

  it('case 65: a request for more than the ID-JAG grants is narrowed to the ID-JAG', async () => {
    const answer = await redeem(await idJag({ claims: { scope: 'tool:read' } }), { scope: 'tool:read tool:execute' });
    expect(answer.json.scope).toBe('tool:read');
  });

  it('a resource parameter naming another resource than the ID-JAG is invalid_grant', async () => {
    expectOAuthError(await redeem(await idJag(), { resource: ctx.r2! }), 400, 'invalid_grant');
  });

  it('a public client cannot use the grant', async () => {
    const answer = await postForm(`${ctx.issuer}/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await idJag(), client_id: 'C1' });
    expectOAuthError(answer, 400, 'unauthorized_client');
  });
});
