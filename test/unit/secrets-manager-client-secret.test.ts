/**
 * The external IdP's client secret from Secrets Manager: read once, its shapes, outages as
 * 503 and misconfiguration as 500, and the Lambda entry answering generically when it fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { DependencyUnavailableError } from '../../lambda/core/errors';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import { ClientSecretUnavailableError, SecretsManagerClientSecret } from '../../lambda/adapters/secrets/secrets-manager-client-secret';
import { handler } from '../../lambda/handlers/authorization-server';
import { resolveUpstreamClientSecret } from '../../lambda/adapters/wiring/authorization-server-deps';
import { proxyEvent } from '../support/api-gateway-event';

const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:mcp-oauth-idp-AbCdEf';
const SECRET = 's3cr3t-value-never-logged';
const secretsManager = mockClient(SecretsManagerClient);

function awsError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });
}

beforeEach(() => secretsManager.reset());

describe('SecretsManagerClientSecret', () => {
  const reader = () => new SecretsManagerClientSecret(new SecretsManagerClient({ region: 'eu-west-1' }));

  it('reads a plain secret once and keeps it', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: SECRET });
    const secrets = reader();

    expect(await secrets.read(ARN)).toBe(SECRET);
    expect(await secrets.read(ARN)).toBe(SECRET);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it.each([
    [{ clientSecret: SECRET }],
    [{ client_secret: SECRET }],
  ])('takes the client secret out of a key/value secret %j', async (value) => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(value) });
    expect(await reader().read(ARN)).toBe(SECRET);
  });

  it('refuses a key/value secret without the field, and an empty or binary secret, without quoting the value', async () => {
    for (const output of [{ SecretString: JSON.stringify({ password: SECRET }) }, { SecretString: '' }, { SecretBinary: new Uint8Array([1, 2]) }]) {
      secretsManager.on(GetSecretValueCommand).resolves(output);
      const error = await reader().read(ARN).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClientSecretUnavailableError);
      expect((error as Error).message).not.toContain(SECRET);
    }
  });

  it.each([
    ['ThrottlingException', 400],
    ['InternalServiceError', 500],
  ])('reports %s as the dependency being unavailable, and tries again next time', async (name, status) => {
    secretsManager.on(GetSecretValueCommand).rejectsOnce(awsError(name, status)).resolves({ SecretString: SECRET });
    const secrets = reader();

    const error = await secrets.read(ARN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as Error).message).toBe('Secrets Manager is unavailable');
    expect(await secrets.read(ARN)).toBe(SECRET);
  });

  it.each([
    ['ResourceNotFoundException', 400],
    ['AccessDeniedException', 400],
    ['DecryptionFailure', 400],
  ])('reports %s as a deployment error naming the secret', async (name, status) => {
    secretsManager.on(GetSecretValueCommand).rejects(awsError(name, status));
    const error = await reader().read(ARN).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientSecretUnavailableError);
    expect((error as Error).message).toBe(`the upstream client secret cannot be used: reading ${ARN} failed (${name})`);
  });
});

describe('resolveUpstreamClientSecret', () => {
  const local = JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));
  const withArn = parseConfig({ ...local, upstream: { ...local.upstream, clientSecret: undefined, clientSecretArn: ARN } });
  const counting = () => {
    const reads: string[] = [];
    return { reads, secrets: { read: async (arn: string) => (reads.push(arn), SECRET) } };
  };

  it('reads the secret for the function that talks to the IdP (browser group, or a single function)', async () => {
    for (const group of ['browser', undefined] as const) {
      const { reads, secrets } = counting();
      expect(await resolveUpstreamClientSecret(withArn, secrets, group)).toBe(SECRET);
      expect(reads).toEqual([ARN]);
    }
  });

  it('does not read it in the token and public functions, which may not', async () => {
    for (const group of ['token', 'public'] as const) {
      const { reads, secrets } = counting();
      expect(await resolveUpstreamClientSecret(withArn, secrets, group)).toBeUndefined();
      expect(reads).toEqual([]);
    }
  });

  it('uses an inline secret (local mode) without Secrets Manager', async () => {
    const { reads, secrets } = counting();
    const inline = parseConfig({ ...local, upstream: { ...local.upstream, clientSecret: 'inline' } });
    expect(await resolveUpstreamClientSecret(inline, secrets, 'browser')).toBe('inline');
    expect(reads).toEqual([]);
  });
});

describe('the Lambda entry with the secret in Secrets Manager', () => {
  const local = JSON.parse(readFileSync(join(__dirname, '../../config/local.json'), 'utf8'));
  const saved = { ...process.env };
  beforeAll(() => {
    Object.assign(process.env, {
      MCP_OAUTH_CONFIG: JSON.stringify({ ...local, upstream: { ...local.upstream, clientSecret: undefined, clientSecretArn: ARN } }),
      MCP_OAUTH_TABLES: JSON.stringify({ clients: 'c', codes: 'o', families: 'f', revocations: 'r', sessions: 's', assertions: 'a' }),
      MCP_OAUTH_SIGNING_KEYS: JSON.stringify({ active: 'arn:aws:kms:eu-west-1:111122223333:key/a' }),
      MCP_OAUTH_ENDPOINT_GROUP: 'browser',
      // What Lambda sets for the execution role; DynamoDB on loopback, where nothing listens (this test reads no table).
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'ASIATEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
    });
  });
  afterAll(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  /** Runs the handler with stdout/stderr captured; returns the result and what was written. */
  async function invoke(): Promise<{ statusCode: number; body: string; written: string }> {
    const written: string[] = [];
    const record = (chunk: any) => (written.push(String(chunk)), true);
    const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(record), jest.spyOn(process.stderr, 'write').mockImplementation(record)];
    try {
      const result = await handler(proxyEvent('GET', '/.well-known/oauth-authorization-server'));
      return { statusCode: result.statusCode, body: result.body, written: written.join('') };
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
  }

  // Order matters: the entry keeps what it built once it succeeds, so the failures come first.
  it('answers a generic 503 while Secrets Manager is throttled, and counts the outage', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(awsError('ThrottlingException', 400));
    const { statusCode, body, written } = await invoke();
    expect(statusCode).toBe(503);
    expect(JSON.parse(body).error).toBe('temporarily_unavailable');
    expect(body).not.toMatch(/Secrets|Throttling|arn:/);
    expect(written).toContain('"Dependency":"secrets"');
  });

  it('answers a generic 500 when the secret cannot be read, and logs which', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(awsError('AccessDeniedException', 400));
    const { statusCode, body, written } = await invoke();
    expect(statusCode).toBe(500);
    expect(JSON.parse(body)).toEqual({ error: 'server_error', error_description: 'The server could not complete the request.' });
    expect(written).toContain('AccessDeniedException');
  });

  it('serves once the secret can be read, and reads it only once per container', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
    const first = await invoke();
    const second = await invoke();
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(first.written + second.written).not.toContain(SECRET);
  });
});
