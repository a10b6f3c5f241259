/** `mcp-oauth families list --user <sub> | --client <id>`: refresh token families, each a chain of rotated refresh tokens. */
import { listFamilies } from '../lambda/core/authorization-server/access-revocation';
import type { RefreshFamilyRecord } from '../lambda/core/ports';
import { createDynamoDbStores } from '../lambda/adapters/dynamodb/dynamodb-stores';
import { expectPositionals, exactlyOne, parseOrHelp } from './args';
import type { Command, Subcommand } from './command';
import { EXIT, printer } from './io';
import { runSubcommand } from './subcommands';
import { TARGET_HELP, TARGET_OPTIONS, withTarget } from './target';
import { formatTime, table } from './text';

const SUMMARY = 'Refresh token families: one per authorization, rotated at each refresh.';

const list: Subcommand = {
  name: 'list',
  usage: `usage: mcp-oauth families list --user <sub> | --client <client_id> [target options]

Lists the refresh token families of a user or a client, revoked and expired ones included,
newest first. The family id is the "fid" claim of the access tokens it minted
(mcp-oauth revoke --family <id> ends one).

options:
  --user <sub>           the user, as the tokens name them
  --client <client_id>   the client
  -h, --help             this text

${TARGET_HELP}`,
  async run(args, io) {
    const parsed = parseOrHelp(args, { ...TARGET_OPTIONS, user: { type: 'string' }, client: { type: 'string' } }, this.usage, io);
    if (!parsed) return EXIT.ok;
    expectPositionals(parsed.positionals, []);
    const { name, value } = exactlyOne(parsed.values, ['user', 'client']);
    const print = printer(io);
    return withTarget(parsed.values, io.env, async (target) => {
      const now = Math.floor(Date.now() / 1000);
      const owner = name === 'user' ? { subject: value } : { clientId: value };
      const families = [...(await listFamilies(createDynamoDbStores(target.dynamoDb, target.tableNames), owner))].sort((a, b) => b.createdAt - a.createdAt);
      const live = families.filter((f) => stateOf(f, now) === 'live').length;
      print(`${live} live refresh token famil${live === 1 ? 'y' : 'ies'} of ${name} ${value} in ${target.description}${families.length > live ? ` (and ${families.length - live} revoked or expired)` : ''}`);
      if (families.length) {
        print();
        const other = name === 'user' ? 'client' : 'user';
        for (const line of table(['family', other, 'scope', 'created', 'last used', 'rotations', 'state'], families.map((f) => [f.familyId, name === 'user' ? f.clientId : f.subject, f.scope.join(' '), formatTime(f.createdAt), formatTime(f.lastUsedAt), String(f.generation), stateOf(f, now)]))) print(line);
      }
      return EXIT.ok;
    });
  },
};

export const familiesCommand: Command = {
  name: 'families',
  summary: 'list --user <sub> | --client <id>: refresh token families',
  run: (args, io) => runSubcommand('families', [list], SUMMARY, args, io),
};

function stateOf(family: RefreshFamilyRecord, now: number): string {
  if (family.revokedAt !== undefined) return `revoked ${formatTime(family.revokedAt)}`;
  return family.expiresAt > now ? 'live' : 'expired';
}
