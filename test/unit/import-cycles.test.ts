/**
 * No import cycle in lambda/, local/, cli/, bin/ or schema/, type-only imports included: ESLint's
 * import-x/no-cycle (eslint.config.mjs) skips `import type`, and a cycle of types still
 * means two modules that cannot be read one without the other. (lib/ has its own walk in
 * test/infra/lib-imports.test.ts.)
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const FOLDERS = ['lambda', 'local', 'cli', 'bin', 'schema'].map((folder) => join(ROOT, folder));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The repository files a file imports or re-exports, type-only ones included. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']*)'/gm)]
    .map((m) => resolve(dirname(file), m[1]!))
    .map((target) => [`${target}.ts`, join(target, 'index.ts')].find((candidate) => existsSync(candidate)))
    .filter((target): target is string => target !== undefined);
}

describe('imports', () => {
  const files = FOLDERS.flatMap(filesUnder);
  const edges = new Map(files.map((file) => [file, importsOf(file)]));

  it('form no cycle, not even through type-only imports', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(ROOT, f)).join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(files.length).toBeGreaterThan(100);
    expect(cycles).toEqual([]);
  });
});
