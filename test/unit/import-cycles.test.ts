/**
 * No import cycle anywhere in the product (lambda/, local/, lib/, cli/, bin/, schema/), type-only
 * imports included: ESLint's import-x/no-cycle (eslint.config.mjs) skips `import type`, and a
 * cycle of types still means two modules that cannot be read one without the other.
 */
import { join } from 'node:path';
import { importCycles, typeScriptFilesUnder } from '../support/import-graph';

const ROOT = join(__dirname, '..', '..');

describe('imports', () => {
  it('form no cycle, not even through type-only imports', () => {
    const files = ['lambda', 'local', 'lib', 'cli', 'bin', 'schema'].flatMap((folder) => typeScriptFilesUnder(join(ROOT, folder)));
    expect(files.length).toBeGreaterThan(150);
    expect(importCycles(files, ROOT)).toEqual([]);
  });
});
