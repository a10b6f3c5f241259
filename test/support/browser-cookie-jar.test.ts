import { CookieJar, parseSetCookie } from '../support/browser';

const NOW = Date.parse('2026-03-01T12:00:00Z');

function jarAt(nowMs = NOW) {
  let now = nowMs;
  const jar = new CookieJar(() => now);
  return { jar, advance: (ms: number) => (now += ms) };
}

describe('CookieJar', () => {
  it('keeps cookies apart per host:port', () => {
    const { jar } = jarAt();
    jar.store('http://localhost:8787/authorize', ['sid=as; Path=/']);
    jar.store('http://localhost:8789/interaction/1', ['sid=idp; Path=/']);
    expect(jar.header('http://localhost:8787/consent')).toBe('sid=as');
    expect(jar.header('http://localhost:8789/')).toBe('sid=idp');
    expect(jar.header('http://127.0.0.1:8787/consent')).toBeUndefined();
  });

  it('sends a cookie only under its Path, and defaults Path to the directory of the request', () => {
    const { jar } = jarAt();
    jar.store('http://localhost:8789/interaction/abc/login', ['_interaction=1; Path=/interaction/abc', 'dflt=2']);
    expect(jar.header('http://localhost:8789/interaction/abc')).toBe('_interaction=1; dflt=2');
    expect(jar.header('http://localhost:8789/interaction/abc/confirm')).toBe('_interaction=1; dflt=2');
    expect(jar.header('http://localhost:8789/interaction/abcd')).toBeUndefined();
    expect(jar.header('http://localhost:8789/auth')).toBeUndefined();
  });

  it('puts the longest path first and replaces a cookie of the same name and path', () => {
    const { jar } = jarAt();
    jar.store('http://localhost:1/', ['a=root; Path=/', 'a=deep; Path=/x/y', 'a=root2; Path=/']);
    expect(jar.header('http://localhost:1/x/y/z')).toBe('a=deep; a=root2');
  });

  it('deletes on Max-Age=0, a past Expires, and forgets cookies whose Max-Age ran out', () => {
    const { jar, advance } = jarAt();
    jar.store('http://localhost:1/', ['a=1; Path=/', 'b=2; Path=/', 'c=3; Path=/; Max-Age=60']);
    jar.store('http://localhost:1/', ['a=; Path=/; Max-Age=0', 'b=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT']);
    expect(jar.header('http://localhost:1/')).toBe('c=3');
    advance(61_000);
    expect(jar.header('http://localhost:1/')).toBeUndefined();
  });

  it('lets Max-Age win over Expires', () => {
    const cookie = parseSetCookie('a=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=10', new URL('http://localhost/'), NOW);
    expect(cookie?.expiresAtMs).toBe(NOW + 10_000);
  });

  it('treats http://localhost as a secure context (as browsers do) but no other plain-http host', () => {
    const { jar } = jarAt();
    jar.store('http://localhost:8787/', ['__Host-session=s; Path=/; Secure; HttpOnly; SameSite=Lax']);
    expect(jar.header('http://localhost:8787/consent')).toBe('__Host-session=s');
    expect(parseSetCookie('s=1; Secure', new URL('http://auth.example.com/'), NOW)).toBeUndefined();
    const https = new CookieJar(() => NOW);
    https.store('https://auth.example.com/', ['s=1; Secure; Path=/']);
    expect(https.header('https://auth.example.com/')).toBe('s=1');
    expect(https.header('http://auth.example.com/')).toBeUndefined();
  });

  it.each([
    ['__Host- without Secure', '__Host-a=1; Path=/'],
    ['__Host- with a Path other than /', '__Host-a=1; Secure; Path=/consent'],
    ['__Host- without Path', '__Host-a=1; Secure'],
    ['__Host- with Domain', '__Host-a=1; Secure; Path=/; Domain=localhost'],
    ['__Secure- without Secure', '__Secure-a=1; Path=/'],
    ['SameSite=None without Secure', 'a=1; SameSite=None'],
    ['a Domain the host does not match', 'a=1; Domain=evil.example'],
    ['no name', '=1'],
  ])('rejects %s, as browsers do', (_case, header) => {
    expect(parseSetCookie(header, new URL('http://localhost:8787/authorize'), NOW)).toBeUndefined();
  });

  it('records HttpOnly, Secure and SameSite for assertions', () => {
    const { jar } = jarAt();
    jar.store('http://localhost:8787/', ['__Host-c=1; Path=/; Secure; HttpOnly; SameSite=Strict']);
    expect(jar.all('localhost:8787')).toEqual([expect.objectContaining({ name: '__Host-c', secure: true, httpOnly: true, sameSite: 'strict', path: '/' })]);
  });

  it('holds back Strict cookies on cross-site requests, and Lax ones too unless it is a top-level GET', () => {
    const { jar } = jarAt();
    jar.store('http://localhost:1/', ['s=1; Path=/; SameSite=Strict', 'l=2; Path=/; SameSite=Lax', 'd=3; Path=/', 'n=4; Path=/; Secure; SameSite=None']);
    expect(jar.header('http://localhost:1/', { sameSite: true, topLevelSafeNavigation: false })).toBe('s=1; l=2; d=3; n=4');
    expect(jar.header('http://localhost:1/', { sameSite: false, topLevelSafeNavigation: true })).toBe('l=2; d=3; n=4');
    expect(jar.header('http://localhost:1/', { sameSite: false, topLevelSafeNavigation: false })).toBe('n=4');
  });
});
