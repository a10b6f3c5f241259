/**
 * Every relative link in README.md, docs/ and the example apps' READMEs resolves: the file
 * (or folder) exists, and a #anchor names a heading of the target file, slugged the way
 * GitHub renders it (github-slugger). Links to other sites are not fetched.
 */
import GithubSlugger from 'github-slugger';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = join(__dirname, '..', '..');

function markdownFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, 'docs', f));
  const examples = readdirSync(join(ROOT, 'examples')).map((d) => join(ROOT, 'examples', d, 'README.md')).filter(existsSync);
  return [join(ROOT, 'README.md'), ...docs, ...examples];
}

/** Fenced code blocks hold examples, not links. */
function withoutCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, '').replace(/`[^`\n]*`/g, '');
}

export function linkTargets(markdown: string): string[] {
  const text = withoutCode(markdown);
  const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1] as string);
  const html = [...text.matchAll(/\s(?:href|src)="([^"]+)"/g)].map((m) => m[1] as string);
  return [...inline, ...html].filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

export function headingAnchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const line of markdown.replace(/^```[\s\S]*?^```/gm, '').split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    // What GitHub slugs is the rendered text: no link targets, emphasis or code marks.
    const rendered = (heading[1] as string).replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[`*]/g, '');
    anchors.add(slugger.slug(rendered));
  }
  for (const match of markdown.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) anchors.add(match[1] as string);
  return anchors;
}

function brokenLinks(file: string): string[] {
  const markdown = readFileSync(file, 'utf8');
  const broken: string[] = [];
  for (const target of linkTargets(markdown)) {
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    const targetFile = pathPart === '' ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    if (!existsSync(targetFile)) {
      broken.push(`${target}: no such file`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (statSync(targetFile).isDirectory() || !targetFile.endsWith('.md')) {
      broken.push(`${target}: an anchor into something that is not a markdown file`);
      continue;
    }
    if (!headingAnchors(readFileSync(targetFile, 'utf8')).has(decodeURIComponent(anchor))) broken.push(`${target}: no heading with that anchor`);
  }
  return broken;
}

describe('relative links in the docs', () => {
  const files = markdownFiles();

  it('finds the docs and their links (the check below has something to check)', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((f) => linkTargets(readFileSync(f, 'utf8'))).length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))('%s: every relative link and anchor resolves', (_name, file) => {
    expect(brokenLinks(file)).toEqual([]);
  });

  it('the checker itself refuses a missing file and a missing anchor, and slugs headings as GitHub does', () => {
    expect(linkTargets('[a](x.md) [b](https://example.com) `[c](code.md)` <img src="i.png">')).toEqual(['x.md', 'i.png']);
    expect([...headingAnchors('# The `guard`: what it checks\n## Step 1. Deploy!\n## Step 1. Deploy!')]).toEqual(['the-guard-what-it-checks', 'step-1-deploy', 'step-1-deploy-1']);
    const dir = mkdtempSync(join(tmpdir(), 'docs-links-'));
    try {
      writeFileSync(join(dir, 'b.md'), '# Present heading\n');
      writeFileSync(join(dir, 'a.md'), '[ok](b.md#present-heading) [gone](c.md) [no anchor](b.md#absent) [self](#top)\n# Top\n');
      expect(brokenLinks(join(dir, 'a.md'))).toEqual(['c.md: no such file', 'b.md#absent: no heading with that anchor']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
