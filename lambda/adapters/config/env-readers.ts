/**
 * The readers of process.env that load no zod: every variable but a configuration validated at
 * run time (env.ts, which re-exports these and lists every variable). The authorizer imports
 * only this file and synth-validated-config.ts, so its bundle holds neither zod nor the schema:
 * it reads the configuration the CDK app validated at synth (docs/performance.md, "Cold starts").
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config, ResourceConfig } from '../../core/config';
import { ENDPOINT_GROUPS, type EndpointGroup } from '../../core/authorization-server/endpoints';
import { TABLE_KEYS, type TableKey, type TableNames } from '../dynamodb/table-keys';
import { dynamoDbEndpointFor } from '../aws-clients/dynamodb-json-client';
import type { AwsCredentials } from '../aws-clients/sigv4';
import { inlineBrandingFiles } from './branding-files';
import { readSynthValidatedConfig } from './synth-validated-config';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface SigningKeyIds {
  /** The KMS key that signs now. */
  readonly active: string;
  /** Keys verifiers must also accept: the next one (published before it signs) and retired ones. */
  readonly published: readonly string[];
}

export class EnvironmentError extends Error {
  constructor(readonly variable: string, problem: string, options: { cause?: unknown } = {}) {
    super(`${variable}: ${problem}`, options);
    this.name = 'EnvironmentError';
  }
}

export function readTableNames(env: Environment = process.env): TableNames {
  const raw = readJson(env, 'MCP_OAUTH_TABLES');
  const expected = `a JSON object with a table name for each of ${TABLE_KEYS.join(', ')}`;
  if (!isObject(raw)) throw new EnvironmentError('MCP_OAUTH_TABLES', `must be ${expected}`);
  const names = {} as Record<TableKey, string>;
  for (const key of TABLE_KEYS) {
    const value = raw[key];
    if (typeof value !== 'string' || !value) throw new EnvironmentError('MCP_OAUTH_TABLES', `"${key}" is missing or empty (must be ${expected})`);
    names[key] = value;
  }
  return names;
}

export function readSigningKeys(env: Environment = process.env): SigningKeyIds {
  const raw = readJson(env, 'MCP_OAUTH_SIGNING_KEYS');
  const shape = 'must be {"active": "<key id>", "published": ["<key id>", ...]}';
  if (!isObject(raw) || typeof raw.active !== 'string' || !raw.active) throw new EnvironmentError('MCP_OAUTH_SIGNING_KEYS', shape);
  const published = raw.published ?? [];
  if (!Array.isArray(published) || !published.every((id) => typeof id === 'string' && id)) throw new EnvironmentError('MCP_OAUTH_SIGNING_KEYS', shape);
  return { active: raw.active, published: published as string[] };
}

export function readDynamoDbEndpoint(env: Environment = process.env): string | undefined {
  const value = env.DYNAMODB_ENDPOINT;
  if (value === undefined || value === '') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EnvironmentError('DYNAMODB_ENDPOINT', 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EnvironmentError('DYNAMODB_ENDPOINT', 'must be an absolute http(s) URL');
  return value;
}

/** POWERTOOLS_SERVICE_NAME (the `service` dimension of the function's metrics), or the given default. */
export function readServiceName(fallback: string, env: Environment = process.env): string {
  const value = env.POWERTOOLS_SERVICE_NAME;
  return value === undefined || value.trim() === '' ? fallback : value;
}

const TRUE_WORDS = new Set(['1', 'y', 'yes', 't', 'true', 'on']);
const FALSE_WORDS = new Set(['0', 'n', 'no', 'f', 'false', 'off']);

/**
 * Whether the metrics are switched off, as Powertools Metrics decides it for the functions that
 * use it: POWERTOOLS_METRICS_DISABLED when set, else POWERTOOLS_DEV (the authorizer writes its
 * EMF documents itself, observability/authorizer-metrics.ts, and must honour the same switch).
 */
export function readMetricsDisabled(env: Environment = process.env): boolean {
  const disabled = env.POWERTOOLS_METRICS_DISABLED?.trim().toLowerCase();
  if (disabled !== undefined) {
    if (TRUE_WORDS.has(disabled) || FALSE_WORDS.has(disabled)) return TRUE_WORDS.has(disabled);
    throw new EnvironmentError('POWERTOOLS_METRICS_DISABLED', 'must be a boolean (true or false)');
  }
  return TRUE_WORDS.has(env.POWERTOOLS_DEV?.trim().toLowerCase() ?? '');
}

export function readEndpointGroup(env: Environment = process.env): EndpointGroup | undefined {
  const value = env.MCP_OAUTH_ENDPOINT_GROUP;
  if (value === undefined || value === '') return undefined;
  if (!(ENDPOINT_GROUPS as readonly string[]).includes(value)) throw new EnvironmentError('MCP_OAUTH_ENDPOINT_GROUP', `must be one of ${ENDPOINT_GROUPS.join(', ')}`);
  return value as EndpointGroup;
}

/** What every function of the guard reads: the configuration and the resource its API serves. */
export interface GuardEnvironment {
  readonly config: Config;
  readonly resource: ResourceConfig;
}

/** The configured resource MCP_RESOURCE_URI names (default: defaultResource). */
export function readGuardResource(config: Config, env: Environment = process.env): ResourceConfig {
  const uri = env.MCP_RESOURCE_URI?.trim() || config.defaultResource;
  const resource = config.resources.find((r) => r.uri === uri);
  if (!resource) throw new EnvironmentError('MCP_RESOURCE_URI', `names no configured resource: ${uri} (configured: ${config.resources.map((r) => r.uri).join(', ')})`);
  return resource;
}

/** The authorizer's extra setting: where revocations are. */
export interface AuthorizerEnvironment extends GuardEnvironment {
  readonly revocationsTableName: string;
}

/**
 * The authorizer's environment. Its configuration is the file the CDK app validated at synth
 * (MCP_OAUTH_CONFIG_FILE in the synth-validated form), and nothing else: a configuration that
 * would need validating here is refused, so the authorizer never loads the validator.
 */
export function readAuthorizerEnvironment(env: Environment = process.env): AuthorizerEnvironment {
  const revocationsTableName = env.REVOCATIONS_TABLE_NAME?.trim();
  if (!revocationsTableName) throw new EnvironmentError('REVOCATIONS_TABLE_NAME', 'is not set');
  const config = readSynthValidatedConfigFile(env);
  return { config, resource: readGuardResource(config, env), revocationsTableName };
}

const SYNTH_VALIDATED_ONLY = 'the authorizer reads only the configuration file the CDK app validated at synth (writeBundledConfig)';

function readSynthValidatedConfigFile(env: Environment): Config {
  const variable = 'MCP_OAUTH_CONFIG_FILE';
  if (!isSet(env[variable])) throw new EnvironmentError(variable, `is not set: ${SYNTH_VALIDATED_ONLY}${isSet(env.MCP_OAUTH_CONFIG) ? ', not MCP_OAUTH_CONFIG' : ''}`);
  // The upstream section would be an unvalidated replacement, and the authorizer has no use for it.
  if (isSet(env.MCP_OAUTH_UPSTREAM)) throw new EnvironmentError('MCP_OAUTH_UPSTREAM', `must not be set: ${SYNTH_VALIDATED_ONLY}, whole`);
  const { path, raw } = readJsonFileText(env, variable);
  try {
    return readSynthValidatedConfig(raw);
  } catch (error) {
    throw new EnvironmentError(variable, `${path} ${(error as Error).message}; ${SYNTH_VALIDATED_ONLY}`, { cause: error });
  }
}

/** The region, credentials and DynamoDB endpoint of a function that signs its own DynamoDB calls (the authorizer, the authorization server). */
export interface AwsEnvironment {
  readonly region: string;
  readonly credentials: AwsCredentials;
  readonly dynamoDbEndpoint: string;
}

export function readAwsEnvironment(env: Environment = process.env): AwsEnvironment {
  const region = env.AWS_REGION?.trim() || env.AWS_DEFAULT_REGION?.trim();
  if (!region) throw new EnvironmentError('AWS_REGION', 'is not set (Lambda sets it)');
  const required = (variable: string) => {
    const value = env[variable]?.trim();
    if (!value) throw new EnvironmentError(variable, "is not set (Lambda sets it to the execution role's credentials)");
    return value;
  };
  const accessKeyId = required('AWS_ACCESS_KEY_ID');
  const secretAccessKey = required('AWS_SECRET_ACCESS_KEY');
  const sessionToken = env.AWS_SESSION_TOKEN?.trim() || undefined;
  return { region, credentials: { accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) }, dynamoDbEndpoint: readAwsDynamoDbEndpoint(env, region) };
}

/** The endpoint the SDK would take: one configured by the SDK's variables, else the region's. */
function readAwsDynamoDbEndpoint(env: Environment, region: string): string {
  const ignoreConfigured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase() === 'true';
  for (const variable of ignoreConfigured ? [] : ['AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL']) {
    const value = env[variable]?.trim();
    if (!value) continue;
    if (!/^https?:\/\/[^/]/.test(value) || !URL.canParse(value)) throw new EnvironmentError(variable, 'must be an absolute http(s) URL');
    return value;
  }
  if (env.AWS_USE_DUALSTACK_ENDPOINT?.trim().toLowerCase() === 'true') throw new EnvironmentError('AWS_ENDPOINT_URL_DYNAMODB', 'must name the dual-stack endpoint when AWS_USE_DUALSTACK_ENDPOINT is set');
  const regional = dynamoDbEndpointFor(region, env.AWS_USE_FIPS_ENDPOINT?.trim().toLowerCase() === 'true');
  if (!regional) throw new EnvironmentError('AWS_ENDPOINT_URL_DYNAMODB', `must name DynamoDB's endpoint in ${region}${env.AWS_USE_FIPS_ENDPOINT ? ' (FIPS)' : ''}: only the aws, aws-cn and aws-us-gov partitions' endpoints are known`);
  return regional;
}

export function isSet(value: string | undefined): value is string {
  return value !== undefined && value.trim() !== '';
}

export function readJson(env: Environment, variable: string): unknown {
  const text = env[variable];
  if (text === undefined || text.trim() === '') throw new EnvironmentError(variable, 'is not set');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EnvironmentError(variable, 'is not valid JSON', { cause: error });
  }
}

/** The JSON file a variable names (relative to LAMBDA_TASK_ROOT), a branding.logoSvgFile in it read from the file's folder. */
export function readJsonFile(env: Environment, variable: string): unknown {
  const { path, raw } = readJsonFileText(env, variable);
  try {
    return inlineBrandingFiles(raw, dirname(path));
  } catch (error) {
    throw new EnvironmentError(variable, `${path}: ${(error as Error).message}`, { cause: error });
  }
}

function readJsonFileText(env: Environment, variable: string): { readonly path: string; readonly raw: unknown } {
  const path = resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), String(env[variable]));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EnvironmentError(variable, `cannot read ${path}`, { cause: error });
  }
  try {
    return { path, raw: JSON.parse(text) };
  } catch (error) {
    throw new EnvironmentError(variable, `${path} is not valid JSON`, { cause: error });
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
