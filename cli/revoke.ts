/**
 * `mcp-oauth revoke --user <sub> | --client <client_id> | --family <fid> [--reason TEXT]`:
 * ends access at one instant T (revokeAccess, lambda/core/authorization-server/access-revocation.ts)
 * and says what it did and when the last guard refuses the old tokens.
 *
 * Revoking what has nothing (an unknown user, a client nobody registered) is not an error:
 * the record is written anyway, so a token of it that the listings missed is refused too,
 * and the counts say 0.
 */
import { userInfo } from 'node:os';
import { revokeAccess, worstCaseRevocationDelaySeconds, type RevocationTarget } from '../lambda/core/authorization-server/access-revocation';
import { ConsoleAuditSink } from '../lambda/adapters/observability/console-audit-sink';
import { operatorStores } from '../lambda/adapters/wiring/operator-stores';
import { exactlyOne, expectPositionals, parseOrHelp } from './args';
import { lookUpClient } from './clients';
import type { Command } from './command';
import { EXIT, UsageError, paletteFor, printer } from './io';
import { TARGET_HELP, TARGET_OPTIONS, withTarget } from './target';
import { formatTime } from './text';

const USAGE = `usage: mcp-oauth revoke --user <sub> | --client <client_id> | --family <family_id> [--reason <text>] [target options]

Ends access now, at one instant T: every access token and refresh token issued before T to
the user (the "sub" of the tokens), the client or the refresh family is refused at /token and
/introspect at once and by every guard within the revocation delay (printed). Revoking a
user also ends their login sessions at the authorization server and forgets their
remembered consents, so their next authorization needs a fresh login at the upstream IdP;
revoking a client forgets the consents given to it.

options:
  --user <sub>           the user, as the tokens name them (whoami's "sub")
  --client <client_id>   the client
  --family <family_id>   one refresh token family (the "fid" claim of its access tokens)
  --reason <text>        kept in the revocation record and the audit line
                         (default: "mcp-oauth revoke by <your login name>")
  -h, --help             this text

${TARGET_HELP}`;

const KINDS = { user: 'subject', client: 'client', family: 'family' } as const;

export const revokeCommand: Command = {
  name: 'revoke',
  usage: USAGE,
  summary: '--user <sub> | --client <id> | --family <fid>: end access now',
  async run(args, io) {
    const parsed = parseOrHelp(args, { ...TARGET_OPTIONS, user: { type: 'string' }, client: { type: 'string' }, family: { type: 'string' }, reason: { type: 'string' } }, USAGE, io);
    if (!parsed) return EXIT.ok;
    expectPositionals(parsed.positionals, []);
    const { name, value } = exactlyOne(parsed.values, ['user', 'client', 'family']);
    const reason = parsed.values.reason?.trim() || `mcp-oauth revoke by ${loginName()}`;
    const target: RevocationTarget = { kind: KINDS[name], value };
    const print = printer(io);
    const colours = paletteFor(io.stdout, io.env);
    return withTarget(parsed.values, io.env, async (where) => {
      const settings = where.settings;
      if (!settings) throw new UsageError('revoking needs the deployed token lifetimes: give --stack (its OperatorSettings output) or --config <the product config you deployed>');
      const stores = operatorStores({ dynamodb: where.dynamoDb, tables: where.tableNames, config: settings, audit: new ConsoleAuditSink(print) });
      const known = target.kind === 'client' ? await lookUpClient(where, value) : undefined;
      const outcome = await revokeAccess(stores, target, { reason, now: Math.floor(Date.now() / 1000) });
      const delay = worstCaseRevocationDelaySeconds(settings.guard);
      print(`${colours.bold('revoked')} ${name} ${value} in ${where.description} at ${formatTime(outcome.revokedAt)} (T); reason: ${reason}`);
      print(`  refresh families revoked:       ${outcome.familiesRevoked}`);
      print(`  login sessions ended:           ${outcome.sessionsEnded}${target.kind === 'subject' ? '' : ' (only revoke --user ends sessions)'}`);
      print(`  remembered consents forgotten:  ${outcome.consentsForgotten}`);
      if (outcome.familiesRevoked + outcome.sessionsEnded + outcome.consentsForgotten === 0) print(nothingFound(name, value, Boolean(known) || target.kind !== 'client'));
      print(`/token and /introspect refuse tokens issued before T now; every guard refuses them within ${delay} s (by ${formatTime(outcome.revokedAt + delay)}):`);
      print(`  guard.authorizerCacheTtlSeconds ${settings.guard.authorizerCacheTtlSeconds} + guard.revocationCacheTtlSeconds ${settings.guard.revocationCacheTtlSeconds}`);
      if (target.kind === 'subject') print('their next authorization needs a fresh login at the upstream IdP (prompt=login, max_age=0); to stop new logins too, disable the user there');
      if (target.kind === 'client') print(`new authorizations of the client ask every user for consent again; to stop it for good: mcp-oauth clients delete ${value} (a registered client), or remove it from the config`);
      return EXIT.ok;
    });
  },
};

function nothingFound(name: string, value: string, known: boolean): string {
  const what = name === 'family' ? `no live refresh family ${value} was found` : `nothing live of ${name} ${value} was found (no family, session or consent)`;
  const client = known ? '' : ` ${value} is neither configured nor registered (a deleted client, or a client ID metadata document URL?).`;
  return `note: ${what}.${client} The revocation is written anyway: any token of it issued before T is refused.`;
}

function loginName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'an operator';
  }
}
