/**
 * Headless Chromium for the browser tests: the distribution's own build (Debian's
 * `chromium` package, /usr/bin/chromium, or CHROMIUM_PATH), driven by playwright-core,
 * which never downloads a browser of its own.
 *
 * Launch flags for a closed network: without the background-networking ones, Chromium
 * keeps reaching out to Google services and this machine's network refuses it. Playwright
 * gives every launch a fresh, temporary user data dir (it refuses a --user-data-dir flag),
 * so no profile, cookie or cache survives from one test file to the next.
 *
 *   const chromium = useChromium();          // one browser per test file, reused
 *   it('...', async () => { const page = await chromium().newPage(); ... });
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
] as const;

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `Chromium not found at ${path}. The browser tests need a real Chromium: install Debian's (apt-get install -y chromium; .ci/run does this) or set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  return path;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_FLAGS], timeout: 30_000 });
}

export interface ChromiumHandle {
  readonly browser: Browser;
  /** A fresh context (its own cookies) and a page in it; closed after the test. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
}

/** One Chromium per test file: launched in beforeAll, closed in afterAll; each test's contexts closed after it. */
export function useChromium(): () => ChromiumHandle {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });
  const handle: ChromiumHandle = {
    get browser() {
      if (!browser) throw new Error('Chromium is not running (useChromium() must be called at the top of a test file)');
      return browser;
    },
    async newPage(options: BrowserContextOptions = {}) {
      const context = await handle.browser.newContext({ viewport: { width: 1024, height: 800 }, ...options });
      contexts.push(context);
      return context.newPage();
    },
  };
  return () => handle;
}
