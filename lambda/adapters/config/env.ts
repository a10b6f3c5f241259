/**
 * The one reader of process.env in lambda/. The CDK app hands each function its settings
 * as a few JSON variables; they are parsed and validated here, once per cold start, and
 * every error names the variable so a broken deployment says what to fix.
 *
 *   MCP_OAUTH_CONFIG_FILE   the product Config as a JSON file in the bundle (what the CDK app sets:
 *                           Lambda's 4 KB environment cannot hold a real configuration); a relative
 *                           path is resolved against LAMBDA_TASK_ROOT; a branding.logoSvgFile in it is
 *                           read from the file's folder (lambda/adapters/config/branding-files.ts)
 *   MCP_OAUTH_CONFIG        or the product Config as JSON (local mode and tests); both are validated by parseConfig
 *   MCP_OAUTH_UPSTREAM      optional: the upstream section, replacing the file's (values known only at
 *                           deploy time, such as the Cognito user pool the stack creates)
 *   MCP_OAUTH_TABLES        {"clients": ..., "codes": ..., "families": ..., "revocations": ..., "sessions": ...}
 *   MCP_OAUTH_SIGNING_KEYS  {"active": "<KMS key id or ARN>", "published": ["<key id or ARN>", ...]}
 *   MCP_OAUTH_COOKIE_KEY    optional: the KMS HMAC key (id or ARN) the sealed browser cookies' key derives
 *                           from; required by the functions that serve the browser routes
 *   DYNAMODB_ENDPOINT       optional: a DynamoDB endpoint other than AWS's (DynamoDB Local)
 *   MCP_OAUTH_ENDPOINT_GROUP optional: browser | token | public, which routes this function serves
 *                           (unset: all of them); only the browser group talks to the upstream IdP
 *   POWERTOOLS_SERVICE_NAME optional: the `service` dimension of the metrics (default per function)
 *
 * The guard's functions (authorizer, protected resource metadata, the MCP step, an MCP server behind it):
 *   MCP_OAUTH_CONFIG        as above
 *   MCP_RESOURCE_URI        which configured resource the API guards (default: defaultResource)
 *   REVOCATIONS_TABLE_NAME  the revocations table (the authorizer only)
 *
 * The authorizer signs its one DynamoDB call itself (lambda/adapters/aws-clients/dynamodb-json-client.ts),
 * so it reads what the SDK would, as Lambda's runtime sets it for the execution role:
 *   AWS_REGION (or AWS_DEFAULT_REGION), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 *   AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL)  optional: DynamoDB elsewhere than its regional endpoint
 *   AWS_USE_FIPS_ENDPOINT   optional: true for the FIPS endpoint
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config, ResourceConfig } from '../../core/config';
import { ENDPOINT_GROUPS, type EndpointGroup } from '../../core/authorization-server/endpoints';
import { TABLE_KEYS, type TableKey, type TableNames } from '../dynamodb/table-keys';
import { dynamoDbEndpointFor } from '../aws-clients/dynamodb-json-client';
import type { AwsCredentials } from '../aws-clients/sigv4';
import { inlineBrandingFiles } from './branding-files';
import { ConfigError, parseConfig } from './parse-config';

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

export function readConfig(env: Environment = process.env): Config {
  const fromFile = env.MCP_OAUTH_CONFIG_FILE !== undefined && env.MCP_OAUTH_CONFIG_FILE.trim() !== '';
  const variable = fromFile ? 'MCP_OAUTH_CONFIG_FILE' : 'MCP_OAUTH_CONFIG';
  let raw = fromFile ? readJsonFile(env, variable) : readJson(env, variable);
  if (env.MCP_OAUTH_UPSTREAM !== undefined && env.MCP_OAUTH_UPSTREAM.trim() !== '') {
    const upstream = readJson(env, 'MCP_OAUTH_UPSTREAM');
    if (!isObject(raw) || !isObject(upstream)) throw new EnvironmentError('MCP_OAUTH_UPSTREAM', 'must be a JSON object replacing the configuration\'s upstream section');
    raw = { ...raw, upstream };
  }
  try {
    return parseConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) throw new EnvironmentError(variable, `invalid configuration:\n  ${error.problems.join('\n  ')}`, { cause: error });
    throw error;
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

/** Everything the authorization server function reads from its environment. */
export interface AuthorizationServerEnvironment {
  readonly config: Config;
  readonly tableNames: TableNames;
  readonly signingKeys: SigningKeyIds;
  /** The KMS HMAC key of the sealed cookies; undefined in a function that serves no browser route. */
  readonly cookieKeyId?: string;
  readonly dynamoDbEndpoint?: string;
  /** Which routes this function serves; undefined: all of them. */
  readonly endpointGroup?: EndpointGroup;
}

export function readEndpointGroup(env: Environment = process.env): EndpointGroup | undefined {
  const value = env.MCP_OAUTH_ENDPOINT_GROUP;
  if (value === undefined || value === '') return undefined;
  if (!(ENDPOINT_GROUPS as readonly string[]).includes(value)) throw new EnvironmentError('MCP_OAUTH_ENDPOINT_GROUP', `must be one of ${ENDPOINT_GROUPS.join(', ')}`);
  return value as EndpointGroup;
}

export function readAuthorizationServerEnvironment(env: Environment = process.env): AuthorizationServerEnvironment {
  return {
    config: readConfig(env),
    tableNames: readTableNames(env),
    signingKeys: readSigningKeys(env),
    ...(env.MCP_OAUTH_COOKIE_KEY ? { cookieKeyId: env.MCP_OAUTH_COOKIE_KEY } : {}),
    dynamoDbEndpoint: readDynamoDbEndpoint(env),
    endpointGroup: readEndpointGroup(env),
  };
}

/** What every function of the guard reads: the configuration and the resource its API serves. */
export interface GuardEnvironment {
  readonly config: Config;
  readonly resource: ResourceConfig;
}

export function readGuardEnvironment(env: Environment = process.env): GuardEnvironment {
  const config = readConfig(env);
  const uri = env.MCP_RESOURCE_URI?.trim() || config.defaultResource;
  const resource = config.resources.find((r) => r.uri === uri);
  if (!resource) throw new EnvironmentError('MCP_RESOURCE_URI', `names no configured resource: ${uri} (configured: ${config.resources.map((r) => r.uri).join(', ')})`);
  return { config, resource };
}

/** What the MCP step reads: its resource must have an HTTP backend (resources[].backend.httpUrl). */
export interface McpStepEnvironment extends GuardEnvironment {
  readonly backendUrl: string;
  readonly sharedSecret?: { readonly header: string; readonly secretArn: string };
}

export function readMcpStepEnvironment(env: Environment = process.env): McpStepEnvironment {
  const guard = readGuardEnvironment(env);
  const backend = guard.resource.backend;
  if (!backend || !('httpUrl' in backend)) throw new EnvironmentError('MCP_RESOURCE_URI', `names ${guard.resource.uri}, which has no backend.httpUrl for the MCP step to forward to`);
  const secret = backend.sharedSecret;
  if (secret && !secret.secretArn) throw new EnvironmentError('MCP_OAUTH_CONFIG_FILE', `resources[${guard.config.resources.indexOf(guard.resource)}].backend.sharedSecret needs secretArn on AWS (value is for local mode)`);
  return { ...guard, backendUrl: backend.httpUrl, ...(secret ? { sharedSecret: { header: secret.header, secretArn: secret.secretArn! } } : {}) };
}

/** The authorizer's extra setting: where revocations are. */
export interface AuthorizerEnvironment extends GuardEnvironment {
  readonly revocationsTableName: string;
}

export function readAuthorizerEnvironment(env: Environment = process.env): AuthorizerEnvironment {
  const revocationsTableName = env.REVOCATIONS_TABLE_NAME?.trim();
  if (!revocationsTableName) throw new EnvironmentError('REVOCATIONS_TABLE_NAME', 'is not set');
  return { ...readGuardEnvironment(env), revocationsTableName };
}

/** The region, credentials and DynamoDB endpoint of a function that signs its own calls (the authorizer). */
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

function readJson(env: Environment, variable: string): unknown {
  const text = env[variable];
  if (text === undefined || text.trim() === '') throw new EnvironmentError(variable, 'is not set');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EnvironmentError(variable, 'is not valid JSON', { cause: error });
  }
}

function readJsonFile(env: Environment, variable: string): unknown {
  const path = resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), String(env[variable]));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EnvironmentError(variable, `cannot read ${path}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new EnvironmentError(variable, `${path} is not valid JSON`, { cause: error });
  }
  try {
    return inlineBrandingFiles(raw, dirname(path));
  } catch (error) {
    throw new EnvironmentError(variable, `${path}: ${(error as Error).message}`, { cause: error });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
