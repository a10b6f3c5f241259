/**
 * The mcp-oauth dispatcher and shared parts, in process: exit codes (0 / 1 / 2), --help and
 * --version, usage errors naming the (sub)command's usage, colour only on a TTY without
 * NO_COLOR, and the output helpers. The commands against a running stack are in
 * test/e2e/cli-operator.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, COMMANDS } from '../../cli';
import { exactlyOne, expectPositionals, parseCommandArgs } from '../../cli/args';
import { maskSecrets } from '../../cli/config';
import { checkNode, javaMajorFrom } from '../../cli/doctor';
import { paletteFor, UsageError, type CliIo } from '../../cli/io';
import { deployedRotationSteps } from '../../cli/keys';
import { formatTime, table } from '../../cli/text';

interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

function captureIo(options: { tty?: boolean; env?: Record<string, string> } = {}): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text), isTTY: options.tty },
    stderr: { write: (text: string) => (err += text), isTTY: options.tty },
    env: options.env ?? {},
    out: () => out,
    err: () => err,
  };
}

const repoVersion = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).version;

describe('mcp-oauth', () => {
  it('--version prints the package version; --help lists every command; no command at all is a usage error', async () => {
    const version = captureIo();
    expect(await runCli(['--version'], version)).toBe(0);
    expect(version.out()).toBe(`${repoVersion}\n`);

    const help = captureIo();
    expect(await runCli(['--help'], help)).toBe(0);
    for (const command of COMMANDS) expect(help.out()).toMatch(new RegExp(`^  ${command.name} +\\S`, 'm'));
    expect(help.out()).toContain('exit status: 0 success, 1 failure, 2 usage error');

    const none = captureIo();
    expect(await runCli([], none)).toBe(2);
  });

  it('an unknown command, an unknown option and a missing argument are exit 2 with the usage that applies', async () => {
    const unknown = captureIo();
    expect(await runCli(['frobnicate'], unknown)).toBe(2);
    expect(unknown.err()).toMatch(/^mcp-oauth: unknown command "frobnicate"\n\nusage: mcp-oauth <command>/);

    const option = captureIo();
    expect(await runCli(['keys', 'list', '--verbose'], option)).toBe(2);
    expect(option.err()).toMatch(/^mcp-oauth keys: Unknown option '--verbose'/);
    expect(option.err()).toContain('usage: mcp-oauth keys list [--data-dir <dir>');

    const extra = captureIo();
    expect(await runCli(['config', 'check', 'a.json', 'b.json'], extra)).toBe(2);
    expect(extra.err()).toMatch(/^mcp-oauth config: unexpected argument "b.json"\n\nusage: mcp-oauth config check \[file\]/);

    const local = captureIo();
    expect(await runCli(['local', '--bogus'], local)).toBe(2);
    expect(local.err()).toMatch(/^mcp-oauth local: Unknown option '--bogus'.*\n\nusage: mcp-oauth local \[options\]/);

    const subcommand = captureIo();
    expect(await runCli(['keys', 'spin'], subcommand)).toBe(2);
    expect(subcommand.err()).toMatch(/^mcp-oauth keys: unknown keys subcommand "spin" \(one of list, rotate\)\n\nusage: mcp-oauth keys list/);
    expect(subcommand.out()).toBe('');
  });

  it('--help on every command and subcommand is exit 0 and prints its usage on stdout', async () => {
    const lines = [['doctor'], ['config', 'check'], ['keys', 'list'], ['keys', 'rotate'], ['keys'], ['revoke'], ['sessions', 'list'], ['sessions'], ['families', 'list'], ['families'], ['clients', 'list'], ['clients', 'show'], ['clients', 'delete'], ['clients'], ['config'], ['scan']];
    for (const line of lines) {
      const io = captureIo();
      expect({ line, code: await runCli([...line, '--help'], io) }).toEqual({ line, code: 0 });
      expect(io.out()).toMatch(/usage: mcp-oauth /);
      expect(io.err()).toBe('');
    }
  });

  it('a deployment without a region, or with local-mode options, is a usage error before anything is contacted', async () => {
    const io = captureIo();
    expect(await runCli(['keys', 'list', '--stack', 'McpOAuth-dev-AuthorizationServer'], io)).toBe(2);
    expect(io.err()).toMatch(/^mcp-oauth keys: no region: give --region or set AWS_REGION/);
    const revoke = captureIo();
    expect(await runCli(['revoke', '--user', 'alice', '--stack', 'McpOAuth-dev-AuthorizationServer'], revoke)).toBe(2);
    expect(revoke.err()).toMatch(/^mcp-oauth revoke: no region: give --region or set AWS_REGION\n\nusage: mcp-oauth revoke --user <sub>/);
    const mixed = captureIo();
    expect(await runCli(['clients', 'list', '--region', 'eu-west-1', '--table-prefix', 'x-'], mixed)).toBe(2);
    expect(mixed.err()).toMatch(/--dynamodb-endpoint and --table-prefix are for local mode/);
    const tablesOnly = captureIo();
    expect(await runCli(['sessions', 'list', '--user', 'a', '--region', 'eu-west-1', '--sessions-table', 's'], tablesOnly)).toBe(2);
    expect(tablesOnly.err()).toMatch(/^mcp-oauth sessions: no table name for clients, codes, families, revocations, assertions: give them with --clients-table/);
    const tableLocally = captureIo();
    expect(await runCli(['families', 'list', '--user', 'a', '--families-table', 'f'], tableLocally)).toBe(2);
    expect(tableLocally.err()).toMatch(/--families-table names a deployed table/);
  });
});

describe('config check', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cli-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the effective config with defaults filled in and secrets masked (exit 0)', async () => {
    const io = captureIo();
    expect(await runCli(['config', 'check', 'config/local.json'], io)).toBe(0);
    expect(io.out()).toMatch(/^OK config\/local.json: a valid config for local mode/);
    const effective = JSON.parse(io.out().slice(io.out().indexOf('{')));
    expect(effective.issuer).toBe('http://localhost:8787');
    expect(effective.upstream.clientSecret).toBe('(set, not shown)');
    expect(effective.local.devUsers.map((u: any) => u.password)).toEqual(['(set, not shown)', '(set, not shown)']);
    expect(io.out()).not.toContain('local-dev-idp-secret-not-for-production');
    // A default the file does not set, filled in:
    expect(effective.tokens.refreshTokenAbsoluteSeconds).toBe(7776000);
  });

  it('lists every problem by its dotted path and exits 1', async () => {
    const file = join(dir, 'bad.json');
    const config = JSON.parse(readFileSync('config/local.json', 'utf8'));
    config.resources[0].uri = 'not a url';
    config.guard.authorizerCacheTtlSeconds = -1;
    writeFileSync(file, JSON.stringify(config));
    const io = captureIo();
    expect(await runCli(['config', 'check', file], io)).toBe(1);
    expect(io.err()).toMatch(new RegExp(`^FAIL ${file.replace(/[.]/g, '\\.')}: \\d+ problem\\(s\\)\\n`));
    expect(io.err()).toMatch(/^ {2}resources\[0\]\.uri: /m);
    expect(io.err()).toMatch(/^ {2}guard\.authorizerCacheTtlSeconds: /m);
    expect(io.out()).toBe('');
  });

  it('a file that is not there or not JSON is exit 1 with one line', async () => {
    const io = captureIo();
    expect(await runCli(['config', 'check', join(dir, 'absent.json')], io)).toBe(1);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.err()).toContain('cannot read the config file');
  });

  it('masks every string under a secret-named option, however deep', () => {
    expect(maskSecrets({ a: 'x', clientSecret: 'y', backend: { sharedSecret: { value: 'z', header: 'h' } }, users: [{ password: 'p', name: 'n' }] })).toEqual({
      a: 'x',
      clientSecret: '(set, not shown)',
      backend: { sharedSecret: { value: '(set, not shown)', header: '(set, not shown)' } },
      users: [{ password: '(set, not shown)', name: 'n' }],
    });
  });
});

describe('keys (local mode)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cli-keys-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('list before local mode ran, rotate twice, list: the active key and one previous key, by kid', async () => {
    const empty = captureIo();
    expect(await runCli(['keys', 'list', '--data-dir', dir], empty)).toBe(0);
    expect(empty.out()).toMatch(/^no signing key in .* yet: local mode creates one on its first start/);

    const first = captureIo();
    expect(await runCli(['keys', 'rotate', '--data-dir', dir], first)).toBe(0);
    const firstKid = /^created signing key (\S+) in /.exec(first.out())![1]!;
    const second = captureIo();
    expect(await runCli(['keys', 'rotate', '--data-dir', dir], second)).toBe(0);
    const secondKid = /^created signing key (\S+) in /.exec(second.out())![1]!;
    expect(second.out()).toContain(`kept ${firstKid} as the previous key: still published`);
    expect(second.out()).toContain('restart local mode');

    const listed = captureIo();
    expect(await runCli(['keys', 'list', '--data-dir', dir], listed)).toBe(0);
    expect(listed.out()).toMatch(new RegExp(`^${secondKid} +active \\(signs\\) +.*signing-key\\.pem$`, 'm'));
    expect(listed.out()).toMatch(new RegExp(`^${firstKid} +previous \\(published\\) +.*signing-key\\.previous\\.pem$`, 'm'));
  });
});

describe('argument parsing', () => {
  it('turns parseArgs errors into usage errors and adds --help', () => {
    expect(() => parseCommandArgs(['--nope'], {})).toThrow(UsageError);
    expect(parseCommandArgs(['-h'], {}).values.help).toBe(true);
    expect(parseCommandArgs(['--user', 'alice'], { user: { type: 'string' } }).values.user).toBe('alice');
  });

  it('exactlyOne: one of the options, with a value', () => {
    expect(exactlyOne({ user: 'alice' }, ['user', 'client', 'family'])).toEqual({ name: 'user', value: 'alice' });
    expect(() => exactlyOne({}, ['user', 'client'])).toThrow('give exactly one of --user, --client');
    expect(() => exactlyOne({ user: 'a', client: 'b' }, ['user', 'client'])).toThrow('(got --user and --client)');
    expect(() => exactlyOne({ user: ' ' }, ['user'])).toThrow('--user needs a value');
  });

  it('expectPositionals names what is missing and what is extra', () => {
    expect(expectPositionals(['a'], ['id'])).toEqual(['a']);
    expect(() => expectPositionals([], ['id'])).toThrow('missing <id>');
    expect(() => expectPositionals(['a', 'b'], ['id'])).toThrow('unexpected argument "b"');
  });
});

describe('output', () => {
  it('colour only on a TTY, and never with NO_COLOR (even empty)', () => {
    expect(paletteFor({ write: () => true, isTTY: true }, {}).ok('OK')).toBe('\u001b[32mOK\u001b[0m');
    expect(paletteFor({ write: () => true, isTTY: true }, { NO_COLOR: '' }).ok('OK')).toBe('OK');
    expect(paletteFor({ write: () => true }, {}).fail('FAIL')).toBe('FAIL');
  });

  it('doctor prints OK/FAIL lines in colour on a terminal only', async () => {
    const tty = captureIo({ tty: true });
    await runCli(['doctor'], tty);
    expect(tty.out()).toMatch(/\u001b\[3[12]m(OK {2}|FAIL)\u001b\[0m {2}Node /);
    const piped = captureIo();
    await runCli(['doctor'], piped);
    expect(piped.out()).toMatch(/^(OK {2}|FAIL) {2}Node /);
    expect(piped.out()).not.toContain('\u001b[');
  });

  it('aligns columns and prints times in UTC', () => {
    expect(table(['a', 'bb'], [['xxx', 'y'], ['z', 'w']])).toEqual(['a    bb', 'xxx  y', 'z    w']);
    expect(formatTime(0)).toBe('1970-01-01 00:00:00Z');
  });

  it('doctor reads versions: Node against engines, Java from `java -version`', () => {
    expect(checkNode('20.19.0', '>=20.19').ok).toBe(true);
    expect(checkNode('20.18.3', '>=20.19')).toMatchObject({ ok: false, fix: expect.stringContaining('Node 20.19 or later') });
    expect(checkNode('22.1.0', '>=20.19').what).toBe('Node 22.1.0 (needs >=20.19)');
    expect(javaMajorFrom('openjdk version "17.0.12" 2024-07-16')).toBe(17);
    expect(javaMajorFrom('java version "1.8.0_392"')).toBe(8);
    expect(javaMajorFrom('nothing')).toBeUndefined();
  });

  it('keys rotate for a deployment prints the documented steps with the stack\'s names', () => {
    const lines = deployedRotationSteps('McpOAuth-prod-AuthorizationServer', [{ alias: 'alias/mcp-oauth/prod/k2026a', name: 'k2026a', active: true }]);
    expect(lines[0]).toBe('stack McpOAuth-prod-AuthorizationServer signs with "k2026a".');
    expect(lines.join('\n')).toMatch(/1\. publish the next key: {2}"signingKeys": \{ "keys": \["k2026a", "(k\d{4}-\d+)"\], "active": "k2026a" \}/);
    expect(lines.join('\n')).toContain('docs/key-rotation.md');
  });
});
