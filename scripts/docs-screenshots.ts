/**
 * Regenerates the pictures in docs/images/ from the browser tests' own screenshots, so the
 * docs show the pages exactly as Chromium renders them today:
 *
 *   npx tsx scripts/docs-screenshots.ts
 *
 * It runs the screenshot tests of test/e2e/browser/pages.test.ts (Jest starts DynamoDB
 * Local and local mode on free ports; Chromium comes from /usr/bin/chromium or
 * CHROMIUM_PATH) into a fresh folder, then copies every PNG to docs/images/.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');
const target = join(root, 'docs/images');
const shots = mkdtempSync(join(tmpdir(), 'docs-screenshots-'));

try {
  const jest = spawnSync(join(root, 'node_modules/.bin/jest'), ['test/e2e/browser/pages.test.ts', '-t', 'screenshots for the docs'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SCREENSHOT_DIR: shots },
  });
  if (jest.status !== 0) throw new Error(`the screenshot tests failed (exit ${jest.status ?? jest.signal})`);
  const files = readdirSync(shots).filter((f) => f.endsWith('.png')).sort();
  if (files.length === 0) throw new Error('the screenshot tests saved no PNG');
  mkdirSync(target, { recursive: true });
  for (const file of files) {
    copyFileSync(join(shots, file), join(target, file));
    console.log(`docs/images/${file}  ${Math.round(statSync(join(target, file)).size / 1024)} KB`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exitCode = 1;
} finally {
  rmSync(shots, { recursive: true, force: true });
}
