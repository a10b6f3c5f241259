/**
 * Builds what the npm package ships (`npm run build`; `npm pack` runs it through prepack):
 *
 * - dist/: the TypeScript of bin/mcp-oauth.ts, cli/, lib/, lambda/, local/ and schema/
 *   compiled to CommonJS with .d.ts (tsconfig.build.json), the edge functions' plain
 *   JavaScript copied beside them, and the CLI made executable with a node shebang;
 * - dist/bundles/<handler>/index.js: every Lambda handler bundled as the CDK app bundles it
 *   at synth (FUNCTION_BUNDLING), which OAuthFunction deploys when present, so a consumer's
 *   `cdk synth` needs neither the sources nor esbuild nor Docker.
 *
 * Tests keep running the TypeScript sources through ts-jest; nothing here is needed for them.
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FUNCTION_BUNDLING } from '../lib/definitions/bundling';
import { BUNDLE_FILE, HANDLER_ENTRIES, type HandlerName } from '../lib/constructs/handler-entries';

const ROOT = join(__dirname, '..');
const DIST = join(ROOT, 'dist');
const CLI = join(DIST, 'bin', 'mcp-oauth.js');

function compile(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
}

/** tsc compiles TypeScript only; the edge functions are deployed (and emulated) as the plain files they are. */
function copyEdgeFunctions(): void {
  const from = join(ROOT, 'lambda', 'edge');
  const to = join(DIST, 'lambda', 'edge');
  mkdirSync(to, { recursive: true });
  for (const file of readdirSync(from).filter((f) => f.endsWith('.js'))) copyFileSync(join(from, file), join(to, file));
}

/** The source runs under tsx in the repository; the installed command runs the compiled file under node. */
function makeCliExecutable(): void {
  const code = readFileSync(CLI, 'utf8').replace(/^#!.*\n/, '');
  writeFileSync(CLI, `#!/usr/bin/env node\n${code}`);
  chmodSync(CLI, 0o755);
}

async function bundleHandlers(): Promise<void> {
  for (const [name, entry] of Object.entries(HANDLER_ENTRIES) as [HandlerName, string][]) {
    await build({
      entryPoints: [entry],
      outfile: join(DIST, 'bundles', name, BUNDLE_FILE),
      bundle: true,
      platform: FUNCTION_BUNDLING.platform,
      target: FUNCTION_BUNDLING.target,
      format: FUNCTION_BUNDLING.format,
      minify: FUNCTION_BUNDLING.minify,
      external: [...FUNCTION_BUNDLING.external],
      sourcemap: true,
      sourcesContent: false,
      logLevel: 'warning',
    });
  }
}

async function main(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  compile();
  copyEdgeFunctions();
  makeCliExecutable();
  await bundleHandlers();
  console.log('built dist/ (compiled sources, declarations, the CLI and the prebuilt Lambda bundles)');
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
