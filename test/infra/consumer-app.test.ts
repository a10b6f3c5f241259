/**
 * The package as a platform team gets it: `npm pack` (which builds it through prepack), the
 * tarball installed by file path into a temporary copy of examples/consumer-app (not a
 * workspace link, and from npm's cache where it can: --prefer-offline), then `cdk synth`
 * there and the `mcp-oauth` command of the installed package. The consumer has no esbuild
 * and no sources of this repository, so the synthesized functions must be the prebuilt
 * bundles the package ships.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const EXAMPLE = join(ROOT, 'examples', 'consumer-app');
const CDK_CLI = join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

const quietNpm = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', npm_config_loglevel: 'error' };

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', env: quietNpm, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

describe('the packed package in a consumer CDK app', () => {
  let work: string;
  let app: string;
  let packed: { filename: string; size: number; entryCount: number; files: { path: string }[] };

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mcp-oauth-consumer-'));
    const output = run('npm', ['pack', '--json', '--pack-destination', work], ROOT);
    // prepack's own output comes first; the JSON report is the last thing npm prints.
    [packed] = JSON.parse(output.slice(output.lastIndexOf('\n[') + 1)) as (typeof packed)[];
    app = join(work, 'app');
    cpSync(EXAMPLE, app, { recursive: true, filter: (source) => !/node_modules|cdk\.out/.test(source) });
    run('npm', ['install', '--prefer-offline', '--no-package-lock', join(work, packed.filename)], app);
  }, 600_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships what users need and nothing of the tests', () => {
    const paths = packed.files.map((f) => f.path);
    console.log(`${packed.filename}: ${(packed.size / 1024).toFixed(0)} KB packed, ${packed.entryCount} files`);
    for (const needed of ['package.json', 'README.md', 'LICENSE', 'schema/config.schema.json', 'dist/lib/index.js', 'dist/lib/index.d.ts', 'dist/lambda/guard/index.js', 'dist/cli/index.js', 'dist/bin/mcp-oauth.js', 'dist/lambda/edge/restore-challenge.js']) {
      expect(paths).toContain(needed);
    }
    for (const handler of ['authorizationServer', 'authorizer', 'protectedResourceMetadata', 'demoMcpServer', 'mcpStep']) expect(paths).toContain(`dist/bundles/${handler}/index.js`);
    expect(paths.filter((p) => /(^|\/)test\/|\.test\.|\.ts$/.test(p) && !p.endsWith('.d.ts'))).toEqual([]);
  });

  it('installs from the tarball with its peers from the app, and no build tool comes with it', () => {
    const installed = JSON.parse(readFileSync(join(app, 'node_modules', 'mcp-oauth-aws', 'package.json'), 'utf8')) as { version: string; peerDependencies: Record<string, string> };
    expect(installed.version).toBe(version);
    expect(Object.keys(installed.peerDependencies)).toEqual(expect.arrayContaining(['aws-cdk-lib', 'constructs']));
    expect(existsSync(join(app, 'node_modules', 'esbuild'))).toBe(false);
    expect(existsSync(join(app, 'node_modules', 'typescript'))).toBe(false);
  });

  it('synthesizes the authorization server and the protected MCP server from the prebuilt bundles', () => {
    run(process.execPath, [CDK_CLI, 'synth', '--quiet'], app);
    const out = join(app, 'cdk.out');
    const templates = readdirSync(out).filter((f) => f.endsWith('.template.json'));
    expect(templates).toEqual(expect.arrayContaining(['TeamAuth.template.json', 'TeamTools.template.json']));
    const auth = JSON.parse(readFileSync(join(out, 'TeamAuth.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
    const types = Object.values(auth.Resources).map((r) => r.Type);
    for (const type of ['AWS::ApiGateway::RestApi', 'AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::WAFv2::WebACL', 'AWS::CloudFront::Distribution', 'AWS::CloudWatch::Dashboard']) expect(types).toContain(type);
    const functions = Object.values(auth.Resources).filter((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler');
    expect(functions.length).toBeGreaterThanOrEqual(3);
    expect(new Set(functions.map((f) => f.Properties.Runtime))).toEqual(new Set(['nodejs24.x']));
    // Each function asset is a prebuilt bundle with the product configuration beside it.
    const assets = readdirSync(out).filter((f) => f.startsWith('asset.') && existsSync(join(out, f, 'mcp-oauth.config.json')));
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) expect(readdirSync(join(out, asset)).sort()).toEqual(['index.js', 'index.js.map', 'mcp-oauth.config.json']);
    const tools = readFileSync(join(out, 'TeamTools.template.json'), 'utf8');
    expect(tools).toContain('AWS::ApiGateway::Authorizer');
  }, 300_000);

  it('runs the installed mcp-oauth command: --version, config check and doctor', () => {
    expect(run('npx', ['--no-install', 'mcp-oauth', '--version'], app).trim()).toBe(version);
    const check = run('npx', ['--no-install', 'mcp-oauth', 'config', 'check', 'mcp-oauth.json'], app);
    expect(check).toContain('https://auth.example.com');
    const doctor = spawnSync('npx', ['--no-install', 'mcp-oauth', 'doctor'], { cwd: app, encoding: 'utf8', env: quietNpm });
    // Its verdict depends on this machine (Java, free ports); that it runs and reports each check does not.
    expect([0, 1]).toContain(doctor.status);
    expect(doctor.stdout).toMatch(/node/i);
    expect(doctor.stdout + doctor.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  }, 120_000);
});
