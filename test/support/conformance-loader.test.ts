import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

// The loader is ESM and runs as a node --import hook, so it is tested the way it is used: in a child node process.
const LOADER = join(__dirname, '../support/conformance-loader.mjs');
const ROOT = join(__dirname, '../..');

function node(args: string[]): string {
  return execFileSync(process.execPath, ['--import', LOADER, ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('conformance loader', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'glob-'));
    for (const file of ['checks.json', 'a/checks.json', 'a/b/checks.json', 'a/b/other.json', 'achecks.json']) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), '[]');
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives ESM importers of fs a globSync that finds **/checks.json relative to cwd', () => {
    const out = node(['--input-type=module', '-e', `import { globSync } from 'fs'; console.log(JSON.stringify(globSync('**/checks.json', { cwd: ${JSON.stringify(dir)} }).sort()))`]);
    expect(JSON.parse(out)).toEqual(['a/b/checks.json', 'a/checks.json', 'checks.json'].map((p) => p.split('/').join(sep)));
  });

  it('lets the conformance suite start and list its authorization scenarios', () => {
    const out = node(['node_modules/@modelcontextprotocol/conformance/dist/index.js', 'list', '--authorization']);
    expect(out).toContain('authorization-server-metadata-endpoint');
    expect(out).toContain('authorization-code-grant');
  });
});
