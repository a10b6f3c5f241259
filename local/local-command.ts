/**
 * `mcp-oauth local`: the authorization server, the dev IdP and the demo MCP server on this
 * machine (docs/local-mode.md). PORT, when set, moves the authorization server and makes
 * the issuer http://localhost:$PORT.
 */
import { parseArgs } from 'node:util';
import { loadLocalConfig } from './local-config';
import { readyMessage, startLocalStack, type RunningLocalStack } from './local-stack';

/** Where local mode keeps DynamoDB Local's files and the signing key, unless --data-dir says otherwise. */
export const DEFAULT_DATA_DIR = '.local';
/** The table name prefix of local mode, unless --table-prefix says otherwise; the operator commands use it too. */
export const DEFAULT_TABLE_PREFIX = 'mcp-oauth-local-';
/** The config local mode runs with, unless --config says otherwise. */
export const DEFAULT_LOCAL_CONFIG = 'config/local.json';

/** The options of the command, for the CLI's usage text. */
export const LOCAL_HELP = `Runs the authorization server, the dev IdP and the MCP server(s) locally.

options:
  --config <file>            product config (default: config/local.json)
  --data-dir <dir>           DynamoDB Local data and the signing key (default: .local)
  --fresh                    wipe the data folder first (new key, empty tables)
  --dynamodb-endpoint <url>  use a running DynamoDB instead of starting DynamoDB Local
  --table-prefix <prefix>    table name prefix (default: mcp-oauth-local-)
  -h, --help                 this text

environment:
  PORT                       authorization server port; the issuer becomes http://localhost:$PORT`;

/** Runs local mode until a signal stops it; `usage` is what --help prints. */
export async function runLocal(args: string[], usage: string): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', default: DEFAULT_LOCAL_CONFIG },
      'data-dir': { type: 'string', default: DEFAULT_DATA_DIR },
      fresh: { type: 'boolean', default: false },
      'dynamodb-endpoint': { type: 'string' },
      'table-prefix': { type: 'string', default: DEFAULT_TABLE_PREFIX },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const portOverride = parsePort(process.env.PORT);
  const log = (line: string) => console.log(line);

  // A signal during start-up waits for it to finish (or fail), so no child is left behind.
  const state: { stack?: RunningLocalStack; stopping: boolean } = { stopping: false };
  const stop = (signal: NodeJS.Signals) => {
    if (state.stopping) {
      console.error(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    state.stopping = true;
    log(`${signal}: stopping`);
    state.stack?.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  state.stack = await startLocalStack({
    configPath: values.config,
    dataDir: values['data-dir'],
    fresh: values.fresh,
    dynamoDbEndpoint: values['dynamodb-endpoint'],
    tablePrefix: values['table-prefix'],
    portOverride,
    log,
  });
  if (state.stopping) {
    await state.stack.stop();
    process.exit(0);
  }
  for (const line of readyMessage(state.stack, loadLocalConfig(values.config, portOverride))) log(line);
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PORT must be a port number (1-65535), got "${value}"`);
  return port;
}
