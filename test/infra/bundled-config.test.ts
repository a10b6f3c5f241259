/**
 * The configuration the CDK app bundles with every function (lib/constructs/bundled-config.ts):
 * validated at synth, written in the form the authorizer reads without zod
 * (lambda/adapters/config/synth-validated-config.ts), marked with the schema's fingerprint.
 */
import { App, Stack } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../lambda/adapters/config/parse-config';
import { CONFIG_SCHEMA_FINGERPRINT, readSynthValidatedConfig } from '../../lambda/adapters/config/synth-validated-config';
import type { Config } from '../../lambda/core/config';
import { configSchemaFingerprint, writeBundledConfig } from '../../lib/constructs/bundled-config';
import { HANDLER_ENTRIES } from '../../lib/constructs/handler-entries';
import { OAuthFunction } from '../../lib/constructs/oauth-function';
import { FUNCTION_SETTINGS } from '../../lib/definitions/function-settings';
import { exampleProductConfig as exampleWithoutUpstream } from './synthesize-app';

/** The example with the upstream section the CDK app fills in for Cognito. */
const exampleProductConfig = () => ({ ...exampleWithoutUpstream(), upstream: { issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc', clientId: 'abc123' } });

describe('writeBundledConfig', () => {
  it('CONFIG_SCHEMA_FINGERPRINT is the fingerprint of the schema the CDK app validates with (update it when the schema changes)', () => {
    expect(CONFIG_SCHEMA_FINGERPRINT).toBe(configSchemaFingerprint());
  });

  it('writes the configuration as parseConfig returns it (defaults applied) in the synth-validated form', () => {
    const raw = exampleProductConfig();
    delete raw.tokens; // a section left to its defaults
    const file = JSON.parse(readFileSync(writeBundledConfig(raw as Config), 'utf8'));
    expect(file.schemaFingerprint).toBe(configSchemaFingerprint());
    expect(readSynthValidatedConfig(file)).toEqual(parseConfig(raw));
    expect(file.config.tokens).toEqual(parseConfig(raw).tokens);
  });

  it('refuses to write while CONFIG_SCHEMA_FINGERPRINT is stale, naming the value to set', () => {
    jest.isolateModules(() => {
      jest.doMock('../../lambda/adapters/config/synth-validated-config', () => ({ ...jest.requireActual('../../lambda/adapters/config/synth-validated-config'), CONFIG_SCHEMA_FINGERPRINT: 'stale00000000000' }));
      const { writeBundledConfig: write } = jest.requireActual<typeof import('../../lib/constructs/bundled-config')>('../../lib/constructs/bundled-config');
      expect(() => write(parseConfig(exampleProductConfig()))).toThrow(`the schema changed, so set it to ${configSchemaFingerprint()}`);
    });
    jest.dontMock('../../lambda/adapters/config/synth-validated-config');
  });

  it('refuses a configuration the validator refuses', () => {
    expect(() => writeBundledConfig({ ...parseConfig(exampleProductConfig()), issuer: 'https://auth.example.com/' })).toThrow(/issuer/);
  });
});

describe('OAuthFunction\'s configuration file', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'bundled-config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const functionWith = (configFile: string) => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Fn');
    return new OAuthFunction(stack, 'Authorizer', { entry: HANDLER_ENTRIES.authorizer, serviceName: 'mcp-oauth-authorizer', description: 'test', settings: FUNCTION_SETTINGS.authorizer, configFile });
  };

  it('takes the file writeBundledConfig writes', () => {
    expect(() => functionWith(writeBundledConfig(parseConfig(exampleProductConfig())))).not.toThrow();
  });

  it('fails synth on any other file, which the authorizer would refuse at init', () => {
    const raw = join(dir, 'raw.json');
    writeFileSync(raw, JSON.stringify(parseConfig(exampleProductConfig())));
    expect(() => functionWith(raw)).toThrow(/OAuthFunction Authorizer: configFile .*raw\.json is not a configuration validated at synth .*\(write it with writeBundledConfig\)/);
  });
});
