/**
 * lib/ has no import cycle (type-only imports included), no construct or stack imports the
 * cdk-nag acknowledgements (the app applies them after building), and the plain-data
 * definitions that local mode reads import no CDK.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const LIB = join(__dirname, '..', '..', 'lib');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file imports or re-exports, as written. */
function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
}

const files = filesUnder(LIB);
const libImports = new Map(files.map((file) => [file, importsOf(file).filter((m) => m.startsWith('.')).map((m) => `${resolve(dirname(file), m)}.ts`).filter((m) => m.startsWith(LIB))]));

describe('lib/ imports', () => {
  it('form no cycle', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(LIB, f)).join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of libImports.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(libImports.size).toBeGreaterThan(20);
    expect(cycles).toEqual([]);
  });

  it('keep the cdk-nag acknowledgements out of every construct and stack', () => {
    const importers = files.filter((f) => (libImports.get(f) ?? []).some((m) => m.endsWith('nag-suppressions.ts'))).map((f) => relative(LIB, f));
    expect(importers).toEqual(['mcp-oauth-app.ts']);
  });

  it('keep the plain-data definitions free of CDK', () => {
    for (const file of files.filter((f) => f.includes(`${join('lib', 'definitions')}`))) {
      expect(importsOf(file).filter((m) => m.startsWith('aws-cdk-lib') || m === 'constructs' || m.includes('/constructs/'))).toEqual([]);
    }
  });
});
