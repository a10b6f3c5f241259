/**
 * The baseline side of the side-by-side flow benchmark, in a process of its own as local
 * mode's stack is in its own:
 *
 *   tsx bench/oidc-baseline-main.ts --as-port P --mcp-port Q --dynamodb-endpoint URL
 *
 * The in-memory oidc-provider authorization server (bench/oidc-baseline-server.ts) and the
 * same demo MCP server that local mode serves, behind the same guard on the same API
 * Gateway emulator (local/local-mcp-api.ts), configured from the shipped config/local.json
 * with only the issuer and the resource's origin moved: the guard trusts the baseline's
 * issuer and JWKS, checks aud = the resource, the scopes, the tool rules and revocation
 * (on tables of its own in the given DynamoDB Local). Prints `oidc-baseline ready {json}`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTables } from '../lambda/adapters/dynamodb/tables';
import { localDynamoDbCalls, localDynamoDbClient } from '../local/dynamodb-local';
import { parseLocalModeConfig } from '../local/local-config';
import { localTableNames } from '../local/local-stack';
import { startLocalMcpApi } from '../local/local-mcp-api';
import { BASELINE_READY_PREFIX } from './oidc-baseline-process';
import { startBaselineServer } from './oidc-baseline-server';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'as-port': { type: 'string' }, 'mcp-port': { type: 'string' }, 'dynamodb-endpoint': { type: 'string' } } });
  const asPort = Number(values['as-port']);
  const mcpPort = Number(values['mcp-port']);
  const endpoint = values['dynamodb-endpoint'];
  if (!asPort || !mcpPort || !endpoint) throw new Error('usage: oidc-baseline-main.ts --as-port P --mcp-port Q --dynamodb-endpoint URL');

  const issuer = `http://localhost:${asPort}`;
  const shipped = readFileSync(join(__dirname, '../config/local.json'), 'utf8');
  const config = parseLocalModeConfig(JSON.parse(shipped.replaceAll('http://localhost:8787', issuer).replaceAll('http://localhost:8788', `http://localhost:${mcpPort}`)));
  const resource = config.resources[0]!;

  const tableNames = localTableNames(`bench-baseline-${process.pid}`);
  const admin = localDynamoDbClient(endpoint);
  await createTables(admin, tableNames);
  admin.destroy();
  const dynamoDb = localDynamoDbCalls(endpoint, config.awsCalls);

  const as = await startBaselineServer({
    port: asPort,
    issuer,
    resource: { uri: resource.uri, scopes: resource.scopes.map((s) => s.name) },
    users: config.local.devUsers,
    accessTokenSeconds: config.tokens.accessTokenSeconds,
  });
  const api = await startLocalMcpApi({ config, resource, port: mcpPort, dynamoDb, tableNames, log: () => undefined, local: config.local, jwksUri: `${issuer}/jwks` });

  const stop = () => {
    void Promise.all([api.close(), as.close()]).finally(() => {
      dynamoDb.destroy();
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log(`${BASELINE_READY_PREFIX}${JSON.stringify({ issuer, mcpUrl: resource.uri })}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
