/**
 * The attacks on the pages that only a real browser can judge (docs/security.md, cases 12, 14, 15,
 * 69): an untrusted request ends on our error page and goes nowhere; a consent form posted
 * from another site or with a forged token approves nothing; a page on another origin that
 * frames ours gets an empty frame.
 */
import type { Frame, Page } from 'playwright-core';
import { useChromium } from '../../support/chromium';
import { authorizationRequest, consoleOf, registerPublicClient, signInAtDevIdp, startLoopbackReceiver, type LoopbackReceiver, type RegisteredClient } from '../../support/browser-journey';
import { startLocalStack, type LocalStack } from '../../support/local-stack-process';
import { attr, startOtherOrigin, type OtherOrigin } from '../../support/other-origin';

const chromium = useChromium();
let stack: LocalStack;
let receiver: LoopbackReceiver;
let client: RegisteredClient;
/** Another site (127.0.0.1: local mode is on localhost). */
let crossSite: OtherOrigin;
/** The same site on another port: its posts carry SameSite=Lax cookies. */
let sameSite: OtherOrigin;

beforeAll(async () => {
  [stack, receiver, crossSite, sameSite] = await Promise.all([startLocalStack(), startLoopbackReceiver(), startOtherOrigin('127.0.0.1'), startOtherOrigin('localhost')]);
  client = await registerPublicClient(stack.issuer, 'Registered Somewhere', receiver.redirectUri);
}, 90_000);

afterAll(async () => {
  await Promise.all([stack?.stop(), receiver?.close(), crossSite?.close(), sameSite?.close()]);
});

async function heading(page: Page): Promise<string | null> {
  return page.getByRole('heading', { level: 1 }).textContent();
}

describe('the error page of an untrusted request (cases 12 and 60)', () => {
  it('a self-registered client with a bad scope and no session: our page, no trip to its redirect URI', async () => {
    const page = await chromium().newPage();
    const request = authorizationRequest(stack.issuer, client, stack.mcpUrl, 'bogus');
    const response = await page.goto(request.url);
    expect(response?.status()).toBe(400);
    expect(page.url()).toBe(request.url);
    expect(await heading(page)).toBe('This request cannot be completed');
    expect(await page.locator('main').textContent()).toContain('(invalid_scope)');
    expect(await page.locator('form').count()).toBe(0);
    expect(receiver.received).toEqual([]);
  });

  it('an unknown client: our page, with nothing to click that leaves it', async () => {
    const page = await chromium().newPage();
    const response = await page.goto(authorizationRequest(stack.issuer, { clientId: 'nobody', redirectUri: receiver.redirectUri }, stack.mcpUrl).url);
    expect(response?.status()).toBe(400);
    expect(await heading(page)).toBe('This request cannot be completed');
    expect(await page.locator('main a, main form').count()).toBe(0);
    expect(receiver.received).toEqual([]);
  });
});

describe('consent CSRF (cases 14 and 69)', () => {
  /** A signed-in browser looking at a consent page: returns the form's real token. */
  async function signedInAtConsent(page: Page, scope: string): Promise<{ csrf: string; state: string }> {
    const request = authorizationRequest(stack.issuer, client, stack.mcpUrl, 'tool:read');
    await page.goto(request.url);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByLabel('Username').waitFor();
    await signInAtDevIdp(page, 'alice', 'alice');
    await page.waitForURL((u) => u.href.startsWith(receiver.redirectUri));
    const wider = authorizationRequest(stack.issuer, client, stack.mcpUrl, scope);
    await page.goto(wider.url);
    const csrf = await page.locator('input[name=csrf_token]').getAttribute('value');
    return { csrf: csrf!, state: wider.state };
  }

  function attackPage(site: OtherOrigin, path: string, csrf: string): string {
    return site.page(path, `<!doctype html><html lang="en"><title>Win a prize</title>
<form method="post" action="${attr(stack.issuer)}/consent"><input type="hidden" name="csrf_token" value="${attr(csrf)}"><input type="hidden" name="decision" value="approve"><button>Claim your prize</button></form></html>`);
  }

  async function expectRefused(page: Page, status: number, title: string): Promise<void> {
    const answer = page.waitForResponse((r) => r.url() === `${stack.issuer}/consent`);
    await page.getByRole('button', { name: 'Claim your prize' }).click();
    expect((await answer).status()).toBe(status);
    expect(await heading(page)).toBe(title);
  }

  it('another site posts the form, even with the real token: SameSite keeps the cookie home, nothing is approved', async () => {
    const page = await chromium().newPage();
    const before = receiver.received.length;
    const { csrf, state } = await signedInAtConsent(page, 'tool:read tool:execute');
    const attacker = await page.context().newPage();
    await attacker.goto(attackPage(crossSite, '/prize', csrf));
    await expectRefused(attacker, 400, 'Authorization request not found');
    expect(receiver.received.length).toBe(before + 1); // only the first sign-in's code

    // The user's own tab still works, once: the forged post consumed nothing.
    await page.bringToFront();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForURL((u) => u.href.startsWith(receiver.redirectUri));
    expect(new URL(page.url()).searchParams.get('state')).toBe(state);
  });

  it('the same site on another port posts a forged token: 403, nothing approved', async () => {
    const page = await chromium().newPage();
    const before = receiver.received.length;
    await signedInAtConsent(page, 'tool:read tool:execute admin');
    const attacker = await page.context().newPage();
    await attacker.goto(attackPage(sameSite, '/prize', 'forged-token-of-another-session'));
    await expectRefused(attacker, 403, 'Request refused');
    expect(receiver.received.length).toBe(before + 1);
  });
});

describe('framing (cases 15 and 69): a page on another origin frames ours and gets an empty frame', () => {
  async function framed(page: Page, url: string): Promise<{ frame: Frame; console: string[] }> {
    const console = consoleOf(page);
    await page.goto(crossSite.page('/frame', `<!doctype html><html lang="en"><title>Framing</title><iframe title="victim" src="${attr(url)}" width="600" height="400"></iframe></html>`));
    const frame = page.frames().find((f) => f !== page.mainFrame())!;
    await frame.waitForLoadState('load');
    return { frame, console };
  }

  async function expectEmpty({ frame, console }: { frame: Frame; console: string[] }): Promise<void> {
    // Chromium replaces a frame its ancestors may not hold with its own error page.
    expect(frame.url()).toMatch(/^chrome-error:/);
    expect(await frame.locator('button, input, form').count()).toBe(0);
    expect(console.join('\n')).toMatch(/frame-ancestors 'none'/);
  }

  it('the consent page', async () => {
    const page = await chromium().newPage();
    await expectEmpty(await framed(page, authorizationRequest(stack.issuer, client, stack.mcpUrl).url));
  });

  it('the error page', async () => {
    const page = await chromium().newPage();
    await expectEmpty(await framed(page, authorizationRequest(stack.issuer, client, stack.mcpUrl, 'bogus').url));
  });

  it('the dev IdP login page', async () => {
    const page = await chromium().newPage();
    await page.goto(authorizationRequest(stack.issuer, client, stack.mcpUrl).url);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.getByLabel('Username').waitFor();
    const loginUrl = page.url();
    const attacker = await page.context().newPage();
    await expectEmpty(await framed(attacker, loginUrl));
  });

  it('a page that allows framing shows its content in the same harness (so the checks above can fail)', async () => {
    const page = await chromium().newPage();
    const { frame } = await framed(page, crossSite.page('/framable', '<!doctype html><html lang="en"><title>Framable</title><form><button>Press</button></form></html>'));
    expect(frame.url()).toBe(`${crossSite.origin}/framable`);
    expect(await frame.locator('button').count()).toBe(1);
  });
});
