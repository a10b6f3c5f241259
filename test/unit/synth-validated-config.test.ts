import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuthorizerEnvironment, readConfig } from '../../lambda/adapters/config/env';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import {
  CONFIG_SCHEMA_FINGERPRINT,
  isSynthValidatedConfigFile,
  readSynthValidatedConfig,
  synthValidatedConfigJson,
} from '../../lambda/adapters/config/synth-validated-config';
import { environmentErrorOf } from '../support/environment-error';

const CONFIG_DIR = join(__dirname, '../../config');
/** Every product configuration the repository ships, without local mode's section (and with an upstream where the CDK app fills in Cognito's). */
const SHIPPED = ['local.json', 'aws.example.json', 'aws-external-idp.example.json'].map((name) => {
  const { local: _local, ...product } = JSON.parse(readFileSync(join(CONFIG_DIR, name), 'utf8'));
  return [name, { upstream: { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc', clientId: 'abc123' }, ...product }] as const;
});
const local = SHIPPED[0]![1];
const validatedFile = (raw: unknown = local) => JSON.parse(synthValidatedConfigJson(parseConfig(raw)));

describe('synth-validated-config.ts: the configuration as the CDK app validated it', () => {
  it.each(SHIPPED)('%s: what the authorizer reads without validating is what parseConfig returns, and what the other functions make of the same file', (_name, raw) => {
    const file = JSON.parse(synthValidatedConfigJson(parseConfig(raw)));
    const read = readSynthValidatedConfig(file);
    expect(read).toEqual(parseConfig(raw));
    expect(read).toEqual(parseConfig(file.config));
  });

  it('marks the file with the format and this code\'s schema fingerprint', () => {
    const file = validatedFile();
    expect(isSynthValidatedConfigFile(file)).toBe(true);
    expect(file).toMatchObject({ format: 'mcp-oauth/synth-validated-config', schemaFingerprint: CONFIG_SCHEMA_FINGERPRINT });
    expect(file.configSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['a raw configuration', () => local, /is not a configuration validated at synth/],
    ['a raw configuration that was parsed', () => parseConfig(local), /is not a configuration validated at synth/],
    ['another format', () => ({ ...validatedFile(), format: 'mcp-oauth/other' }), /is not a configuration validated at synth/],
    ['a file validated against another schema', () => ({ ...validatedFile(), schemaFingerprint: '0123456789abcdef' }), /validated against another configuration schema \(fingerprint "0123456789abcdef"/],
    ['a file with no fingerprint', () => ({ ...validatedFile(), schemaFingerprint: undefined }), /must hold exactly|another configuration schema/],
    ['a config edited after synth', () => { const file = validatedFile(); file.config.guard.clockSkewSeconds += 600; return file; }, /does not match its configSha256/],
    ['a config whose digest is missing', () => ({ ...validatedFile(), configSha256: undefined }), /must hold exactly|configSha256/],
    ['an extra member', () => ({ ...validatedFile(), upstream: { issuer: 'https://idp.example' } }), /must hold exactly format, schemaFingerprint, configSha256, config \(found/],
    ['a config that is not an object', () => { const file = validatedFile(); return { ...file, config: [file.config] }; }, /"config" must be a JSON object/],
    ['not an object', () => [validatedFile()], /is not a configuration validated at synth/],
  ])('refuses %s', (_case, file, message) => {
    expect(() => readSynthValidatedConfig(JSON.parse(JSON.stringify(file())))).toThrow(message);
  });
});

describe('the authorizer\'s environment: the synth-validated file only', () => {
  let taskRoot: string;
  const write = (name: string, content: unknown) => writeFileSync(join(taskRoot, name), typeof content === 'string' ? content : JSON.stringify(content));
  const base = () => ({ LAMBDA_TASK_ROOT: taskRoot, REVOCATIONS_TABLE_NAME: 't-revocations' });
  beforeAll(() => {
    taskRoot = mkdtempSync(join(tmpdir(), 'synth-validated-'));
    write('mcp-oauth.config.json', synthValidatedConfigJson(parseConfig(local)));
    write('raw.json', local);
    write('other-version.json', { ...validatedFile(), schemaFingerprint: 'fedcba9876543210' });
    const invalid = validatedFile();
    invalid.config = { ...invalid.config, issuer: 'not a url' };
    write('invalid-inside.json', synthValidatedConfigJson(invalid.config));
  });
  afterAll(() => rmSync(taskRoot, { recursive: true, force: true }));


  it('reads the file the CDK app writes, as parseConfig would, and the resource MCP_RESOURCE_URI names', () => {
    const env = readAuthorizerEnvironment({ ...base(), MCP_OAUTH_CONFIG_FILE: 'mcp-oauth.config.json' });
    expect(env.config).toEqual(parseConfig(local));
    expect(env.resource).toEqual(parseConfig(local).resources[0]);
    expect(env.revocationsTableName).toBe('t-revocations');
    expect(environmentErrorOf(() => readAuthorizerEnvironment({ ...base(), MCP_OAUTH_CONFIG_FILE: 'mcp-oauth.config.json', MCP_RESOURCE_URI: 'https://elsewhere.example/mcp' })).variable).toBe('MCP_RESOURCE_URI');
  });

  it.each([
    ['a raw configuration file', { MCP_OAUTH_CONFIG_FILE: 'raw.json' }, 'MCP_OAUTH_CONFIG_FILE', /raw\.json is not a configuration validated at synth .*; the authorizer reads only the configuration file the CDK app validated at synth/],
    ['a file of another schema version', { MCP_OAUTH_CONFIG_FILE: 'other-version.json' }, 'MCP_OAUTH_CONFIG_FILE', /another configuration schema/],
    ['the configuration as JSON in the environment', { MCP_OAUTH_CONFIG: JSON.stringify(local) }, 'MCP_OAUTH_CONFIG_FILE', /is not set: .*, not MCP_OAUTH_CONFIG/],
    ['an upstream section replacing the file\'s', { MCP_OAUTH_CONFIG_FILE: 'mcp-oauth.config.json', MCP_OAUTH_UPSTREAM: '{"issuer":"https://idp.example","clientId":"x"}' }, 'MCP_OAUTH_UPSTREAM', /must not be set/],
    ['a file it cannot read', { MCP_OAUTH_CONFIG_FILE: 'missing.json' }, 'MCP_OAUTH_CONFIG_FILE', /cannot read/],
  ])('refuses %s, naming the variable', (_case, variables, variable, message) => {
    const error = environmentErrorOf(() => readAuthorizerEnvironment({ ...base(), ...variables }));
    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(message);
  });

  it('the other functions validate the synth-validated file\'s configuration again, and still read a raw file', () => {
    expect(readConfig({ LAMBDA_TASK_ROOT: taskRoot, MCP_OAUTH_CONFIG_FILE: 'mcp-oauth.config.json' })).toEqual(parseConfig(local));
    expect(readConfig({ LAMBDA_TASK_ROOT: taskRoot, MCP_OAUTH_CONFIG_FILE: 'raw.json' })).toEqual(parseConfig(local));
    expect(environmentErrorOf(() => readConfig({ LAMBDA_TASK_ROOT: taskRoot, MCP_OAUTH_CONFIG_FILE: 'invalid-inside.json' })).message).toMatch(/^MCP_OAUTH_CONFIG_FILE: invalid configuration:\n {2}issuer:/);
    expect(environmentErrorOf(() => readConfig({ LAMBDA_TASK_ROOT: taskRoot, MCP_OAUTH_CONFIG_FILE: 'other-version.json' })).message).toMatch(/another configuration schema/);
  });
});
