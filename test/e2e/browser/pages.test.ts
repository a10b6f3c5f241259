/**
 * What a person sees, in Chromium: the consent page (before sign-in, and signed in for a
 * client ID metadata document client), the error page and the dev IdP's login page.
 * Each passes axe-core at WCAG 2.1 AA (and axe's landmark and heading rules) in the light
 * and the dark colour scheme, and fits a 320 CSS pixel screen without horizontal scroll.
 * The consent page says who is asking, where the user goes next, which MCP server, what
 * it may do and which account is used; Approve and Deny differ without colour; the order
 * a screen reader reads is the order on screen.
 *
 * It also saves the screenshots in docs/ (`npx tsx scripts/docs-screenshots.ts` copies
 * them there): .local/screenshots/, or SCREENSHOT_DIR.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { accessibilityViolations } from '../../support/axe';
import { authorizationRequest, registerPublicClient, signInAtDevIdp, startLoopbackReceiver, type LoopbackReceiver, type RegisteredClient } from '../../support/browser-journey';
import { useChromium } from '../../support/chromium';
import { startLocalStack, type LocalStack } from '../../support/local-stack-process';
import { startMetadataDocumentServer, type MetadataDocumentServer } from '../../support/metadata-document-server';

const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? join(__dirname, '../../../.local/screenshots');
const chromium = useChromium();
let stack: LocalStack;
let receiver: LoopbackReceiver;
let documentServer: MetadataDocumentServer;
let loopbackClient: RegisteredClient;
let metadataClient: RegisteredClient;
let anonymous: BrowserContext;
let signedIn: BrowserContext;
/** A second stack whose config sets `branding` (the logo from a file, as an operator would). */
let branded: LocalStack;
let brandedClient: RegisteredClient;
let logoDir: string;
const ACME_LOGO = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#1f2937"/><path d="M9 24 16 7l7 17h-4l-1.4-3.6h-3.2L13 24zm5.6-6.8h2.8L16 13.4z" fill="#f2b705"/></svg>';

beforeAll(async () => {
  [receiver, documentServer] = await Promise.all([
    startLoopbackReceiver(),
    startMetadataDocumentServer('agent.example.localhost', () => ({
      client_name: 'Acme Desktop Agent',
      redirect_uris: ['com.example.agent:/callback'],
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    })),
  ]);
  logoDir = mkdtempSync(join(tmpdir(), 'acme-logo-'));
  writeFileSync(join(logoDir, 'acme.svg'), ACME_LOGO);
  [stack, branded] = await Promise.all([
    startLocalStack({
      configOverrides: (config) => {
        config.local.trustedMetadataOrigins = [documentServer.origin];
        config.local.metadataCaFile = documentServer.caFile;
      },
    }),
    startLocalStack({
      configOverrides: (config) => {
        config.branding = { productName: 'Acme AI Gateway', accentColor: '#f2b705', logoSvgFile: join(logoDir, 'acme.svg'), supportUrl: 'mailto:mcp-help@acme.example' };
      },
    }),
  ]);
  brandedClient = await registerPublicClient(branded.issuer, 'Acme Notes', receiver.redirectUri);
  loopbackClient = await registerPublicClient(stack.issuer, 'Loopback Notes', receiver.redirectUri);
  metadataClient = { clientId: documentServer.clientId, redirectUri: 'com.example.agent:/callback' };

  const { browser } = chromium();
  [anonymous, signedIn] = await Promise.all([browser.newContext(), browser.newContext()]);
  const page = await signedIn.newPage();
  await page.goto(authorizationRequest(stack.issuer, loopbackClient, stack.mcpUrl, 'tool:read').url);
  await page.getByRole('button', { name: 'Approve' }).click();
  await signInAtDevIdp(page, 'alice', 'alice');
  await page.waitForURL((u) => u.href.startsWith(receiver.redirectUri));
  await page.close();
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
}, 120_000);

afterAll(async () => {
  await Promise.all([anonymous?.close(), signedIn?.close()]);
  await Promise.all([stack?.stop(), branded?.stop(), receiver?.close(), documentServer?.close()]);
  if (logoDir) rmSync(logoDir, { recursive: true, force: true });
});

/** Each page a person meets, reached the way a person reaches it. */
const PAGES: Record<string, () => Promise<Page>> = {
  'consent page before sign-in': async () => {
    const page = await anonymous.newPage();
    await page.goto(authorizationRequest(stack.issuer, loopbackClient, stack.mcpUrl).url);
    return page;
  },
  'consent page, signed in, metadata-document client': async () => {
    const page = await signedIn.newPage();
    await page.goto(authorizationRequest(stack.issuer, metadataClient, stack.mcpUrl).url);
    return page;
  },
  'error page of an untrusted request': async () => {
    const page = await anonymous.newPage();
    await page.goto(authorizationRequest(stack.issuer, loopbackClient, stack.mcpUrl, 'bogus').url);
    return page;
  },
  'dev IdP login': async () => {
    const page = await anonymous.newPage();
    await page.goto(authorizationRequest(stack.issuer, loopbackClient, stack.mcpUrl).url);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByLabel('Username').waitFor();
    return page;
  },
  'dev IdP login after a wrong password': async () => {
    const page = await PAGES['dev IdP login']();
    await signInAtDevIdp(page, 'alice', 'wrong');
    await page.getByRole('alert').waitFor();
    return page;
  },
  'branded consent page (yellow accent, logo from a file)': async () => {
    const page = await anonymous.newPage();
    await page.goto(authorizationRequest(branded.issuer, brandedClient, branded.mcpUrl).url);
    return page;
  },
  'branded dev IdP login': async () => {
    const page = await PAGES['branded consent page (yellow accent, logo from a file)']();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByLabel('Username').waitFor();
    return page;
  },
};

async function open(name: string): Promise<Page> {
  const page = await PAGES[name]();
  await page.getByRole('heading', { level: 1 }).waitFor();
  return page;
}

describe.each(Object.keys(PAGES))('%s', (name) => {
  it('has no axe violations at WCAG 2.1 AA (and none of landmarks or headings), light and dark', async () => {
    const page = await open(name);
    try {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        expect({ colorScheme, violations: await accessibilityViolations(page) }).toEqual({ colorScheme, violations: [] });
      }
      expect(await page.getAttribute('html', 'lang')).toBe('en');
    } finally {
      await page.close();
    }
  });

  it('fits 320 CSS pixels without horizontal scrolling, with nothing cut off', async () => {
    const page = await open(name);
    try {
      await page.setViewportSize({ width: 320, height: 640 });
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
        overflowing: Array.from(document.querySelectorAll('main *')).filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).map((e) => e.outerHTML.slice(0, 80)),
      }));
      expect(layout).toEqual({ scrollWidth: 320, viewport: 320, overflowing: [] });
    } finally {
      await page.close();
    }
  });
});

it('the axe harness finds what it should (so a pass above means something)', async () => {
  const page = await chromium().newPage();
  await page.setContent('<!doctype html><html><title>x</title><body><img src="data:,"><p style="color:#ccc;background:#fff">faint</p></body></html>');
  expect((await accessibilityViolations(page)).map((v) => v.id).sort()).toEqual(['color-contrast', 'html-has-lang', 'image-alt', 'landmark-one-main', 'page-has-heading-one', 'region']);
});

describe('the consent page', () => {
  it('says who is asking, where the user goes next, which MCP server, what it may do, and which account', async () => {
    const page = await open('consent page, signed in, metadata-document client');
    const main = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Acme Desktop Agent wants to use Demo MCP server');
    expect(main).toContain(documentServer.clientId); // the full client_id URL, not just its host
    expect(main).toContain(`Verified by its domain. Its identity is published by ${new URL(documentServer.origin).host}.`);
    expect(main).toContain('The app that handles com.example.agent links on this device com.example.agent:/callback');
    expect(main).toContain(`Demo MCP server ${stack.mcpUrl}`);
    expect(main).toContain('See which tools exist and read their results tool:read');
    expect(main).toContain('Run tools on your behalf tool:execute');
    expect(main).toContain('Signed in as alice@example.com.');
    expect(await page.getByRole('button', { name: 'Not you? Sign in as someone else' }).count()).toBe(1);
    await page.close();
  });

  it('before sign-in it says the user signs in next, and what a self-registered loopback client is', async () => {
    const page = await open('consent page before sign-in');
    const main = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    expect(main).toContain('It registered itself with this server: its name is not verified.');
    expect(main).toContain('This application runs on your own computer.');
    expect(main).toContain(new URL(receiver.redirectUri).host);
    expect(main).toContain('After you approve, you will be asked to sign in.');
    expect(await page.getByRole('button', { name: /Not you/ }).count()).toBe(0);
    await page.close();
  });

  it('Approve and Deny differ without colour: filled and outlined, each with its own word', async () => {
    const page = await open('consent page, signed in, metadata-document client');
    const look = (name: string) => page.getByRole('button', { name, exact: true }).evaluate((b) => {
      const s = getComputedStyle(b);
      return { text: (b as HTMLElement).innerText, background: s.backgroundColor, borderWidth: parseFloat(s.borderTopWidth), fontWeight: Number(s.fontWeight) };
    });
    const [approve, deny] = [await look('Approve'), await look('Deny')];
    expect(approve.text).toBe('Approve');
    expect(deny.text).toBe('Deny');
    expect(approve.background).not.toMatch(/rgba\(0, 0, 0, 0\)|transparent/);
    expect(deny.background).toBe('rgba(0, 0, 0, 0)');
    expect(deny.borderWidth).toBeGreaterThanOrEqual(2);
    expect(approve.fontWeight).toBeGreaterThanOrEqual(600);
    await page.close();
  });

  it('reads in the order it shows: headings, facts and buttons go down the page in document order', async () => {
    const page = await open('consent page, signed in, metadata-document client');
    for (const width of [1024, 320]) {
      await page.setViewportSize({ width, height: 800 });
      const items = await page.evaluate(() => Array.from(document.querySelectorAll('header, h1, h2, h3, dt, dd, li, main p, button, footer'))
        .map((e) => ({ text: (e as HTMLElement).innerText.slice(0, 30), top: e.getBoundingClientRect().top, left: e.getBoundingClientRect().left })));
      const outOfOrder = items.filter((item, i) => i > 0 && (item.top < items[i - 1].top - 1 || (Math.abs(item.top - items[i - 1].top) <= 1 && item.left < items[i - 1].left)));
      expect({ width, outOfOrder }).toEqual({ width, outOfOrder: [] });
    }
    expect(await page.getByRole('heading').allTextContents()).toEqual([
      'Acme Desktop Agent wants to use Demo MCP server',
      'Who is asking',
      'What it will be able to do',
      'Demo MCP server',
      'Your account',
    ]);
    await page.close();
  });

  it('follows the colour scheme: a dark page in dark mode, a light one otherwise', async () => {
    const page = await open('consent page before sign-in');
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'light' });
    const light = await background();
    await page.emulateMedia({ colorScheme: 'dark' });
    const dark = await background();
    const brightness = (rgb: string) => rgb.match(/\d+/g)!.slice(0, 3).map(Number).reduce((a, b) => a + b, 0) / 3;
    expect(brightness(light)).toBeGreaterThan(200);
    expect(brightness(dark)).toBeLessThan(40);
    await page.close();
  });
});

describe('branding', () => {
  it.each(['branded consent page (yellow accent, logo from a file)', 'branded dev IdP login'])('%s: product name, logo (loaded: the CSP allows it), support link, dark text on the light accent', async (name) => {
    const page = await open(name);
    expect(await page.locator('header .product').innerText()).toBe('Acme AI Gateway');
    expect(await page.title()).toMatch(/ · Acme AI Gateway$/);
    expect(await page.locator('header img.logo').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await page.getByRole('link', { name: 'Contact support' }).getAttribute('href')).toBe('mailto:mcp-help@acme.example');
    const button = page.locator('button.primary, form.login button').first();
    expect(await button.evaluate((b) => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color])).toEqual(['rgb(242, 183, 5)', 'rgb(0, 0, 0)']);
    await page.close();
  });
});

describe('screenshots for the docs', () => {
  const shots: [file: string, page: string, viewport: { width: number; height: number }, colorScheme: 'light' | 'dark'][] = [
    ['consent-desktop.png', 'consent page, signed in, metadata-document client', { width: 1024, height: 900 }, 'light'],
    ['consent-mobile.png', 'consent page, signed in, metadata-document client', { width: 360, height: 740 }, 'light'],
    ['consent-dark.png', 'consent page before sign-in', { width: 1024, height: 900 }, 'dark'],
    ['error.png', 'error page of an untrusted request', { width: 1024, height: 560 }, 'light'],
    ['dev-login.png', 'dev IdP login after a wrong password', { width: 1024, height: 760 }, 'light'],
    ['consent-branded.png', 'branded consent page (yellow accent, logo from a file)', { width: 1024, height: 900 }, 'light'],
  ];

  it.each(shots)('%s', async (file, name, viewport, colorScheme) => {
    const page = await open(name);
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme });
    const png = await page.screenshot({ path: join(SCREENSHOT_DIR, file), fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  });
});
