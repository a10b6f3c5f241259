/**
 * Local mode: the whole product on one machine, the same handlers as on AWS behind the API
 * Gateway emulator. DynamoDB Local (persisted in the data folder) instead of DynamoDB, a
 * key file instead of KMS, the dev IdP instead of Cognito, console lines instead of EMF.
 *
 * Start order: config -> ports -> DynamoDB -> tables -> signing key -> dev IdP ->
 * authorization server -> MCP API(s). If any step fails, what already started is stopped.
 * DEVELOPMENT ONLY: nothing here is deployed.
 */
import { DeleteTableCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { homedir } from 'node:os';
import { ENDPOINT_PATHS } from '../lambda/core/authorization-server/endpoints';
import type { ResourceConfig } from '../lambda/core/config';
import { createAuthorizationServerHandler } from '../lambda/adapters/apigw/authorization-server-proxy';
import { createTables, tableNamesForPrefix, type TableNames } from '../lambda/adapters/dynamodb/tables';
import type { HttpClientMetadataFetcherOptions } from '../lambda/adapters/http/client-metadata-fetcher';
import { localhostNamesResolver } from '../lambda/adapters/http/localhost-names-resolver';
import { LocalCookieKeys } from '../lambda/adapters/local-key/local-cookie-keys';
import { LocalKeySigner, previousKeyPath } from '../lambda/adapters/local-key/local-key-signer';
import { ConsoleAuditSink } from '../lambda/adapters/observability/console-audit-sink';
import { describeError } from '../lambda/adapters/observability/safe-logger';
import { buildAuthorizationServerDeps } from '../lambda/adapters/wiring/authorization-server-deps';
import { DevIdpGroups } from './dev-idp-groups';
import { DEMO_MACHINE_JWT_KEY_FILE, writeDemoMachineKey } from './demo-machine-key';
import { devIdpOptionsFromConfig } from './dev-idp-main';
import { startDevIdp } from './dev-idp';
import { assertPortFree, localDynamoDbCalls, localDynamoDbClient, startDynamoDbLocal } from './dynamodb-local';
import { startApiGatewayEmulator } from './emulator/stage';
import type { RunningApi } from './emulator/types';
import { loadLocalConfig, type LocalModeConfig } from './local-config';
import { authorizationServerRoutes, authorizationServerWebAcl, LOCAL_EDGE, localStageThrottling } from './local-deployment';
import { boundLocalHeapGrowth } from './local-heap';
import { startLocalMcpApi } from './local-mcp-api';

export interface LocalStackOptions {
  /** Path of the product config (JSON). */
  readonly configPath: string;
  /** Folder for DynamoDB Local's files and the signing key. */
  readonly dataDir: string;
  /** Wipe the data folder (or, with an external DynamoDB, this prefix's tables) first. */
  readonly fresh?: boolean;
  /** A DynamoDB that already runs; then none is started. */
  readonly dynamoDbEndpoint?: string;
  readonly tablePrefix: string;
  /** Serve the authorization server on this port; the issuer becomes http://localhost:<port>. */
  readonly portOverride?: number;
  readonly log: (line: string) => void;
}

export interface RunningLocalStack {
  readonly issuer: string;
  readonly metadataUrl: string;
  readonly jwksUrl: string;
  readonly mcpUrls: readonly string[];
  readonly devIdp: string;
  readonly tableNames: TableNames;
  readonly dynamoDbEndpoint: string;
  stop(): Promise<void>;
}

/** The signing key's file in the data folder (`mcp-oauth keys` reads and rotates it). */
export const SIGNING_KEY_FILE = 'signing-key.pem';
/** The key of the sealed browser cookies, next to the signing key. */
export const COOKIE_KEY_FILE = 'cookie-key';

/** What local mode may find in its data folder; anything else means the folder is not ours to wipe. */
const DATA_DIR_ENTRIES = new Set(['dynamodb', SIGNING_KEY_FILE, COOKIE_KEY_FILE, previousKeyPath(SIGNING_KEY_FILE), DEMO_MACHINE_JWT_KEY_FILE]);

/** The tables of local mode under `--table-prefix` (the operator commands find them the same way). */
export function localTableNames(tablePrefix: string): TableNames {
  return tableNamesForPrefix(tablePrefix.replace(/-+$/, ''));
}

export async function startLocalStack(options: LocalStackOptions): Promise<RunningLocalStack> {
  const { log } = options;
  boundLocalHeapGrowth();
  const config = loadLocalConfig(options.configPath, options.portOverride);
  const { local } = config;
  const asPort = Number(new URL(config.issuer).port);
  const mcpApis = groupResourcesByPort(config.resources);
  const stoppers: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0).reverse()) await stop().catch(() => undefined);
  };

  try {
    // Fail before the slow JVM start when a port is taken.
    const ports: [number, string][] = [[asPort, 'the authorization server (issuer)'], [local.devIdpPort, 'the dev IdP (local.devIdpPort)'], ...[...mcpApis.keys()].map((p): [number, string] => [p, 'the MCP server (resources[].uri)'])];
    if (!options.dynamoDbEndpoint) ports.push([local.dynamoDbPort, 'DynamoDB Local (local.dynamoDbPort)']);
    for (const [port, what] of ports) {
      await assertPortFree(port).catch((error: Error) => {
        throw new Error(`${error.message} (needed by ${what})`);
      });
    }

    const dataDir = resolve(options.dataDir);
    if (options.fresh) wipeDataDir(dataDir, log);

    let endpoint = options.dynamoDbEndpoint;
    if (!endpoint) {
      log(`starting DynamoDB Local on port ${local.dynamoDbPort} (data in ${join(dataDir, 'dynamodb')})`);
      const dynamo = await startDynamoDbLocal({ port: local.dynamoDbPort, dataDir: join(dataDir, 'dynamodb') });
      stoppers.push(() => dynamo.stop());
      endpoint = dynamo.endpoint;
    } else {
      log(`using DynamoDB at ${endpoint}`);
    }
    const tableNames = localTableNames(options.tablePrefix);
    const admin = localDynamoDbClient(endpoint);
    try {
      if (options.fresh && options.dynamoDbEndpoint) await deleteTables(admin, tableNames);
      await createTables(admin, tableNames);
    } finally {
      admin.destroy();
    }
    // The handlers' client: the JSON protocol with the timeouts and retries of config.awsCalls, as deployed.
    const dynamoDb = localDynamoDbCalls(endpoint, config.awsCalls);
    stoppers.push(async () => dynamoDb.destroy());
    log(`tables ready (${Object.values(tableNames).join(', ')})`);

    const keyPath = join(dataDir, SIGNING_KEY_FILE);
    const { signer, created } = LocalKeySigner.fromFile(keyPath);
    log(`${created ? 'created' : 'loaded'} signing key ${keyPath} (kid ${await signer.currentKeyId()})`);
    const cookieKeyPath = join(dataDir, COOKIE_KEY_FILE);
    const cookieKey = LocalCookieKeys.fromFile(cookieKeyPath);
    log(`${cookieKey.created ? 'created' : 'loaded'} cookie key ${cookieKeyPath}`);
    if (config.clients.some((c) => c.clientId === 'demo-machine-jwt')) {
      const demoKey = writeDemoMachineKey(dataDir);
      if (demoKey.created) log(`wrote the demo-machine-jwt client's private key (dev only) to ${demoKey.path}`);
    }

    const idpOptions = devIdpOptionsFromConfig(config);
    const devIdp = await startDevIdp(idpOptions);
    stoppers.push(() => devIdp.close());
    if (config.upstream.issuer !== devIdp.issuer) {
      log(`note: upstream.issuer is ${config.upstream.issuer} but the dev IdP runs at ${devIdp.issuer}; logins go to upstream.issuer`);
    }
    log(`dev IdP at ${devIdp.issuer}`);

    const asHandler = createAuthorizationServerHandler(buildAuthorizationServerDeps({
      config,
      dynamoDb,
      tableNames,
      signer,
      cookieKeys: cookieKey.cookieKeys,
      upstreamClientSecret: config.upstream.clientSecret,
      // Logins at the dev IdP: a refresh re-reads groups there. Another upstream offers no such read.
      ...(config.upstream.issuer === devIdp.issuer && config.upstream.clientSecret !== undefined
        ? { upstreamGroups: new DevIdpGroups({ issuer: devIdp.issuer, clientId: config.upstream.clientId, clientSecret: config.upstream.clientSecret }) }
        : {}),
      audit: new ConsoleAuditSink(log),
      logError: (message, error) => {
        const described = describeError(error);
        log(`error: ${message}: ${described.name}: ${described.message}`);
      },
      metadataFetcher: localMetadataTrust(config, options.configPath, log),
    }));
    const authorizationServer = await startApiGatewayEmulator({
      name: 'authorization-server',
      port: asPort,
      routes: authorizationServerRoutes(asHandler),
      waf: authorizationServerWebAcl(local),
      throttling: localStageThrottling(local, 'authorizationServer'),
      // As deployed (AuthorizationServerApi.edge): the viewer-request function stamps the viewer's address, by which the rate rules count (a client-sent
      // X-Forwarded-For or x-mcp-oauth-viewer-ip changes nothing); the origin-response function restores the WWW-Authenticate: Basic of a 401 invalid_client that API Gateway renames.
      edge: LOCAL_EDGE,
    });
    stoppers.push(() => authorizationServer.close());
    log(`authorization server at ${config.issuer}`);

    for (const [port, resource] of mcpApis) {
      const api: RunningApi = await startLocalMcpApi({ config, resource, port, dynamoDb, tableNames, log, local });
      stoppers.push(() => api.close());
    }

    return {
      issuer: config.issuer,
      metadataUrl: `${config.issuer}${ENDPOINT_PATHS.metadata}`,
      jwksUrl: `${config.issuer}${ENDPOINT_PATHS.jwks}`,
      mcpUrls: config.resources.map((r) => r.uri),
      devIdp: devIdp.issuer,
      tableNames,
      dynamoDbEndpoint: endpoint,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * What local mode adds to the production fetcher, which only tests need: `.localhost` names
 * resolve to loopback (RFC 6761), and the origins in local.trustedMetadataOrigins skip the
 * address policy, with local.metadataCaFile trusted next to the public CAs. Nothing of this
 * exists in AWS: the deployed functions never see the local section.
 */
function localMetadataTrust(config: LocalModeConfig, configPath: string, log: (line: string) => void): Pick<HttpClientMetadataFetcherOptions, 'resolve' | 'allowedTestOrigins' | 'ca'> {
  const trustedOrigins = config.local.trustedMetadataOrigins;
  const caFile = config.local.metadataCaFile;
  let ca: string[] | undefined;
  if (caFile !== undefined) {
    const caPath = resolve(dirname(configPath), caFile);
    try {
      ca = [...rootCertificates, readFileSync(caPath, 'utf8')];
    } catch (error) {
      throw new Error(`${configPath}: local.metadataCaFile: cannot read ${caPath}: ${(error as Error).message}`);
    }
  }
  if (trustedOrigins.length) {
    log(`TEST ONLY: client ID metadata documents from ${trustedOrigins.join(', ')} are fetched from loopback (local.trustedMetadataOrigins)`);
  }
  return { resolve: localhostNamesResolver(), allowedTestOrigins: trustedOrigins, ca };
}

/** The human block and the one machine-readable line that harnesses wait for. */
export function readyMessage(stack: RunningLocalStack, config: LocalModeConfig): string[] {
  const users = config.local.devUsers.map((u) => `    ${u.username} / ${u.password}  (groups: ${u.groups.join(', ') || 'none'})`);
  return [
    '',
    'mcp-oauth local mode is ready',
    `  issuer:           ${stack.issuer}`,
    `  metadata:         ${stack.metadataUrl}`,
    `  JWKS:             ${stack.jwksUrl}`,
    ...stack.mcpUrls.map((url) => `  MCP server:       ${url}`),
    `  dev IdP:          ${stack.devIdp}`,
    '  dev users (username / password):',
    ...users,
    '  Ctrl+C stops everything.',
    '',
    `mcp-oauth local ready ${JSON.stringify({ issuer: stack.issuer, mcpUrl: stack.mcpUrls[0], devIdp: stack.devIdp })}`,
  ];
}

function groupResourcesByPort(resources: readonly ResourceConfig[]): Map<number, ResourceConfig> {
  const byPort = new Map<number, ResourceConfig>();
  for (const resource of resources) {
    const url = new URL(resource.uri);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const other = byPort.get(port);
    if (other) throw new Error(`local mode serves one MCP server per port: ${other.uri} and ${resource.uri} share port ${port}`);
    byPort.set(port, resource);
  }
  return byPort;
}

/** Wipes only a folder that local mode made: a typo in --data-dir must not delete someone's files. */
function wipeDataDir(dataDir: string, log: (line: string) => void): void {
  if (!existsSync(dataDir)) return;
  if (dataDir === resolve('/') || dataDir === homedir() || dataDir === process.cwd()) {
    throw new Error(`--fresh refuses to wipe ${dataDir}: choose a dedicated --data-dir`);
  }
  const foreign = readdirSync(dataDir).filter((entry) => !DATA_DIR_ENTRIES.has(entry));
  if (foreign.length) {
    throw new Error(`--fresh refuses to wipe ${dataDir}: it holds files local mode did not create (${foreign.slice(0, 3).join(', ')})`);
  }
  rmSync(dataDir, { recursive: true, force: true });
  log(`wiped ${dataDir}`);
}

async function deleteTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  for (const name of Object.values(names)) {
    try {
      await client.send(new DeleteTableCommand({ TableName: name }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
