/**
 * The repository's own import graph, read from the source text: every `import` and `export
 * ... from` of a relative module, type-only ones included (ESLint's import-x/no-cycle skips
 * those), and the cycles in it.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export function typeScriptFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? typeScriptFilesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The repository files a file imports or re-exports. */
export function localImportsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']*)'/gm)]
    .map((m) => resolve(dirname(file), m[1]!))
    .map((target) => [`${target}.ts`, join(target, 'index.ts')].find((candidate) => existsSync(candidate)))
    .filter((target): target is string => target !== undefined);
}

/** Every cycle among `files`, each as `a.ts -> b.ts -> a.ts` relative to `root`. */
export function importCycles(files: readonly string[], root: string): string[] {
  const edges = new Map(files.map((file) => [file, localImportsOf(file)]));
  const cycles: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === 'done') return;
    if (state.get(file) === 'visiting') {
      cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(root, f)).join(' -> '));
      return;
    }
    state.set(file, 'visiting');
    for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of files) visit(file, []);
  return cycles;
}
