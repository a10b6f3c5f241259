import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { authorizeInBrowser, Browser } from '../support/browser';

/**
 * A fake AS and IdP on two loopback ports, shaped like the real flow: consent form with a
 * CSRF token and a __Host- cookie, a 303 to the IdP, its login form, then a 303 back to
 * the AS callback, which redirects to the client with code and state.
 */
type Handler = (req: IncomingMessage, body: URLSearchParams, res: ServerResponse) => void;

function listen(handler: Handler): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => handler(req, new URLSearchParams(raw), res));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    resolve({ server, origin: `http://localhost:${typeof address === 'object' && address ? address.port : 0}` });
  }));
}

const redirect = (res: ServerResponse, status: number, location: string, cookies: string[] = []) => {
  res.writeHead(status, { location, 'set-cookie': cookies });
  res.end();
};
const html = (res: ServerResponse, body: string) => {
  res.writeHead(200, { 'content-type': 'text/html' });
  res.end(body);
};

describe('authorizeInBrowser', () => {
  let as: { server: Server; origin: string };
  let idp: { server: Server; origin: string };
  let offLoopbackTarget = 'https://evil.example/steal';
  const seen: { consentCookie?: string; csrf?: string; idpCookie?: string; origin?: string } = {};

  beforeAll(async () => {
    idp = await listen((req, body, res) => {
      const url = new URL(req.url!, idp.origin);
      if (url.pathname === '/auth') return redirect(res, 303, '/interaction/xyz', ['_interaction=i1; Path=/interaction/xyz; HttpOnly; SameSite=Lax']);
      if (url.pathname === '/interaction/xyz' && req.method === 'GET') {
        return html(res, `<form method="post" action="/interaction/xyz/login"><input name="username"><input type="password" name="password"><button>Sign in</button></form>`);
      }
      if (url.pathname === '/interaction/xyz/login') {
        seen.idpCookie = req.headers.cookie;
        if (body.get('username') !== 'alice' || body.get('password') !== 'pw') return html(res, 'wrong password');
        return redirect(res, 303, `${as.origin}/callback?code=up`);
      }
      res.writeHead(404).end();
    });
    as = await listen((req, body, res) => {
      const url = new URL(req.url!, as.origin);
      if (url.pathname === '/authorize') {
        if (url.searchParams.get('evil')) return redirect(res, 302, offLoopbackTarget);
        if (req.headers.cookie?.includes('__Host-session=s1')) return redirect(res, 302, 'http://127.0.0.1:9/cb?code=again&state=st');
        return html(res, `<form action='/consent' method='POST'><input type='hidden' value='tok' name='csrf_token'>
          <button type="submit" name="decision" value="approve">Allow</button><button type="submit" name="decision" value="deny">Deny</button></form>`);
      }
      if (url.pathname === '/consent') {
        seen.csrf = body.get('csrf_token') ?? undefined;
        seen.origin = req.headers.origin;
        if (body.get('decision') === 'deny') return redirect(res, 303, 'http://127.0.0.1:9/cb?error=access_denied&state=st');
        return redirect(res, 303, `${idp.origin}/auth`, ['__Host-pending=p1; Path=/; Secure; HttpOnly; SameSite=Lax']);
      }
      if (url.pathname === '/callback') {
        seen.consentCookie = req.headers.cookie;
        return redirect(res, 303, 'http://127.0.0.1:9/cb?code=c1&state=st', ['__Host-session=s1; Path=/; Secure; HttpOnly; SameSite=Lax']);
      }
      res.writeHead(404).end();
    });
  });
  afterAll(() => {
    as.server.close();
    idp.server.close();
  });

  const start = () => `${as.origin}/authorize?client_id=c&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&state=st`;

  it('approves consent, logs in at the IdP, keeps cookies per host, and stops at the redirect_uri', async () => {
    const browser = new Browser();
    const result = await authorizeInBrowser(start(), { username: 'alice', password: 'pw', browser });
    expect(result.redirectUrl).toBe('http://127.0.0.1:9/cb?code=c1&state=st');
    expect(result.params.get('code')).toBe('c1');
    expect(seen.csrf).toBe('tok');
    expect(seen.origin).toBe(as.origin);
    expect(seen.idpCookie).toBe('_interaction=i1');
    expect(seen.consentCookie).toBe('__Host-pending=p1');
    expect(result.pages.map((p) => `${p.method} ${new URL(p.url).pathname} ${p.status}`)).toEqual([
      'GET /authorize 200', 'POST /consent 303', 'GET /auth 303', 'GET /interaction/xyz 200', 'POST /interaction/xyz/login 303', 'GET /callback 303',
    ]);

    const again = await authorizeInBrowser(start(), { username: 'alice', password: 'pw', browser });
    expect(again.params.get('code')).toBe('again');
    expect(again.pages).toHaveLength(1);
  });

  it('clicks deny when told to', async () => {
    const result = await authorizeInBrowser(start(), { username: 'alice', password: 'pw', decision: 'deny' });
    expect(result.params.get('error')).toBe('access_denied');
  });

  it('fails with the page text and the trail when the flow dead-ends', async () => {
    await expect(authorizeInBrowser(start(), { username: 'alice', password: 'nope' })).rejects.toThrow(/nothing to submit[\s\S]*wrong password[\s\S]*POST http:\/\/localhost:\d+\/interaction\/xyz\/login -> 200/);
  });

  it('refuses to follow a redirect off loopback', async () => {
    offLoopbackTarget = 'https://evil.example/steal';
    await expect(authorizeInBrowser(`${start()}&evil=1`, { username: 'alice', password: 'pw' })).rejects.toThrow('refuses to leave loopback: https://evil.example');
    await expect(authorizeInBrowser('http://example.com/authorize?redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb', { username: 'a', password: 'a' })).rejects.toThrow('refuses to leave loopback');
  });
});
