/**
 * The authorizer's Lambda entry as deployed: built while its module loads (its JWKS fetch
 * started then), its revocation look-up through the SDK-free DynamoDB client, on DynamoDB
 * Local and a loopback JWKS. A build that fails at init (here: the environment not set yet)
 * does not poison the container: the first invocation builds again.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import { readSynthValidatedConfig, synthValidatedConfigJson } from '../../lambda/adapters/config/synth-validated-config';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../../local/dynamodb-local';
import { authorizerEvent } from '../../bench/authorizer-hot-path';
import { dynamoDbEndpoint, useDynamoDbTables } from '../support/dynamodb';
import { createTestSigningKey, mintAccessToken, startLoopbackServer, type LoopbackServer, type TestSigningKey } from '../support/guard-token-forge';

const tables = useDynamoDbTables('authorizer-handler');
type Handler = (event: APIGatewayRequestAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

let key: TestSigningKey;
let jwks: LoopbackServer;
let taskRoot: string;
const saved = { ...process.env };

beforeAll(async () => {
  key = await createTestSigningKey('handler-key');
  jwks = await startLoopbackServer(() => ({ status: 200, body: JSON.stringify({ keys: [key.publicJwk] }) }));
  taskRoot = mkdtempSync(join(tmpdir(), 'authorizer-handler-'));
});

afterAll(async () => {
  await jwks.close();
  rmSync(taskRoot, { recursive: true, force: true });
});

afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
});

/** What the CDK app deploys: the configuration validated at synth, in a file of the task root. */
function deployedEnvironment(): Record<string, string> {
  const raw = JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));
  delete raw.local;
  writeFileSync(join(taskRoot, 'mcp-oauth.config.json'), synthValidatedConfigJson(parseConfig({ ...raw, issuer: jwks.url, guard: { ...raw.guard, authorizerCacheTtlSeconds: 0 } })));
  return {
    LAMBDA_TASK_ROOT: taskRoot,
    MCP_OAUTH_CONFIG_FILE: 'mcp-oauth.config.json',
    REVOCATIONS_TABLE_NAME: tables().names.revocations,
    AWS_REGION: LOCAL_AWS_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_AWS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: 'session-token',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDbEndpoint(),
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

const deployedConfig = () => readSynthValidatedConfig(JSON.parse(readFileSync(join(taskRoot, 'mcp-oauth.config.json'), 'utf8')));

/** A fresh container: the module loaded anew, as Lambda's init loads it. */
async function loadHandler(): Promise<Handler> {
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    handler = jest.requireActual<{ handler: Handler }>('../../lambda/handlers/authorizer').handler;
  });
  return handler!;
}

const effectOf = (result: APIGatewayAuthorizerResult) => result.policyDocument.Statement[0]!.Effect;

describe('the authorizer Lambda entry', () => {
  it('fetches the JWKS during init, allows a valid token, and refuses one revoked a moment ago', async () => {
    const env = deployedEnvironment();
    Object.assign(process.env, env);
    const config = deployedConfig();
    const hitsBefore = jwks.hits;
    const handler = await loadHandler();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(jwks.hits).toBe(hitsBefore + 1); // before any invocation

    expect(effectOf(await handler(authorizerEvent(await mintAccessToken(config, key))))).toBe('Allow');
    expect(jwks.hits).toBe(hitsBefore + 1);

    const now = Math.floor(Date.now() / 1000);
    const jti = 'handler-revoked-jti';
    await tables().stores.revocations.revoke({ key: { kind: 'jti', value: jti }, revokedAt: now, expiresAt: now + 900, reason: 'test' });
    await expect(handler(authorizerEvent(await mintAccessToken(config, key, { claims: { jti, iat: now } })))).rejects.toThrow('Unauthorized');
  });

  it('builds again at the first invocation when the build at init failed', async () => {
    const handler = await loadHandler(); // no environment yet: the build during init fails, quietly
    await new Promise((resolve) => setImmediate(resolve));
    await expect(handler(authorizerEvent('x.y.z'))).rejects.toThrow('REVOCATIONS_TABLE_NAME: is not set');

    const env = deployedEnvironment();
    Object.assign(process.env, env);
    const config = deployedConfig();
    expect(effectOf(await handler(authorizerEvent(await mintAccessToken(config, key))))).toBe('Allow');
  });

  it('fails closed, with no token reaching the log, when DynamoDB cannot be reached', async () => {
    Object.assign(process.env, deployedEnvironment(), { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1' });
    const config = deployedConfig();
    const token = await mintAccessToken(config, key);
    const logged: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((line: unknown) => void logged.push(String(line)));
    try {
      await expect((await loadHandler())(authorizerEvent(token))).rejects.toThrow('Authorizer dependency unavailable');
    } finally {
      spy.mockRestore();
    }
    expect(logged.join('\n')).toContain('authorizer failed');
    expect(logged.join('\n')).not.toContain(token.split('.')[2]);
  });
});
