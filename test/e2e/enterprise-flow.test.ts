/**
 * Issue 15, Enterprise-Managed Authorization end to end in local mode, the way a script
 * does it with the shipped demo client `demo-enterprise-client` / `demo-enterprise-secret`:
 * sign the user in at the dev IdP (authorization code + PKCE, any loopback redirect URI),
 * exchange the ID token there for an ID-JAG (RFC 8693, requested_token_type id-jag,
 * audience = our issuer, resource = the MCP server), redeem the ID-JAG at our /token
 * (jwt-bearer), and call a tool of the demo MCP server with the access token.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort } from '../../local/dynamodb-local';
import { authorizeInBrowser } from '../support/browser';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';

const CLIENT = { id: 'demo-enterprise-client', secret: 'demo-enterprise-secret' };
const ID_JAG = 'urn:ietf:params:oauth:token-type:id-jag';
const basic = `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`;

let stack: LocalStack;
let idpMetadata: Record<string, any>;

beforeAll(async () => {
  stack = await startLocalStack();
  idpMetadata = await (await fetch(`${stack.devIdp}/.well-known/openid-configuration`)).json();
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

async function post(url: string, fields: Record<string, string>): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { method: 'POST', headers: { authorization: basic, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
  return { status: response.status, json: await response.json() };
}

/** Signs the user in at the dev IdP as the demo enterprise client and returns the ID token. */
async function signIn(user: string): Promise<string> {
  const redirectUri = `http://127.0.0.1:${await freePort()}/callback`;
  const verifier = randomBytes(32).toString('base64url');
  const url = new URL(idpMetadata.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: CLIENT.id, response_type: 'code', redirect_uri: redirectUri, scope: 'openid email', state: 's', nonce: 'n',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
  }).toString();
  const { params } = await authorizeInBrowser(url.href, { username: user, password: user });
  const code = params.get('code');
  expect(code).toEqual(expect.any(String));
  const tokens = await post(idpMetadata.token_endpoint, { grant_type: 'authorization_code', code: code!, redirect_uri: redirectUri, code_verifier: verifier });
  expect(tokens.status).toBe(200);
  return tokens.json.id_token;
}

function exchangeForIdJag(idToken: string, changes: Record<string, string> = {}) {
  return post(idpMetadata.token_endpoint, {
    grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
    requested_token_type: ID_JAG,
    subject_token: idToken,
    subject_token_type: 'urn:ietf:params:oauth:token-type:id_token',
    audience: stack.issuer,
    resource: stack.mcpUrl,
    scope: 'tool:read tool:execute',
    ...changes,
  });
}

function redeem(idJag: string) {
  return post(`${stack.issuer}/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: idJag });
}

async function callWhoami(accessToken: string): Promise<unknown> {
  const client = new Client({ name: 'enterprise-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(stack.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${accessToken}` } } }));
  try {
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    return JSON.parse((result.content as { text: string }[])[0]!.text);
  } finally {
    await client.close();
  }
}

const segment = (jwt: string, i: number) => JSON.parse(Buffer.from(jwt.split('.')[i]!, 'base64url').toString('utf8'));

describe('Enterprise-Managed Authorization in local mode (ID-JAG)', () => {
  it('the dev IdP advertises the ID-JAG token exchange; our metadata advertises the jwt-bearer grant and the id-jag profile', async () => {
    expect(idpMetadata.grant_types_supported).toContain('urn:ietf:params:oauth:grant-type:token-exchange');
    expect(idpMetadata.identity_chaining_requested_token_types_supported).toEqual([ID_JAG]);
    const ours = await (await fetch(`${stack.issuer}/.well-known/oauth-authorization-server`)).json();
    expect(ours.grant_types_supported).toContain('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(ours.authorization_grant_profiles_supported).toEqual(['urn:ietf:params:oauth:grant-profile:id-jag']);
  });

  it('alice: ID token -> ID-JAG -> our access token -> whoami on the demo MCP server', async () => {
    const exchanged = await exchangeForIdJag(await signIn('alice'));
    expect(exchanged.status).toBe(200);
    expect(exchanged.json).toMatchObject({ issued_token_type: ID_JAG, token_type: 'N_A' });
    const idJag: string = exchanged.json.access_token;
    expect(segment(idJag, 0).typ).toBe('oauth-id-jag+jwt');
    expect(segment(idJag, 1)).toMatchObject({ iss: stack.devIdp, sub: 'dev|alice', aud: stack.issuer, client_id: CLIENT.id, resource: stack.mcpUrl });

    const token = await redeem(idJag);
    expect(token.status).toBe(200);
    expect(token.json).toMatchObject({ token_type: 'Bearer', scope: 'tool:read tool:execute' });
    expect(token.json.refresh_token).toBeUndefined();
    expect(segment(token.json.access_token, 1)).toMatchObject({ sub: 'dev|alice', aud: stack.mcpUrl, client_id: CLIENT.id });
    expect(await callWhoami(token.json.access_token)).toEqual({ sub: 'dev|alice', client_id: CLIENT.id, scopes: ['tool:read', 'tool:execute'] });

    // The ID-JAG is single use.
    const again = await redeem(idJag);
    expect({ status: again.status, error: again.json.error }).toEqual({ status: 400, error: 'invalid_grant' });
  });

  it('bob (mcp-readers): the enterprise policy narrows the ID-JAG to tool:read, and so our token', async () => {
    const exchanged = await exchangeForIdJag(await signIn('bob'));
    expect(exchanged.json.scope).toBe('tool:read');
    const token = await redeem(exchanged.json.access_token);
    expect(token.json.scope).toBe('tool:read');
  });

  it('the dev IdP issues no ID-JAG for another audience', async () => {
    const exchanged = await exchangeForIdJag(await signIn('alice'), { audience: 'https://other-as.example' });
    expect({ status: exchanged.status, error: exchanged.json.error }).toEqual({ status: 400, error: 'invalid_target' });
  });
});
