/**
 * `mcp-oauth keys list | rotate`: the signing keys. Locally, the key files of local mode's
 * data folder (lambda/adapters/local-key): rotate makes a new key active and keeps the old
 * one published. For a deployment (--stack), the KMS aliases of its outputs; rotate prints
 * the documented procedure (docs/key-rotation.md) with this stack's names, since keys are
 * configuration: the CLI never changes AWS behind CloudFormation's back.
 */
import { join } from 'node:path';
import { KMSClient, ListAliasesCommand } from '@aws-sdk/client-kms';
import { LocalKeySigner } from '../lambda/adapters/local-key/local-key-signer';
import { DEFAULT_DATA_DIR } from '../local/local-command';
import { SIGNING_KEY_FILE } from '../local/local-stack';
import { expectPositionals, parseOrHelp } from './args';
import type { Command, Subcommand } from './command';
import { CommandFailure, EXIT, UsageError, printer, type CliIo } from './io';
import { runSubcommand } from './subcommands';
import { describeStackOutputs, oneLine } from './target';
import { table } from './text';

const SUMMARY = 'The keys that sign access tokens: local mode\'s key files, or a deployment\'s KMS keys.';

const KEY_OPTIONS = {
  'data-dir': { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
} as const;

const KEY_TARGET_HELP = `options:
  --data-dir <dir>   local mode's data folder (default: ${DEFAULT_DATA_DIR})
  --stack <name>     a deployed authorization server stack instead (its KMS aliases)
  --region <region>  its region (default: AWS_REGION)
  -h, --help         this text`;

const list: Subcommand = {
  name: 'list',
  usage: `usage: mcp-oauth keys list [--data-dir <dir> | --stack <name> [--region <region>]]\n\nLists the published signing keys and which one signs.\n\n${KEY_TARGET_HELP}`,
  async run(args, io) {
    const parsed = parseOrHelp(args, KEY_OPTIONS, this.usage, io);
    if (!parsed) return EXIT.ok;
    expectPositionals(parsed.positionals, []);
    const { stack } = parsed.values;
    const print = printer(io);
    if (stack !== undefined) {
      const keys = await deployedKeys(stack, regionOf(parsed.values.region, io));
      print(`${keys.length} signing key(s) of stack ${stack} (KMS; the JWKS publishes each)`);
      print();
      for (const line of table(['alias', 'role', 'key id'], keys.map((k) => [k.alias, k.active ? 'active (signs)' : 'published', k.keyId ?? '(alias not found in KMS)']))) print(line);
      return EXIT.ok;
    }
    const path = localKeyPath(parsed.values['data-dir']);
    const files = LocalKeySigner.list(path);
    if (!files.length) {
      print(`no signing key in ${path} yet: local mode creates one on its first start (npm start)`);
      return EXIT.ok;
    }
    print(`${files.length} signing key(s) of local mode (the JWKS publishes each)`);
    print();
    for (const line of table(['kid', 'role', 'file'], files.map((f) => [f.kid, f.role === 'active' ? 'active (signs)' : 'previous (published)', f.path]))) print(line);
    return EXIT.ok;
  },
};

const rotate: Subcommand = {
  name: 'rotate',
  usage: `usage: mcp-oauth keys rotate [--data-dir <dir> | --stack <name> [--region <region>]]

Locally: creates a new key that signs from local mode's next start; the old key stays
published so the tokens it signed still verify (an older previous key is dropped).
For a deployment: prints the two-deployment procedure of docs/key-rotation.md with the
stack's key names; keys are configuration, so nothing in AWS is changed by this command.

${KEY_TARGET_HELP}`,
  async run(args, io) {
    const parsed = parseOrHelp(args, KEY_OPTIONS, this.usage, io);
    if (!parsed) return EXIT.ok;
    expectPositionals(parsed.positionals, []);
    const { stack } = parsed.values;
    const print = printer(io);
    if (stack !== undefined) {
      for (const line of deployedRotationSteps(stack, await deployedKeys(stack, regionOf(parsed.values.region, io)))) print(line);
      return EXIT.ok;
    }
    const path = localKeyPath(parsed.values['data-dir']);
    const rotation = LocalKeySigner.rotate(path);
    print(`created signing key ${rotation.active} in ${path}: it signs from local mode's next start`);
    if (rotation.previous) print(`kept ${rotation.previous} as the previous key: still published, so tokens it signed verify until they expire`);
    if (rotation.dropped) print(`dropped the older previous key ${rotation.dropped}: tokens it signed no longer verify`);
    print('restart local mode (Ctrl+C, npm start) to sign with the new key');
    return EXIT.ok;
  },
};

export const keysCommand: Command = {
  name: 'keys',
  summary: 'list | rotate: the signing keys (local key files, or a stack\'s KMS aliases)',
  run: (args, io) => runSubcommand('keys', [list, rotate], SUMMARY, args, io),
};

function localKeyPath(dataDir: string | undefined): string {
  return join(dataDir ?? DEFAULT_DATA_DIR, SIGNING_KEY_FILE);
}

function regionOf(flag: string | undefined, io: CliIo): string {
  const region = flag ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
  if (!region) throw new UsageError('no region: give --region or set AWS_REGION');
  return region;
}

interface DeployedKey {
  readonly alias: string;
  readonly name: string;
  readonly active: boolean;
  readonly keyId?: string;
}

async function deployedKeys(stack: string, region: string): Promise<DeployedKey[]> {
  const outputs = await describeStackOutputs(stack, region);
  const aliases = outputs.SigningKeyAliases?.split(',').filter(Boolean);
  if (!aliases?.length) throw new CommandFailure(`the stack ${stack} does not output SigningKeyAliases: deploy this version of the stacks first`);
  const kms = new KMSClient({ region, maxAttempts: 2, requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 } });
  const targets = new Map<string, string | undefined>();
  try {
    let marker: string | undefined;
    for (let page = 0; page < 50; page++) {
      const result = await kms.send(new ListAliasesCommand({ Marker: marker }));
      for (const alias of result.Aliases ?? []) if (alias.AliasName) targets.set(alias.AliasName, alias.TargetKeyId);
      if (!result.Truncated) break;
      marker = result.NextMarker;
    }
  } catch (error) {
    throw new CommandFailure(`cannot list the KMS aliases in ${region}: ${oneLine(error)}`);
  } finally {
    kms.destroy();
  }
  return aliases.map((alias) => ({ alias, name: alias.slice(alias.lastIndexOf('/') + 1), active: alias === outputs.ActiveSigningKeyAlias, keyId: targets.get(alias) }));
}

/** docs/key-rotation.md "Steps", with the stack's key names filled in. */
export function deployedRotationSteps(stack: string, keys: readonly DeployedKey[]): string[] {
  const names = keys.map((k) => k.name);
  const active = keys.find((k) => k.active)?.name ?? names[0]!;
  const next = nextKeyName(names);
  const json = (keyNames: readonly string[], activeName: string) => `"signingKeys": { "keys": [${keyNames.map((n) => `"${n}"`).join(', ')}], "active": "${activeName}" }`;
  const others = names.filter((n) => n !== active);
  return [
    `stack ${stack} signs with "${active}"${others.length ? ` and publishes ${others.map((n) => `"${n}"`).join(', ')}` : ''}.`,
    'Signing keys are deployment settings (deploy.signingKeys); this command changes nothing in AWS. Rotate in three deployments (docs/key-rotation.md):',
    '',
    `1. publish the next key:  ${json([active, next], active)}`,
    '   npx cdk deploy --all; check that <issuer>/.well-known/jwks.json lists both keys',
    `2. switch signing:        ${json([active, next], next)}`,
    '   npx cdk deploy --all (wait one access token lifetime after step 1 for third-party JWKS caches)',
    `3. retire the old key:    ${json([next], next)}`,
    '   npx cdk deploy --all once tokens.accessTokenSeconds + guard.clockSkewSeconds have passed since step 2',
    '',
    'A key suspected compromised: docs/key-rotation.md, "Emergency rotation".',
  ];
}

function nextKeyName(names: readonly string[]): string {
  for (let i = 2; ; i++) {
    const candidate = `k${new Date().getUTCFullYear()}-${i}`;
    if (!names.includes(candidate)) return candidate;
  }
}
