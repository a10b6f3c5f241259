/**
 * Bundles every Lambda entry the way the CDK app does (esbuild, minified, CommonJS, Node 24,
 * the AWS SDK left to the runtime) and prints each bundle's size. The authorizer runs on
 * every MCP request, so its cold start matters most: its budget is what it is plus a margin
 * (docs/performance.md, "Cold starts"), and it must not hold zod: it reads the configuration
 * validated at synth (lambda/adapters/config/synth-validated-config.ts).
 *
 *   npx tsx scripts/bundle-size.ts            prints a Markdown table
 *   npx tsx scripts/bundle-size.ts --check    exits 1 when a bundle exceeds its budget or holds a package it must not (npm test runs this)
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { HANDLER_ENTRIES, type HandlerName } from '../lib/constructs/handler-entries';
import { FUNCTION_BUNDLING } from '../lib/definitions/bundling';

/** The authorizer: 72.0 KB once zod was out of it, plus a margin. */
const BUDGET_BYTES: Partial<Record<HandlerName, number>> = { authorizer: 85 * 1024, authorizationServer: 300 * 1024 };

/** Packages a bundle must not contain, and why. */
const FORBIDDEN_PACKAGES: Partial<Record<HandlerName, readonly { readonly name: string; readonly why: string }[]>> = {
  authorizer: [{ name: 'zod', why: 'it reads the configuration validated at synth; an import of config/env.ts or parse-config.ts brings the validator back' }],
};

async function main(): Promise<void> {
  const rows: { name: HandlerName; bytes: number; gzip: number; budget?: number }[] = [];
  const forbidden: string[] = [];
  for (const [name, entry] of Object.entries(HANDLER_ENTRIES) as [HandlerName, string][]) {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      ...FUNCTION_BUNDLING,
      external: [...FUNCTION_BUNDLING.external],
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.contents;
    const inputs = Object.keys(result.metafile.inputs);
    for (const { name: pkg, why } of FORBIDDEN_PACKAGES[name] ?? []) {
      if (inputs.some((file) => file.includes(`node_modules/${pkg}/`))) forbidden.push(`${name} contains ${pkg}: ${why}`);
    }
    rows.push({ name, bytes: code.length, gzip: gzipSync(code).length, budget: BUDGET_BYTES[name] });
  }
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log('| Function | Minified | Gzipped | Budget |');
  console.log('|---|---:|---:|---:|');
  for (const row of rows) console.log(`| ${row.name} | ${kb(row.bytes)} | ${kb(row.gzip)} | ${row.budget ? kb(row.budget) : '-'} |`);
  const over = rows.filter((r) => r.budget !== undefined && r.bytes > r.budget);
  for (const problem of forbidden) console.error(problem);
  if (process.argv.includes('--check') && (over.length || forbidden.length)) {
    if (over.length) console.error(`over budget: ${over.map((r) => r.name).join(', ')}`);
    process.exit(1);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
