import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuthorizationServerEnvironment, readAuthorizerEnvironment, readAwsEnvironment, readConfig, readGuardEnvironment, readServiceName, readDynamoDbEndpoint, readSigningKeys, readTableNames } from '../../lambda/adapters/config/env';
import { readMetricsDisabled } from '../../lambda/adapters/config/env-readers';
import { oncePerContainer, startDuringInit } from '../../lambda/adapters/wiring/cold-start';
import { environmentErrorOf } from '../support/environment-error';

const configJson = readFileSync(join(__dirname, '../../config/local.json'), 'utf8');
const LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>';
const tables = { clients: 't-clients', codes: 't-codes', families: 't-families', revocations: 't-revocations', sessions: 't-sessions', assertions: 't-assertions' };
const validEnv = {
  MCP_OAUTH_CONFIG: configJson,
  MCP_OAUTH_TABLES: JSON.stringify(tables),
  MCP_OAUTH_SIGNING_KEYS: JSON.stringify({ active: 'arn:aws:kms:eu-west-1:111122223333:key/a', published: ['arn:aws:kms:eu-west-1:111122223333:key/b'] }),
};

describe('readAuthorizationServerEnvironment', () => {
  it('reads and validates every variable', () => {
    const env = readAuthorizationServerEnvironment({ ...validEnv, DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' });

    expect(env.config.issuer).toBe('http://localhost:8787');
    expect(env.tableNames).toEqual(tables);
    expect(env.signingKeys).toEqual({ active: 'arn:aws:kms:eu-west-1:111122223333:key/a', published: ['arn:aws:kms:eu-west-1:111122223333:key/b'] });
    expect(env.dynamoDbEndpoint).toBe('http://127.0.0.1:8000');
  });

  it.each([
    ['MCP_OAUTH_CONFIG', undefined, 'MCP_OAUTH_CONFIG: is not set'],
    ['MCP_OAUTH_CONFIG', '{nope', 'MCP_OAUTH_CONFIG: is not valid JSON'],
    ['MCP_OAUTH_CONFIG', JSON.stringify({ ...JSON.parse(configJson), issuer: 'http://localhost:8787/' }), 'MCP_OAUTH_CONFIG: invalid configuration:\n  issuer: must not end with /'],
    ['MCP_OAUTH_TABLES', '[]', 'MCP_OAUTH_TABLES: must be a JSON object'],
    ['MCP_OAUTH_TABLES', JSON.stringify({ ...tables, sessions: '' }), 'MCP_OAUTH_TABLES: "sessions" is missing or empty'],
    ['MCP_OAUTH_SIGNING_KEYS', JSON.stringify({ published: [] }), 'MCP_OAUTH_SIGNING_KEYS: must be {"active"'],
    ['MCP_OAUTH_SIGNING_KEYS', JSON.stringify({ active: 'k', published: [1] }), 'MCP_OAUTH_SIGNING_KEYS: must be {"active"'],
  ])('names %s in the error (case %#)', (variable, value, message) => {
    const error = environmentErrorOf(() => readAuthorizationServerEnvironment({ ...validEnv, [variable]: value }));

    expect(error.variable).toBe(variable);
    expect(error.message.startsWith(message)).toBe(true);
  });

  it('treats published signing keys as optional', () => {
    expect(readSigningKeys({ MCP_OAUTH_SIGNING_KEYS: '{"active":"k1"}' })).toEqual({ active: 'k1', published: [] });
  });

  it('rejects a DYNAMODB_ENDPOINT that is not an http(s) URL, and allows none', () => {
    expect(environmentErrorOf(() => readDynamoDbEndpoint({ DYNAMODB_ENDPOINT: 'localhost:8000' })).message).toBe('DYNAMODB_ENDPOINT: must be an absolute http(s) URL');
    expect(readDynamoDbEndpoint({})).toBeUndefined();
  });

  it('does not accept table names for an unknown shape', () => {
    expect(environmentErrorOf(() => readTableNames({ MCP_OAUTH_TABLES: '"x"' })).variable).toBe('MCP_OAUTH_TABLES');
  });
});

describe('oncePerContainer', () => {
  it('builds once and then serves the same value, but retries after a failure', async () => {
    let calls = 0;
    const read = oncePerContainer(() => {
      calls++;
      if (calls === 1) throw new Error('first read fails');
      return { calls };
    });

    await expect(read()).rejects.toThrow('first read fails');
    const first = await read();
    const second = await read();

    expect(first).toBe(second);
    expect(calls).toBe(2);
  });
});

describe('startDuringInit', () => {
  it('starts the build at once; a failure then is not kept, and the first invocation builds again', async () => {
    let calls = 0;
    const read = oncePerContainer(() => {
      calls++;
      if (calls === 1) throw new Error('the JWKS is not reachable yet');
      return { calls };
    });
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      startDuringInit(read);
      expect(calls).toBe(0); // started, not yet run: the module finishes loading first
      await new Promise((resolve) => setImmediate(resolve));
      expect(calls).toBe(1);
      expect(await read()).toEqual({ calls: 2 });
      expect(await read()).toEqual({ calls: 2 });
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  it('hands the invocation what init built, without building twice', async () => {
    let calls = 0;
    const read = oncePerContainer(async () => ({ calls: ++calls }));
    startDuringInit(read);
    expect(await read()).toEqual({ calls: 1 });
    expect(calls).toBe(1);
  });
});

describe('readAwsEnvironment (the functions sign their own DynamoDB calls)', () => {
  const lambda = { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' };

  it('reads what Lambda sets for the execution role, and the region\'s endpoint', () => {
    expect(readAwsEnvironment(lambda)).toEqual({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' },
      dynamoDbEndpoint: 'https://dynamodb.eu-west-1.amazonaws.com',
    });
    expect(readAwsEnvironment({ ...lambda, AWS_USE_FIPS_ENDPOINT: 'true' }).dynamoDbEndpoint).toBe('https://dynamodb-fips.eu-west-1.amazonaws.com');
    expect(readAwsEnvironment({ ...lambda, AWS_SESSION_TOKEN: undefined }).credentials).toEqual({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret' });
  });

  it('takes an endpoint the SDK\'s variables name, service-specific first, unless told to ignore them', () => {
    expect(readAwsEnvironment({ ...lambda, AWS_ENDPOINT_URL: 'http://127.0.0.1:9000', AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000' }).dynamoDbEndpoint).toBe('http://127.0.0.1:8000');
    expect(readAwsEnvironment({ ...lambda, AWS_ENDPOINT_URL: 'http://127.0.0.1:9000' }).dynamoDbEndpoint).toBe('http://127.0.0.1:9000');
    expect(readAwsEnvironment({ ...lambda, AWS_ENDPOINT_URL: 'http://127.0.0.1:9000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).dynamoDbEndpoint).toBe('https://dynamodb.eu-west-1.amazonaws.com');
  });

  it('names the variable to fix', () => {
    expect(environmentErrorOf(() => readAwsEnvironment({ ...lambda, AWS_REGION: '' })).variable).toBe('AWS_REGION');
    expect(readAwsEnvironment({ ...lambda, AWS_REGION: undefined, AWS_DEFAULT_REGION: 'us-east-2' }).region).toBe('us-east-2');
    expect(environmentErrorOf(() => readAwsEnvironment({ ...lambda, AWS_ACCESS_KEY_ID: undefined })).variable).toBe('AWS_ACCESS_KEY_ID');
    expect(environmentErrorOf(() => readAwsEnvironment({ ...lambda, AWS_SECRET_ACCESS_KEY: ' ' })).variable).toBe('AWS_SECRET_ACCESS_KEY');
    expect(environmentErrorOf(() => readAwsEnvironment({ ...lambda, AWS_ENDPOINT_URL_DYNAMODB: 'dynamodb.local' })).variable).toBe('AWS_ENDPOINT_URL_DYNAMODB');
    expect(environmentErrorOf(() => readAwsEnvironment({ ...lambda, AWS_REGION: 'us-iso-east-1' })).variable).toBe('AWS_ENDPOINT_URL_DYNAMODB');
    expect(environmentErrorOf(() => readAwsEnvironment({ ...lambda, AWS_USE_DUALSTACK_ENDPOINT: 'true' })).variable).toBe('AWS_ENDPOINT_URL_DYNAMODB');
  });
});

describe('the guard functions\' environment', () => {
  const config = JSON.parse(configJson);
  const second = { ...config.resources[0], uri: 'http://localhost:8788/other', name: 'other', routes: config.resources[0].routes.map((r: any) => ({ ...r, path: '/other' })) };
  const twoResources = JSON.stringify({ ...config, resources: [...config.resources, second] });

  it('guards the default resource unless MCP_RESOURCE_URI names another', () => {
    expect(readGuardEnvironment({ MCP_OAUTH_CONFIG: twoResources }).resource.uri).toBe(config.defaultResource ?? config.resources[0].uri);
    expect(readGuardEnvironment({ MCP_OAUTH_CONFIG: twoResources, MCP_RESOURCE_URI: second.uri }).resource.name).toBe('other');
  });

  it('names MCP_RESOURCE_URI when it matches no configured resource', () => {
    const error = environmentErrorOf(() => readGuardEnvironment({ MCP_OAUTH_CONFIG: configJson, MCP_RESOURCE_URI: 'https://elsewhere.example/mcp' }));
    expect(error.variable).toBe('MCP_RESOURCE_URI');
    expect(error.message).toContain('https://elsewhere.example/mcp');
  });

  it('names MCP_OAUTH_CONFIG when the configuration is missing', () => {
    expect(environmentErrorOf(() => readGuardEnvironment({})).variable).toBe('MCP_OAUTH_CONFIG');
  });

  it('requires the revocations table for the authorizer only', () => {
    expect(environmentErrorOf(() => readAuthorizerEnvironment({ MCP_OAUTH_CONFIG: configJson })).variable).toBe('REVOCATIONS_TABLE_NAME');
    // With it, the authorizer still refuses a configuration it would have to validate (test/unit/synth-validated-config.test.ts).
    expect(environmentErrorOf(() => readAuthorizerEnvironment({ MCP_OAUTH_CONFIG: configJson, REVOCATIONS_TABLE_NAME: 't-revocations' })).variable).toBe('MCP_OAUTH_CONFIG_FILE');
  });
});

describe('readMetricsDisabled (the authorizer writes its EMF documents itself)', () => {
  it.each([
    [{}, false],
    [{ POWERTOOLS_METRICS_DISABLED: 'true' }, true],
    [{ POWERTOOLS_METRICS_DISABLED: '1' }, true],
    [{ POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_DEV: 'true' }, false],
    [{ POWERTOOLS_DEV: 'yes' }, true],
    [{ POWERTOOLS_DEV: 'maybe' }, false],
  ])('decides as Powertools Metrics does: %j -> %s', (env, disabled) => {
    expect(readMetricsDisabled(env)).toBe(disabled);
  });

  it('names POWERTOOLS_METRICS_DISABLED when it is not a boolean', () => {
    expect(environmentErrorOf(() => readMetricsDisabled({ POWERTOOLS_METRICS_DISABLED: 'maybe' })).variable).toBe('POWERTOOLS_METRICS_DISABLED');
  });
});

describe('readServiceName', () => {
  it('takes POWERTOOLS_SERVICE_NAME, or the function\'s default when it is unset or blank', () => {
    expect(readServiceName('mcp-oauth-authorizer', { POWERTOOLS_SERVICE_NAME: 'guard-eu' })).toBe('guard-eu');
    expect(readServiceName('mcp-oauth-authorizer', { POWERTOOLS_SERVICE_NAME: ' ' })).toBe('mcp-oauth-authorizer');
    expect(readServiceName('mcp-oauth-authorizer', {})).toBe('mcp-oauth-authorizer');
  });
});

describe('readConfig from the bundled file', () => {
  let taskRoot: string;
  beforeAll(() => {
    taskRoot = mkdtempSync(join(tmpdir(), 'env-config-'));
    writeFileSync(join(taskRoot, 'mcp-oauth.config.json'), configJson);
    writeFileSync(join(taskRoot, 'broken.json'), '{"issuer":');
    mkdirSync(join(taskRoot, 'brand'));
    writeFileSync(join(taskRoot, 'brand/logo.svg'), LOGO);
    writeFileSync(join(taskRoot, 'branded.json'), JSON.stringify({ ...JSON.parse(configJson), branding: { productName: 'Acme', logoSvgFile: 'brand/logo.svg' } }));
    writeFileSync(join(taskRoot, 'logo-missing.json'), JSON.stringify({ ...JSON.parse(configJson), branding: { logoSvgFile: 'nowhere.svg' } }));
  });
  afterAll(() => rmSync(taskRoot, { recursive: true, force: true }));

  it('reads MCP_OAUTH_CONFIG_FILE relative to the task root, in preference to MCP_OAUTH_CONFIG', () => {
    const config = readConfig({ MCP_OAUTH_CONFIG_FILE: 'mcp-oauth.config.json', LAMBDA_TASK_ROOT: taskRoot, MCP_OAUTH_CONFIG: '{"not":"used"}' });
    expect(config.issuer).toBe('http://localhost:8787');
  });

  it('reads a branding.logoSvgFile it names from the file\'s folder into branding.logoSvg', () => {
    const config = readConfig({ MCP_OAUTH_CONFIG_FILE: 'branded.json', LAMBDA_TASK_ROOT: taskRoot });
    expect(config.branding).toEqual({ productName: 'Acme', logoSvg: LOGO });
  });

  it('replaces the upstream section with MCP_OAUTH_UPSTREAM (values known only at deploy time)', () => {
    const upstream = { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc', clientId: 'abc123', groupsClaim: 'cognito:groups' };
    const config = readConfig({ MCP_OAUTH_CONFIG_FILE: 'mcp-oauth.config.json', LAMBDA_TASK_ROOT: taskRoot, MCP_OAUTH_UPSTREAM: JSON.stringify(upstream) });
    expect(config.upstream).toMatchObject(upstream);
  });

  it.each([
    [{ MCP_OAUTH_CONFIG_FILE: 'missing.json' }, 'MCP_OAUTH_CONFIG_FILE', /cannot read/],
    [{ MCP_OAUTH_CONFIG_FILE: 'broken.json' }, 'MCP_OAUTH_CONFIG_FILE', /not valid JSON/],
    [{ MCP_OAUTH_CONFIG_FILE: 'mcp-oauth.config.json', MCP_OAUTH_UPSTREAM: '[1]' }, 'MCP_OAUTH_UPSTREAM', /JSON object/],
    [{ MCP_OAUTH_CONFIG_FILE: 'logo-missing.json' }, 'MCP_OAUTH_CONFIG_FILE', /branding\.logoSvgFile: cannot read/],
    [{ MCP_OAUTH_CONFIG: JSON.stringify({ ...JSON.parse(configJson), branding: { logoSvgFile: 'logo.svg' } }) }, 'MCP_OAUTH_CONFIG', /branding\.logoSvgFile: was not read/],
  ])('names the variable when %j cannot be used', (env, variable, message) => {
    const error = environmentErrorOf(() => readConfig({ ...env, LAMBDA_TASK_ROOT: taskRoot }));
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
  });
});
