/**
 * The one reader of process.env in lambda/ (with env-readers.ts, its part that loads no zod,
 * re-exported here). The CDK app hands each function its settings as a few JSON variables;
 * they are parsed and validated here, once per cold start, and every error names the variable
 * so a broken deployment says what to fix.
 *
 *   MCP_OAUTH_CONFIG_FILE   the product Config as a JSON file in the bundle (what the CDK app sets:
 *                           Lambda's 4 KB environment cannot hold a real configuration); a relative
 *                           path is resolved against LAMBDA_TASK_ROOT. The CDK app writes it in the
 *                           synth-validated form (synth-validated-config.ts), whose Config is validated
 *                           again here; a raw config file is read too, a branding.logoSvgFile in it read
 *                           from the file's folder (lambda/adapters/config/branding-files.ts)
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
 *   POWERTOOLS_METRICS_DISABLED, POWERTOOLS_DEV  optional: metrics off, as Powertools reads them (read here
 *                           for the authorizer, which writes its EMF documents itself: readMetricsDisabled)
 *
 * The guard's functions (authorizer, protected resource metadata, the MCP step, an MCP server behind it):
 *   MCP_OAUTH_CONFIG        as above; the authorizer reads MCP_OAUTH_CONFIG_FILE in the synth-validated
 *                           form only, without validating it again (env-readers.ts: it loads no zod)
 *   MCP_RESOURCE_URI        which configured resource the API guards (default: defaultResource)
 *   REVOCATIONS_TABLE_NAME  the revocations table (the authorizer only)
 *
 * The authorizer and the authorization server sign their DynamoDB calls themselves
 * (lambda/adapters/aws-clients/dynamodb-json-client.ts), so they read what the SDK would, as
 * Lambda's runtime sets it for the execution role (DYNAMODB_ENDPOINT, above, still takes precedence
 * for the authorization server):
 *   AWS_REGION (or AWS_DEFAULT_REGION), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
 *   AWS_ENDPOINT_URL_DYNAMODB (or AWS_ENDPOINT_URL)  optional: DynamoDB elsewhere than its regional endpoint
 *   AWS_USE_FIPS_ENDPOINT   optional: true for the FIPS endpoint
 */
import type { Config } from '../../core/config';
import type { EndpointGroup } from '../../core/authorization-server/endpoints';
import type { TableNames } from '../dynamodb/table-keys';
import {
  EnvironmentError,
  isObject,
  isSet,
  readDynamoDbEndpoint,
  readEndpointGroup,
  readGuardResource,
  readJson,
  readJsonFile,
  readSigningKeys,
  readTableNames,
  type Environment,
  type GuardEnvironment,
  type SigningKeyIds,
} from './env-readers';
import { ConfigError, parseConfig } from './parse-config';
import { isSynthValidatedConfigFile, readSynthValidatedConfig } from './synth-validated-config';

export {
  EnvironmentError,
  readAuthorizerEnvironment,
  readAwsEnvironment,
  readDynamoDbEndpoint,
  readEndpointGroup,
  readServiceName,
  readSigningKeys,
  readTableNames,
  type AuthorizerEnvironment,
  type AwsEnvironment,
  type Environment,
  type GuardEnvironment,
  type SigningKeyIds,
} from './env-readers';

export function readConfig(env: Environment = process.env): Config {
  const fromFile = isSet(env.MCP_OAUTH_CONFIG_FILE);
  const variable = fromFile ? 'MCP_OAUTH_CONFIG_FILE' : 'MCP_OAUTH_CONFIG';
  let raw = fromFile ? readJsonFile(env, variable) : readJson(env, variable);
  if (fromFile && isSynthValidatedConfigFile(raw)) {
    try {
      raw = readSynthValidatedConfig(raw);
    } catch (error) {
      throw new EnvironmentError(variable, (error as Error).message, { cause: error });
    }
  }
  if (isSet(env.MCP_OAUTH_UPSTREAM)) {
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

export function readGuardEnvironment(env: Environment = process.env): GuardEnvironment {
  const config = readConfig(env);
  return { config, resource: readGuardResource(config, env) };
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
