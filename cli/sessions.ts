/** `mcp-oauth sessions list --user <sub>`: a user's login sessions at the authorization server. */
import { listLoginSessions } from '../lambda/core/authorization-server/access-revocation';
import { createDynamoDbStores } from '../lambda/adapters/dynamodb/dynamodb-stores';
import { expectPositionals, exactlyOne, parseOrHelp } from './args';
import type { Command, Subcommand } from './command';
import { EXIT, printer } from './io';
import { runSubcommand } from './subcommands';
import { TARGET_HELP, TARGET_OPTIONS, withTarget } from './target';
import { formatTime, table } from './text';

const SUMMARY = 'Login sessions at the authorization server (the browser cookie that skips the upstream login).';

const list: Subcommand = {
  name: 'list',
  usage: `usage: mcp-oauth sessions list --user <sub> [target options]

Lists the user's login sessions, expired ones waiting for TTL included. A session is named
by the first characters of its hash (the cookie itself is never stored).

options:
  --user <sub>  the user, as the tokens name them
  -h, --help    this text

${TARGET_HELP}`,
  async run(args, io) {
    const parsed = parseOrHelp(args, { ...TARGET_OPTIONS, user: { type: 'string' } }, this.usage, io);
    if (!parsed) return EXIT.ok;
    expectPositionals(parsed.positionals, []);
    const { value: subject } = exactlyOne(parsed.values, ['user']);
    const print = printer(io);
    return withTarget(parsed.values, io.env, async (target) => {
      const now = Math.floor(Date.now() / 1000);
      const sessions = [...(await listLoginSessions(createDynamoDbStores(target.dynamoDb, target.tableNames), subject))].sort((a, b) => b.authTime - a.authTime);
      const live = sessions.filter((s) => s.expiresAt > now).length;
      print(`${live} live login session(s) of user ${subject} in ${target.description}${sessions.length > live ? ` (and ${sessions.length - live} expired)` : ''}`);
      if (sessions.length) {
        print();
        for (const line of table(['session', 'account', 'groups', 'signed in', 'expires', 'state'], sessions.map((s) => [s.sessionHash.slice(0, 12), s.accountName ?? '', s.groups.join(',') || '-', formatTime(s.authTime), formatTime(s.expiresAt), s.expiresAt > now ? 'live' : 'expired']))) print(line);
      }
      return EXIT.ok;
    });
  },
};

export const sessionsCommand: Command = {
  name: 'sessions',
  summary: 'list --user <sub>: a user\'s login sessions at the authorization server',
  run: (args, io) => runSubcommand('sessions', [list], SUMMARY, args, io),
};
