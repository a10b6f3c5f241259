/** docs/architecture.md: "Where is the rule for X" names one existing file per rule, and every file the page names exists. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const page = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');

function ruleTable(): { rule: string; files: string[] }[] {
  const section = page.split(/^## /m).find((part) => part.startsWith('Where is the rule for X'));
  if (!section) throw new Error('docs/architecture.md has no "Where is the rule for X" section');
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*(Rule|---)/.test(line))
    .map((line) => {
      const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
      return { rule: cells[0]!, files: [...cells[cells.length - 1]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!) };
    });
}

describe('docs/architecture.md', () => {
  const rows = ruleTable();

  it('has a rule table', () => {
    expect(rows.length).toBeGreaterThan(40);
  });

  it.each(rows.map((row) => [row.rule, row.files] as const))('names exactly one existing file for: %s', (_rule, files) => {
    expect(files).toHaveLength(1);
    expect(existsSync(join(ROOT, files[0]!))).toBe(true);
  });

  it('gives each file one rule', () => {
    const files = rows.map((row) => row.files[0]);
    expect(files.filter((file, i) => files.indexOf(file) !== i)).toEqual([]);
  });

  it('names only files that exist', () => {
    const named = [...page.matchAll(/\b((?:lambda|local|lib|bin|test|schema|docs)\/[\w./-]+\.(?:ts|js|json|md|mjs))\b/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(40);
    expect(named.filter((file) => !existsSync(join(ROOT, file)))).toEqual([]);
  });
});
