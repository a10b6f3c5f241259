/**
 * The authorization code flow in headless Chromium against local mode (docs/security.md, case 69):
 * the browser applies the rules a fetch-based driver cannot (the pages' CSP, form-action on
 * the redirects that answer a form, SameSite cookies), so a page that works here works for
 * a person. Two native clients: one on loopback http, one on a private-use scheme
 * (com.example.app:/callback, the form desktop apps register), whose navigation Chromium
 * starts and cannot finish (no app handles the scheme here): the request is the proof that
 * the page let it leave.
 */
import type { Page } from 'playwright-core';
import { useChromium } from '../../support/chromium';
import {
  authorizationRequest,
  consoleOf,
  freshTab,
  navigationTo,
  redeemCode,
  registerPublicClient,
  signInAtDevIdp,
  startLoopbackReceiver,
  type LoopbackReceiver,
  type RegisteredClient,
} from '../../support/browser-journey';
import { startLocalStack, type LocalStack } from '../../support/local-stack-process';

const APP_SCHEME = 'com.example.app:';
const chromium = useChromium();
let stack: LocalStack;
let receiver: LoopbackReceiver;
let loopbackClient: RegisteredClient;
let appClient: RegisteredClient;

/** Consent is remembered per user and client: a test that needs a consent page of its own registers its own client. */
function freshAppClient(name: string): Promise<RegisteredClient> {
  return registerPublicClient(stack.issuer, name, `${APP_SCHEME}/callback`);
}

beforeAll(async () => {
  [stack, receiver] = await Promise.all([startLocalStack(), startLoopbackReceiver()]);
  loopbackClient = await registerPublicClient(stack.issuer, 'Loopback Notes', receiver.redirectUri);
  appClient = await freshAppClient('Desktop Agent');
}, 90_000);

afterAll(async () => {
  await Promise.all([stack?.stop(), receiver?.close()]);
});

function paramsOf(url: string): Record<string, string> {
  return Object.fromEntries(new URL(url).searchParams);
}

async function approve(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Approve' }).click();
}

/** From a fresh browser: the consent page, Approve, and the dev IdP's login as `user`. Returns where the app was sent. */
async function signInThroughApp(page: Page, client: RegisteredClient, scope = 'tool:read tool:execute', user = 'alice') {
  const request = authorizationRequest(stack.issuer, client, stack.mcpUrl, scope);
  await page.goto(request.url);
  expect(await page.locator('main').textContent()).toContain('After you approve, you will be asked to sign in.');
  await approve(page);
  await atDevIdpLogin(page);
  const arrived = client.redirectUri.startsWith(APP_SCHEME) ? navigationTo(page, APP_SCHEME) : undefined;
  await signInAtDevIdp(page, user, user);
  return { request, arrived };
}

/** Waits for the dev IdP's login form. */
async function atDevIdpLogin(page: Page): Promise<void> {
  await page.getByLabel('Username').waitFor({ timeout: 10_000 });
  expect(page.url().startsWith(`${stack.devIdp}/interaction/`)).toBe(true);
}

/** Waits for the consent page of `clientName` (and fails if another page stays). */
async function expectConsentPageFor(page: Page, clientName: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: `${clientName} wants to use Demo MCP server`, exact: true }).waitFor({ timeout: 10_000 });
}

it('a loopback client: consent, dev IdP sign-in, back on 127.0.0.1 with code, state and iss; the code redeems', async () => {
  const page = await chromium().newPage();
  await page.goto(authorizationRequest(stack.issuer, loopbackClient, stack.mcpUrl).url);
  await expectConsentPageFor(page, 'Loopback Notes');
  const { request } = await signInThroughApp(page, loopbackClient);
  await page.waitForURL((u) => u.href.startsWith(receiver.redirectUri));
  const params = paramsOf(page.url());
  expect(params).toEqual({ code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), state: request.state, iss: stack.issuer });
  expect(receiver.received.map((u) => u.searchParams.get('code'))).toContain(params.code);
  const token = await redeemCode(stack.issuer, loopbackClient, request, params.code, stack.mcpUrl);
  expect(token.status).toBe(200);
  expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'tool:read tool:execute' });
});

describe('a private-use-scheme client (com.example.app:/callback)', () => {
  it('a signed-in user approves and Chromium is sent to the scheme with code, state and iss; no CSP violation', async () => {
    let page = await chromium().newPage();
    appClient = await freshAppClient('Desktop Agent');
    // First sign-in: the dev IdP's login form starts the chain that ends at the scheme.
    const first = await signInThroughApp(page, appClient, 'tool:read');
    expect(paramsOf((await first.arrived!).url())).toMatchObject({ code: expect.any(String), state: first.request.state, iss: stack.issuer });
    page = await freshTab(page);
    const console = consoleOf(page);

    // Signed in now; a wider scope needs consent again, and the 303 answering our form goes to the scheme.
    const second = authorizationRequest(stack.issuer, appClient, stack.mcpUrl, 'tool:read tool:execute');
    await page.goto(second.url);
    await expectConsentPageFor(page, 'Desktop Agent');
    expect(await page.locator('main').textContent()).toContain('Signed in as alice@example.com.');
    const arrived = navigationTo(page, APP_SCHEME);
    await approve(page);
    const url = (await arrived).url();
    expect(url.startsWith(`${APP_SCHEME}/callback?`)).toBe(true);
    const params = paramsOf(url);
    expect(params).toEqual({ code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), state: second.state, iss: stack.issuer });
    expect((await redeemCode(stack.issuer, appClient, second, params.code, stack.mcpUrl)).body).toMatchObject({ scope: 'tool:read tool:execute' });
    expect(console.filter((m) => /Content Security Policy/i.test(m))).toEqual([]);
  });

  it('Deny sends error=access_denied with state and iss to the scheme, and no code', async () => {
    const page = await chromium().newPage();
    const request = authorizationRequest(stack.issuer, appClient, stack.mcpUrl);
    await page.goto(request.url);
    const arrived = navigationTo(page, APP_SCHEME);
    await page.getByRole('button', { name: 'Deny' }).click();
    const params = paramsOf((await arrived).url());
    expect(params).toEqual({ error: 'access_denied', error_description: expect.any(String), state: request.state, iss: stack.issuer });
  });

  it('a second authorization with remembered consent goes straight to the scheme, no page shown', async () => {
    let page = await chromium().newPage();
    appClient = await freshAppClient('Desktop Agent');
    const first = await signInThroughApp(page, appClient, 'tool:read');
    await first.arrived;
    page = await freshTab(page);
    const again = authorizationRequest(stack.issuer, appClient, stack.mcpUrl, 'tool:read');
    const arrived = navigationTo(page, APP_SCHEME);
    await page.goto(again.url).catch(() => undefined); // the navigation ends at a scheme nothing handles
    expect(paramsOf((await arrived).url())).toEqual({ code: expect.any(String), state: again.state, iss: stack.issuer });
  });

  it('approving before sign-in while the IdP still has a session: consent -> IdP -> /callback -> scheme, all allowed', async () => {
    let page = await chromium().newPage();
    appClient = await freshAppClient('Desktop Agent');
    await (await signInThroughApp(page, appClient, 'tool:read')).arrived;
    page = await freshTab(page);
    // Drop the AS's login session but keep the dev IdP's: the IdP signs the user in without a form.
    await page.context().clearCookies({ name: 'mcp_session' });
    const request = authorizationRequest(stack.issuer, appClient, stack.mcpUrl, 'tool:read tool:execute');
    await page.goto(request.url);
    const arrived = navigationTo(page, APP_SCHEME);
    await approve(page);
    expect(paramsOf((await arrived).url())).toEqual({ code: expect.any(String), state: request.state, iss: stack.issuer });
  });
});

it('"not you?" signs the user out and in as someone else, who sees and approves their own consent page', async () => {
  let page = await chromium().newPage();
  const client = await freshAppClient('Desktop Agent');
  await (await signInThroughApp(page, client, 'tool:read')).arrived;
  page = await freshTab(page);
  const request = authorizationRequest(stack.issuer, client, stack.mcpUrl, 'tool:read tool:execute');
  await page.goto(request.url);
  expect(await page.locator('main').textContent()).toContain('Signed in as alice@example.com.');
  await page.getByRole('button', { name: 'Not you? Sign in as someone else' }).click();
  await atDevIdpLogin(page);
  // prompt=login: the dev IdP asks again although its own session is alice's.
  await signInAtDevIdp(page, 'bob', 'bob');
  await expectConsentPageFor(page, 'Desktop Agent');
  const text = await page.locator('main').textContent();
  expect(text).toContain('Signed in as bob@example.com.');
  expect(text).toContain('See which tools exist and read their results');
  expect(text).not.toContain('Run tools on your behalf'); // bob's groups grant tool:read only
  const arrived = navigationTo(page, APP_SCHEME);
  await approve(page);
  const params = paramsOf((await arrived).url());
  expect(params.state).toBe(request.state);
  const token = await redeemCode(stack.issuer, client, request, params.code, stack.mcpUrl);
  expect(token.body).toMatchObject({ scope: 'tool:read' });
  const claims = JSON.parse(Buffer.from(String(token.body.access_token).split('.')[1], 'base64url').toString());
  expect(claims.sub).toBe('dev|bob');
});

it('the dev IdP refuses a wrong password with an alert on the same form, and nothing reaches the app', async () => {
  const page = await chromium().newPage();
  const before = receiver.received.length;
  const request = authorizationRequest(stack.issuer, loopbackClient, stack.mcpUrl);
  await page.goto(request.url);
  await approve(page);
  await atDevIdpLogin(page);
  await signInAtDevIdp(page, 'alice', 'not-her-password');
  expect(page.url().startsWith(stack.devIdp)).toBe(true);
  expect(await page.getByRole('alert').textContent()).toBe('Wrong username or password.');
  expect(await page.getByLabel('Username').inputValue()).toBe('alice');
  expect(await page.getByLabel('Password').inputValue()).toBe('');
  expect(receiver.received.length).toBe(before);
  await signInAtDevIdp(page, 'alice', 'alice');
  await page.waitForURL((u) => u.href.startsWith(receiver.redirectUri));
  expect(paramsOf(page.url()).state).toBe(request.state);
});

it('an IPv6 loopback client, which CSP cannot name: Deny and Approve reach http://[::1] through a page that links there', async () => {
  const v6 = await startLoopbackReceiver('/callback', '::1');
  try {
    const client = await registerPublicClient(stack.issuer, 'IPv6 Notes', v6.redirectUri);
    const page = await chromium().newPage();
    const denied = authorizationRequest(stack.issuer, client, stack.mcpUrl);
    await page.goto(denied.url);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL((u) => u.href.startsWith(v6.redirectUri));
    expect(paramsOf(page.url())).toMatchObject({ error: 'access_denied', state: denied.state, iss: stack.issuer });

    const approved = authorizationRequest(stack.issuer, client, stack.mcpUrl);
    await page.goto(approved.url);
    await approve(page);
    await atDevIdpLogin(page);
    await signInAtDevIdp(page, 'alice', 'alice');
    await page.waitForURL((u) => u.href.startsWith(v6.redirectUri));
    expect(paramsOf(page.url())).toEqual({ code: expect.any(String), state: approved.state, iss: stack.issuer });
    expect(v6.received).toHaveLength(2);
  } finally {
    await v6.close();
  }
});

it('keyboard only: Tab reaches Approve with a visible focus ring, and Enter approves', async () => {
  let page = await chromium().newPage();
  const client = await freshAppClient('Keyboard App');
  await (await signInThroughApp(page, client, 'tool:read')).arrived;
  page = await freshTab(page);
  const request = authorizationRequest(stack.issuer, client, stack.mcpUrl, 'tool:read tool:execute');
  await page.goto(request.url);
  let focused = '';
  for (let presses = 0; presses < 20 && focused !== 'Approve'; presses++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => (document.activeElement as HTMLElement | null)?.innerText ?? '');
  }
  expect(focused).toBe('Approve');
  const ring = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement!);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  expect(ring.style).toBe('solid');
  expect(ring.width).toBeGreaterThanOrEqual(2);
  const arrived = navigationTo(page, APP_SCHEME);
  await page.keyboard.press('Enter');
  expect(paramsOf((await arrived).url())).toMatchObject({ code: expect.any(String), state: request.state });
});
