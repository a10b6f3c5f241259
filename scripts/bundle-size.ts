/**
 * Bundles every Lambda entry the way the CDK app does (esbuild, minified, CommonJS, Node 24,
 * the AWS SDK left to the runtime) and prints each bundle's size. The authorizer runs on
 * every MCP request, so its cold start matters most: target under 150 KB minified.
 *
 *   npx tsx scripts/bundle-size.ts            prints a Markdown table
 *   npx tsx scripts/bundle-size.ts --check    exits 1 when a bundle exceeds its budget (npm test runs this)
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { HANDLER_ENTRIES, type HandlerName } from '../lib/constructs/handler-entries';
import { FUNCTION_BUNDLING } from '../lib/definitions/bundling';

const BUDGET_BYTES: Partial<Record<HandlerName, number>> = { authorizer: 150 * 1024, authorizationServer: 300 * 1024 };

async function main(): Promise<void> {
  const rows: { name: HandlerName; bytes: number; gzip: number; budget?: number }[] = [];
  for (const [name, entry] of Object.entries(HANDLER_ENTRIES) as [HandlerName, string][]) {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      ...FUNCTION_BUNDLING,
      external: [...FUNCTION_BUNDLING.external],
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.contents;
    rows.push({ name, bytes: code.length, gzip: gzipSync(code).length, budget: BUDGET_BYTES[name] });
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log('| Function | Minified | Gzipped | Budget |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.name} | ${kb(row.bytes)} | ${kb(row.gzip)} | ${row.budget ? kb(row.budget) : '-'} |`);
  const over = rows.filter((r) => r.budget !== undefined && r.bytes > r.budget);
  if (process.argv.includes('--check') && over.length) {
    console.error(`over budget: ${over.map((r) => r.name).join(', ')}`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
