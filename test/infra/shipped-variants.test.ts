/**
 * Every configuration this repository ships synthesizes through bin/app.ts exactly as
 * `npx cdk synth` runs it (cdk.json's context plus the variant's, cdk-nag's AwsSolutions
 * pack as a validation plugin that fails synth on any unacknowledged finding), and cdk.json
 * holds no placeholder: the defaults deploy unchanged, the examples are files of their own.
 * Bundling is skipped (it is proven by test/infra/mcp-oauth-app.test.ts); everything else
 * is the real app.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const CDK_JSON = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8'));

/** The shipped variants: cdk.json as it is (no custom domain, Cognito), and each example file. */
const VARIANTS: Record<string, Record<string, unknown>> = {
  'cdk.json defaults (no custom domain, Cognito)': {},
  'custom domains through the edge (config/deploy.custom-domain.example.json)': { deployFile: 'config/deploy.custom-domain.example.json' },
  'regional custom domains without the edge (config/deploy.regional.example.json)': { deployFile: 'config/deploy.regional.example.json' },
  'an external IdP in production (config/aws-external-idp.example.json)': { configFile: 'config/aws-external-idp.example.json', stage: 'prod', deployFile: 'config/deploy.custom-domain.example.json' },
};

async function synth(extra: Record<string, unknown>): Promise<{ stacks: string[]; templates: Record<string, any> }> {
  const outdir = mkdtempSync(join(tmpdir(), 'mcp-oauth-variant-'));
  try {
    const context = { ...CDK_JSON.context, account: '111122223333', region: 'eu-west-1', ...extra, 'aws:cdk:bundling-stacks': [] };
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bin', 'app.ts')], {
      cwd: ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
      timeout: 120_000,
    });
    const files = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
    return { stacks: files.map((f) => f.replace('.template.json', '')), templates: Object.fromEntries(files.map((f) => [f, JSON.parse(readFileSync(join(outdir, f), 'utf8'))])) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('every shipped configuration', () => {
  it.each(Object.entries(VARIANTS))('synthesizes cdk-nag-clean through bin/app.ts: %s', async (_name, extra) => {
    const { stacks } = await synth(extra);
    expect(stacks).toEqual(expect.arrayContaining(['McpOAuth-ApiGatewayAccount', expect.stringMatching(/^McpOAuth-(dev|prod)-AuthorizationServer$/), expect.stringMatching(/^McpOAuth-(dev|prod)-DemoMcpServer$/)]));
  }, 180_000);

  it('fails synth with the option named when a setting is wrong', async () => {
    await expect(synth({ deploy: { edge: 'yes' } })).rejects.toMatchObject({ stderr: expect.stringContaining('deploy.edge: must be true or false') });
  }, 120_000);

  it('ships a cdk.json whose context holds no placeholder domain, account or certificate', () => {
    const text = JSON.stringify(CDK_JSON.context);
    expect(text).not.toMatch(/example\.(com|org)|111122223333|00000000-0000|certificate\//);
    expect(CDK_JSON.context.configFile).toBe('config/aws.example.json');
  });
});
