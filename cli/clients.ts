/**
 * `mcp-oauth clients list | show <id> | delete <id>`: the clients the authorization server
 * knows. Configured clients (the config's clients[]) are shown but never deleted here;
 * registered ones (dynamic registration) live in the clients table. A client ID metadata
 * document client is not stored: the server fetches its URL at each authorization.
 */
import type { ClientRecord } from '../lambda/core/ports';
import { DynamoDbClientDirectory } from '../lambda/adapters/dynamodb/dynamodb-client-directory';
import { configuredClientRecord } from '../lambda/core/authorization-server/clients';
import { looksLikeClientIdUrl } from '../lambda/core/authorization-server/client-metadata-document';
import { expectPositionals, parseOrHelp } from './args';
import type { Command, Subcommand } from './command';
import { CommandFailure, EXIT, printer } from './io';
import { runSubcommand } from './subcommands';
import { TARGET_HELP, TARGET_OPTIONS, withTarget, type Target } from './target';
import { formatTime, table } from './text';

const SUMMARY = 'The clients the authorization server knows: configured (clients[] of the config) and registered (dynamic registration).';

const list: Subcommand = {
  name: 'list',
  usage: `usage: mcp-oauth clients list [target options]\n\nLists every configured and registered client.\n\n${TARGET_HELP}`,
  async run(args, io) {
    const parsed = parseOrHelp(args, TARGET_OPTIONS, this.usage, io);
    if (!parsed) return EXIT.ok;
    expectPositionals(parsed.positionals, []);
    const print = printer(io);
    return withTarget(parsed.values, io.env, async (target) => {
      const stored = await directoryOf(target).list();
      const clients = [...configuredClients(target), ...stored];
      print(`${clients.length} client(s) of ${target.description}`);
      if (clients.length) {
        print();
        for (const line of table(['client_id', 'source', 'name', 'auth', 'created', 'expires'], clients.map((c) => [c.clientId, c.source, c.clientName ?? '', c.tokenEndpointAuthMethod, c.source === 'static' ? '(config)' : formatTime(c.createdAt), c.expiresAt === undefined ? 'never' : formatTime(c.expiresAt)]))) print(line);
      }
      return EXIT.ok;
    });
  },
};

const show: Subcommand = {
  name: 'show',
  usage: `usage: mcp-oauth clients show <client_id> [target options]\n\nPrints one client's registration (never its secret).\n\n${TARGET_HELP}`,
  async run(args, io) {
    const parsed = parseOrHelp(args, TARGET_OPTIONS, this.usage, io);
    if (!parsed) return EXIT.ok;
    const [clientId] = expectPositionals(parsed.positionals, ['client_id']);
    const print = printer(io);
    return withTarget(parsed.values, io.env, async (target) => {
      const client = await findClient(target, clientId!);
      for (const [name, value] of describeClient(client)) print(`${`${name}:`.padEnd(16)}${value}`);
      return EXIT.ok;
    });
  },
};

const remove: Subcommand = {
  name: 'delete',
  usage: `usage: mcp-oauth clients delete <client_id> [target options]\n\nDeletes a registered client: it can no longer authorize or refresh (within the client cache's\nregistration.clientCacheSeconds). Tokens it holds stay\nvalid until they expire: run mcp-oauth revoke --client <client_id> first to end them.\n\n${TARGET_HELP}`,
  async run(args, io) {
    const parsed = parseOrHelp(args, TARGET_OPTIONS, this.usage, io);
    if (!parsed) return EXIT.ok;
    const [clientId] = expectPositionals(parsed.positionals, ['client_id']);
    const print = printer(io);
    return withTarget(parsed.values, io.env, async (target) => {
      const client = await findClient(target, clientId!);
      if (client.source === 'static') throw new CommandFailure(`${clientId} is configured (clients[] of the config file), not registered: remove it there and restart local mode or redeploy`);
      if (!(await directoryOf(target).delete(clientId!))) throw new CommandFailure(`no registered client ${clientId} in ${target.description} (deleted meanwhile?)`);
      print(`deleted client ${clientId}${client.clientName ? ` ("${client.clientName}")` : ''} from ${target.description}`);
      print(clientCacheNotice(target));
      print(`tokens it already holds stay valid until they expire; to end them now: mcp-oauth revoke --client ${clientId}`);
      return EXIT.ok;
    });
  },
};

export const clientsCommand: Command = {
  name: 'clients',
  summary: 'list | show <id> | delete <id>: configured and registered clients',
  run: (args, io) => runSubcommand('clients', [list, show, remove], SUMMARY, args, io),
};

/** Each running container remembers a client's record for a while (CachedClientStore): say how long the deletion may take to hold. */
function clientCacheNotice(target: Target): string {
  const seconds = target.config?.registration.clientCacheSeconds;
  if (seconds === 0) return 'the authorization server does not cache clients: the deletion holds at once';
  const bound = seconds === undefined ? 'registration.clientCacheSeconds of its config (30 s by default)' : `${seconds} s (registration.clientCacheSeconds)`;
  return `running authorization server containers may still accept it for up to ${bound}, until their client cache lets it go`;
}

function directoryOf(target: Target): DynamoDbClientDirectory {
  return new DynamoDbClientDirectory(target.dynamoDb, target.tableNames.clients);
}

function configuredClients(target: Target): ClientRecord[] {
  return (target.config?.clients ?? []).map(configuredClientRecord);
}

/** The configured or registered client with this id, if the target knows one. */
export async function lookUpClient(target: Target, clientId: string): Promise<ClientRecord | undefined> {
  return configuredClients(target).find((c) => c.clientId === clientId) ?? (await directoryOf(target).get(clientId));
}

async function findClient(target: Target, clientId: string): Promise<ClientRecord> {
  const client = await lookUpClient(target, clientId);
  if (client) return client;
  if (looksLikeClientIdUrl(clientId)) throw new CommandFailure(`${clientId} is a client ID metadata document URL: nothing is stored for it (the server fetches the document at each authorization); to stop it, revoke it (mcp-oauth revoke --client ${clientId}) or turn off registration.clientIdMetadataDocumentsEnabled`);
  throw new CommandFailure(`no client ${clientId} in ${target.description}${target.config ? '' : ' (configured clients are not known without --config)'}`);
}

function describeClient(client: ClientRecord): [string, string][] {
  return [
    ['client_id', client.clientId],
    ['source', client.source === 'static' ? 'static (clients[] of the config)' : client.source],
    ['name', client.clientName ?? '(none)'],
    ['auth method', client.tokenEndpointAuthMethod],
    ['secret', client.clientSecretHash ? 'yes (only its hash is stored)' : 'none (public client)'],
    ['redirect_uris', client.redirectUris.join(' ')],
    ['grant_types', client.grantTypes.join(' ')],
    ['scope', client.scope ?? '(any the server allows)'],
    ...(client.allowedScopes ? Object.entries(client.allowedScopes).map(([resource, scopes]): [string, string] => ['allowed scopes', `${resource}: ${scopes.join(' ')}`]) : []),
    ...(client.jwksUri ? [['jwks_uri', client.jwksUri] as [string, string]] : client.jwks ? [['jwks', `${client.jwks.keys.length} key(s)`] as [string, string]] : []),
    ...(client.applicationType ? [['application', client.applicationType] as [string, string]] : []),
    ...(client.clientUri ? [['client_uri', client.clientUri] as [string, string]] : []),
    ['created', client.source === 'static' ? '(config)' : formatTime(client.createdAt)],
    ['expires', client.expiresAt === undefined ? 'never' : formatTime(client.expiresAt)],
  ];
}
