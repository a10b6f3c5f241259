/**
 * Renders docs/architecture.dot to docs/architecture.svg with Graphviz compiled to
 * WebAssembly (@viz-js/viz), so no system Graphviz is needed and the output does not depend
 * on which one a machine has.
 *
 *   npm run diagram            writes the SVG
 *   npm run diagram -- --check exits 1 when the committed SVG is not what the source renders
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// The package ships CommonJS (its `require` export) under ESM-only type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { instance } = require('@viz-js/viz') as typeof import('@viz-js/viz', { with: { 'resolution-mode': 'import' } });

const DOCS = join(__dirname, '..', 'docs');
export const DIAGRAM_SOURCE = join(DOCS, 'architecture.dot');
export const DIAGRAM_SVG = join(DOCS, 'architecture.svg');

export async function renderArchitectureDiagram(): Promise<string> {
  const viz = await instance();
  return viz.renderString(readFileSync(DIAGRAM_SOURCE, 'utf8'), { format: 'svg', engine: 'dot' });
}

async function main(): Promise<void> {
  const svg = await renderArchitectureDiagram();
  if (process.argv.includes('--check')) {
    if (readFileSync(DIAGRAM_SVG, 'utf8') !== svg) {
      console.error('docs/architecture.svg is stale: run npm run diagram');
      process.exit(1);
    }
    return;
  }
  writeFileSync(DIAGRAM_SVG, svg);
  console.log(`wrote ${DIAGRAM_SVG}`);
}

if (require.main === module) void main();
