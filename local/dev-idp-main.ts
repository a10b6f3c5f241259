/**
 * Runs the dev IdP from the product's config file:
 *
 *   tsx local/dev-idp-main.ts --port 8789 --config config/local.json [--redirect-uri URL]...
 *
 * Its one client is config.upstream (client id and secret), allowed to return to the
 * authorization server's upstream callback; its users are config.local.devUsers. Prints
 * `dev-idp ready <issuer>` once it answers, so that a parent process can wait for it.
 * DEVELOPMENT ONLY.
 */
import { parseArgs } from 'node:util';
import { ENDPOINT_PATHS } from '../lambda/core/authorization-server/endpoints';
import { brandingFrom } from '../lambda/core/authorization-server/page-layout';
import { startDevIdp, type DevIdpOptions } from './dev-idp';
import { parseLocalModeConfig, readConfigFile, type LocalModeConfig } from './local-config';

export function devIdpOptionsFromConfig(config: LocalModeConfig, options: { port?: number; extraRedirectUris?: readonly string[] } = {}): DevIdpOptions {
  const port = options.port ?? config.local.devIdpPort;
  if (!port) throw new Error('No dev IdP port: pass --port or set local.devIdpPort in the config.');
  if (!config.upstream.clientSecret) throw new Error('upstream.clientSecret: the dev IdP needs a client secret in local mode.');
  return {
    port,
    issuer: `http://localhost:${port}`,
    clients: [{
      clientId: config.upstream.clientId,
      clientSecret: config.upstream.clientSecret,
      redirectUris: [`${config.issuer}${ENDPOINT_PATHS.upstreamCallback}`, ...(options.extraRedirectUris ?? [])],
    }, ...config.local.devIdpClients.map((client) => ({
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      // Native: any port of a loopback address (RFC 8252 section 7.3), for scripts and CLIs.
      redirectUris: ['http://127.0.0.1/callback', 'http://[::1]/callback'],
      applicationType: 'native' as const,
      idJagExchange: client.idJagExchange,
    }))],
    users: config.local.devUsers,
    branding: brandingFrom(config.branding),
    ...(config.local.devIdpClients.some((c) => c.idJagExchange) ? { idJag: { audience: config.issuer, groups: config.local.idJagPolicy } } : {}),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      config: { type: 'string', default: 'config/local.json' },
      'redirect-uri': { type: 'string', multiple: true },
    },
    strict: true,
  });
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port <= 0 || port > 65535)) throw new Error(`--port must be a port number, got ${values.port}`);
  const config = parseLocalModeConfig(readConfigFile(values.config));
  const options = devIdpOptionsFromConfig(config, { port, extraRedirectUris: values['redirect-uri'] });
  if (config.upstream.issuer !== options.issuer) {
    console.error(`dev-idp note: upstream.issuer in the config is ${config.upstream.issuer}, but this dev IdP's issuer is ${options.issuer}`);
  }
  const idp = await startDevIdp(options);
  const stop = () => {
    idp.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  console.log(`dev-idp ready ${idp.issuer}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`dev-idp failed to start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
