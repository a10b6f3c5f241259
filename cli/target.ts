/**
 * Which deployment an operator command acts on, and the DynamoDB client to reach it: a
 * running local mode (the default: the endpoint, region and table names local mode derives
 * from the same config and --table-prefix), or a deployed stack (its CloudFormation outputs,
 * or --region with the table names). The commands run the same code against either.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Config } from '../lambda/core/config';
import { DependencyUnavailableError } from '../lambda/core/errors';
import { sdkDynamoDbCalls } from '../lambda/adapters/aws-clients/sdk-dynamodb-calls';
import type { DynamoDbCalls } from '../lambda/adapters/dynamodb/dynamodb-calls';
import { isUnavailable } from '../lambda/adapters/dynamodb/store-errors';
import { TABLE_KEYS, type TableKey, type TableNames } from '../lambda/adapters/dynamodb/tables';
import { parseConfig } from '../lambda/adapters/config/parse-config';
import { DEFAULT_LOCAL_CONFIG, DEFAULT_TABLE_PREFIX } from '../local/local-command';
import { loadLocalConfig, readConfigFile } from '../local/local-config';
import { LOCAL_AWS_CREDENTIALS, LOCAL_AWS_REGION } from '../local/dynamodb-local';
import { localTableNames } from '../local/local-stack';
import { CommandFailure, UsageError } from './io';

/** An operator gives up on an unreachable DynamoDB within seconds, not after the SDK's minutes of retries. */
const CONNECTION_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 5_000;
const MAX_ATTEMPTS = 2;

const TABLE_FLAGS = Object.fromEntries(TABLE_KEYS.map((key) => [`${key}-table`, { type: 'string' }])) as Record<`${TableKey}-table`, { type: 'string' }>;

/** The options every command that reads or writes the tables accepts. */
export const TARGET_OPTIONS = {
  config: { type: 'string' },
  'dynamodb-endpoint': { type: 'string' },
  'table-prefix': { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  ...TABLE_FLAGS,
} as const;

export const TARGET_HELP = `target (local mode unless --stack or --region is given):
  --config <file>              the product config (default: ${DEFAULT_LOCAL_CONFIG}); locally it also
                               names DynamoDB Local's port (local.dynamoDbPort)
  --dynamodb-endpoint <url>    the DynamoDB local mode uses, if not DynamoDB Local on that port
  --table-prefix <prefix>      local mode's table prefix (default: ${DEFAULT_TABLE_PREFIX})
  --stack <name>               a deployed authorization server stack (e.g. McpOAuth-prod-AuthorizationServer):
                               table names, token lifetimes and guard caches from its CloudFormation outputs
  --region <region>            its region (default: AWS_REGION); with --<table>-table flags instead of --stack
  --clients-table, --codes-table, --families-table, --revocations-table, --sessions-table, --assertions-table <name>`;

/** What revoking needs of the config: the lifetimes that size the record, the caches that bound the delay. */
export type OperatorSettings = Pick<Config, 'tokens' | 'guard'>;

export type TargetValues = { readonly [K in keyof typeof TARGET_OPTIONS]?: string };

export interface Target {
  /** One line for the output: where the command acted. */
  readonly description: string;
  /** Through the SDK's client: an operator's credentials come from its chain (profiles, SSO). */
  readonly dynamoDb: DynamoDbCalls;
  readonly tableNames: TableNames;
  /** The product config, when there is one (local mode always; a deployment when --config is given). */
  readonly config?: Config;
  /** The token lifetimes and guard caches: from the config, or the stack's OperatorSettings output. */
  readonly settings?: OperatorSettings;
  close(): void;
}

export function isDeployedTarget(values: TargetValues): boolean {
  return values.stack !== undefined || values.region !== undefined;
}

export async function openTarget(values: TargetValues, env: Readonly<Record<string, string | undefined>>): Promise<Target> {
  return isDeployedTarget(values) ? openDeployedTarget(values, env) : openLocalTarget(values);
}

function openLocalTarget(values: TargetValues): Target {
  for (const key of TABLE_KEYS) if (values[`${key}-table`] !== undefined) throw new UsageError(`--${key}-table names a deployed table: give --region (or --stack) too, or --table-prefix for local mode`);
  const configPath = values.config ?? DEFAULT_LOCAL_CONFIG;
  const config = failOnConfigError(() => loadLocalConfig(configPath));
  const endpoint = values['dynamodb-endpoint'] ?? `http://127.0.0.1:${config.local.dynamoDbPort}`;
  const prefix = values['table-prefix'] ?? DEFAULT_TABLE_PREFIX;
  const dynamoDb = new DynamoDBClient({ endpoint, region: LOCAL_AWS_REGION, credentials: LOCAL_AWS_CREDENTIALS, ...shortTimeouts() });
  return {
    description: `local mode (DynamoDB at ${endpoint}, tables ${prefix}*)`,
    dynamoDb: sdkDynamoDbCalls(dynamoDb),
    tableNames: localTableNames(prefix),
    config,
    settings: config,
    close: () => dynamoDb.destroy(),
  };
}

async function openDeployedTarget(values: TargetValues, env: Readonly<Record<string, string | undefined>>): Promise<Target> {
  if (values['dynamodb-endpoint'] !== undefined || values['table-prefix'] !== undefined) throw new UsageError('--dynamodb-endpoint and --table-prefix are for local mode; a deployment is named by --stack or --region');
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('no region: give --region or set AWS_REGION');
  const config = values.config === undefined ? undefined : failOnConfigError(() => parseConfig(readConfigFile(values.config!)));
  const fromFlags = Object.fromEntries(TABLE_KEYS.flatMap((key) => (values[`${key}-table`] === undefined ? [] : [[key, values[`${key}-table`]!]]))) as Partial<Record<TableKey, string>>;
  let fromStack: { tables: Partial<Record<TableKey, string>>; settings?: OperatorSettings } = { tables: {} };
  if (values.stack !== undefined) fromStack = await readStackOutputs(values.stack, region);
  const tables = { ...fromStack.tables, ...fromFlags };
  const missing = TABLE_KEYS.filter((key) => tables[key] === undefined);
  if (missing.length) {
    const where = values.stack === undefined ? 'give them' : `the stack ${values.stack} does not output them (deploy this version first), or give them`;
    throw new UsageError(`no table name for ${missing.join(', ')}: ${where} with ${missing.map((key) => `--${key}-table`).join(', ')}`);
  }
  const dynamoDb = new DynamoDBClient({ region, ...shortTimeouts() });
  return {
    description: values.stack === undefined ? `DynamoDB in ${region} (tables given on the command line)` : `stack ${values.stack} in ${region}`,
    dynamoDb: sdkDynamoDbCalls(dynamoDb),
    tableNames: tables as TableNames,
    config,
    settings: config ?? fromStack.settings,
    close: () => dynamoDb.destroy(),
  };
}

/** The outputs AuthorizationServerStack declares (lib/stacks/authorization-server-stack.ts). */
const TABLE_OUTPUTS: Readonly<Record<TableKey, string>> = {
  clients: 'ClientsTableName',
  codes: 'CodesTableName',
  families: 'FamiliesTableName',
  revocations: 'RevocationsTableName',
  sessions: 'SessionsTableName',
  assertions: 'AssertionsTableName',
};

export async function readStackOutputs(stackName: string, region: string): Promise<{ tables: Partial<Record<TableKey, string>>; settings?: OperatorSettings; outputs: Record<string, string> }> {
  const outputs = await describeStackOutputs(stackName, region);
  const tables: Partial<Record<TableKey, string>> = {};
  for (const [key, output] of Object.entries(TABLE_OUTPUTS) as [TableKey, string][]) if (outputs[output] !== undefined) tables[key] = outputs[output];
  return { tables, settings: outputs.OperatorSettings === undefined ? undefined : operatorSettingsFrom(outputs.OperatorSettings, stackName), outputs };
}

export async function describeStackOutputs(stackName: string, region: string): Promise<Record<string, string>> {
  const cloudFormation = new CloudFormationClient({ region, ...shortTimeouts() });
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = Stacks?.[0];
    if (!stack) throw new CommandFailure(`the stack ${stackName} does not exist in ${region}`);
    return Object.fromEntries((stack.Outputs ?? []).flatMap((o) => (o.OutputKey && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue]] : [])));
  } catch (error) {
    if (error instanceof CommandFailure) throw error;
    const name = (error as { name?: string }).name;
    if (name === 'ValidationError') throw new CommandFailure(`the stack ${stackName} does not exist in ${region}`);
    throw new CommandFailure(`cannot read the stack ${stackName} in ${region}: ${oneLine(error)}`);
  } finally {
    cloudFormation.destroy();
  }
}

function operatorSettingsFrom(json: string, stackName: string): OperatorSettings {
  try {
    const { tokens, guard } = JSON.parse(json) as OperatorSettings;
    if (typeof tokens?.refreshTokenAbsoluteSeconds === 'number' && typeof guard?.authorizerCacheTtlSeconds === 'number') return { tokens, guard };
  } catch {
    // reported below
  }
  throw new CommandFailure(`the stack ${stackName}'s OperatorSettings output is not what this CLI reads: deploy this version, or give --config`);
}

function shortTimeouts() {
  return { maxAttempts: MAX_ATTEMPTS, requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS } };
}

function failOnConfigError<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    // A ConfigError lists one problem a line (by dotted path); the command prints one line.
    throw new CommandFailure((error instanceof Error ? error.message : String(error)).replace(/\n\s*/g, ' '));
  }
}

/** What an operator reads when DynamoDB cannot be reached: one line, where it tried and what to check. */
export function describeTargetError(error: unknown, target: Target): string | undefined {
  if (error instanceof DependencyUnavailableError || isUnavailable(error)) {
    return `cannot reach DynamoDB for ${target.description}: ${oneLine((error as { cause?: unknown }).cause ?? error)}. Is local mode running (npm start)? For a deployment check --region and your AWS credentials.`;
  }
  const name = (error as { name?: string })?.name;
  if (name === 'ResourceNotFoundException') return `a table of ${target.description} does not exist (${oneLine(error)}): check --table-prefix, --stack or the table names`;
  if (name === 'CredentialsProviderError' || name === 'UnrecognizedClientException' || name === 'ExpiredTokenException' || name === 'AccessDeniedException') {
    return `AWS refused ${target.description}: ${oneLine(error)} (check your AWS credentials and their permissions)`;
  }
  return undefined;
}

export function oneLine(error: unknown): string {
  const message = ((error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '').trim();
  const code = (error as { code?: unknown })?.code;
  const name = (error as { name?: string })?.name;
  // A refused connection is an AggregateError (IPv4 and IPv6) whose message is empty: its code says it all.
  if (typeof code === 'string' && !message.includes(code)) return message ? `${code}: ${message}` : code;
  return message || name || 'unknown error';
}

/** Opens the target, runs `work`, and turns what DynamoDB or AWS threw into one line (exit 1). */
export async function withTarget<T>(values: TargetValues, env: Readonly<Record<string, string | undefined>>, work: (target: Target) => Promise<T>): Promise<T> {
  const target = await openTarget(values, env);
  try {
    return await work(target);
  } catch (error) {
    const described = describeTargetError(error, target);
    throw described === undefined ? error : new CommandFailure(described);
  } finally {
    target.close();
  }
}
