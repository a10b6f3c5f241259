import {
  hasDotSegment,
  redirectUriMatches,
  redirectUriRegistrationProblem,
  selectRedirectUri,
} from '../../lambda/core/authorization-server/redirect-uri';

describe('redirect URI matching at /authorize', () => {
  const registered = 'https://c1.example/cb';

  it('accepts the registered URI, character for character', () => {
    expect(redirectUriMatches(registered, registered)).toBe(true);
  });

  // docs/security.md, case 1 and 2: each near miss is a different URI.
  it.each([
    ['case 1: another host', 'https://evil.example/cb'],
    ['case 2: trailing slash', 'https://c1.example/cb/'],
    ['case 2: upper-case host', 'https://C1.EXAMPLE/cb'],
    ['case 2: upper-case scheme', 'HTTPS://c1.example/cb'],
    ['case 2: added query', 'https://c1.example/cb?x=1'],
    ['case 2: dot segments', 'https://c1.example/cb/../evil'],
    ['case 2: encoded dot segments', 'https://c1.example/cb%2F..%2Fevil'],
    ['case 2: user information', 'https://c1.example@evil.example/cb'],
    ['case 2: subdomain of the attacker', 'https://c1.example.evil.example/cb'],
    ['case 2: another port', 'https://c1.example:444/cb'],
    ['case 2: fragment', 'https://c1.example/cb#f'],
    ['explicit default port', 'https://c1.example:443/cb'],
    ['plain http', 'http://c1.example/cb'],
  ])('rejects %s', (_name, requested) => {
    expect(redirectUriMatches(registered, requested)).toBe(false);
  });

  // docs/security.md, case 3 and RFC 8252 section 7.3: loopback redirects may use any port.
  it.each([
    ['http://127.0.0.1/cb', 'http://127.0.0.1:51004/cb', true],
    ['http://127.0.0.1:8080/cb', 'http://127.0.0.1:51004/cb', true],
    ['http://[::1]/cb', 'http://[::1]:6000/cb', true],
    ['http://localhost/cb?app=1', 'http://localhost:6000/cb?app=1', true],
    ['http://127.0.0.1/cb', 'http://127.0.0.1:51004/cb2', false],
    ['http://127.0.0.1/cb', 'http://127.0.0.1:51004/cb/', false],
    ['http://127.0.0.1/cb', 'http://localhost:51004/cb', false],
    ['http://127.0.0.1/cb', 'http://127.0.0.1:51004/cb?x=1', false],
    ['http://127.0.0.1/cb', 'http://127.0.0.1:51004/cb#f', false],
    ['http://127.0.0.1/cb', 'https://127.0.0.1:51004/cb', false],
    ['http://127.0.0.1/cb', 'http://127.0.0.1:99999/cb', false],
    ['http://127.0.0.1/cb', 'http://127.0.0.1:051004/cb', false],
    ['http://127.0.0.1/cb', 'http://127.0.0.1.evil.example:80/cb', false],
    ['https://c1.example/cb', 'https://c1.example:8443/cb', false],
  ])('loopback: registered %s, requested %s -> %s', (reg, requested, expected) => {
    expect(redirectUriMatches(reg, requested)).toBe(expected);
  });

  it('uses the only registered URI when none is sent, and none when several are registered (case 4)', () => {
    expect(selectRedirectUri([registered], undefined)).toBe(registered);
    expect(selectRedirectUri(['https://a.example/1', 'https://a.example/2'], undefined)).toBeUndefined();
    expect(selectRedirectUri(['https://a.example/1', 'https://a.example/2'], 'https://a.example/2')).toBe('https://a.example/2');
    expect(selectRedirectUri(['http://127.0.0.1/cb'], 'http://127.0.0.1:4000/cb')).toBe('http://127.0.0.1:4000/cb');
  });
});

describe('redirect URIs a client may register', () => {
  it.each([
    'https://app.example/callback',
    'https://app.example/callback?tenant=7',
    'http://127.0.0.1/callback',
    'http://127.0.0.1:3000/callback',
    'http://[::1]:3000/callback',
    'http://localhost:6274/oauth/callback',
    'com.example.app:/oauth2redirect',
    'com.example.app://callback',
  ])('accepts %s', (uri) => {
    expect(redirectUriRegistrationProblem(uri)).toBeUndefined();
  });

  // docs/security.md, case 44.
  it.each([
    ['case 44: javascript:', 'javascript:alert(1)', /javascript/],
    ['case 44: leading space before javascript:', ' javascript:alert(1)', /spaces/],
    ['case 44: mixed-case javascript:', 'JaVaScRiPt:alert(1)', /javascript/],
    ['case 44: tab inside the scheme', 'java\tscript:alert(1)', /spaces/],
    ['case 44: data:', 'data:text/html,<script>alert(1)</script>', /data/],
    ['case 44: file:', 'file:///etc/passwd', /file/],
    ['case 44: vbscript:', 'vbscript:msgbox(1)', /vbscript/],
    ['case 44: plain http off loopback', 'http://evil.example/cb', /https/],
    ['case 44: fragment', 'https://app.example/cb#f', /fragment/],
    ['case 44: wildcard', 'https://*.example/cb', /wildcard/],
    ['case 44: private-use scheme without a domain', 'myapp:/cb', /reverse-domain/],
    ['user information', 'https://app.example@evil.example/cb', /user information/],
    ['user information on loopback', 'http://user@127.0.0.1/cb', /user information/],
    ['dot segments', 'https://app.example/cb/../evil', /dot segments/],
    ['encoded dot segments', 'https://app.example/cb/%2e%2E/evil', /dot segments/],
    ['an authorization response parameter in the query', 'https://app.example/cb?iss=x', /"iss"/],
    ['a relative URI', '/cb', /absolute/],
    ['an upper-case scheme', 'HTTPS://app.example/cb', /lower-case/],
    ['an overlong URI', `https://app.example/${'a'.repeat(2000)}`, /at most 2000/],
    ['a number', 42, /non-empty string/],
    ['an empty string', '', /non-empty string/],
    ['http on a host that only starts like loopback', 'http://127.0.0.1.evil.example/cb', /https/],
  ])('rejects %s', (_name, uri, why) => {
    expect(redirectUriRegistrationProblem(uri)).toMatch(why);
  });

  it('finds dot segments however they are spelled', () => {
    expect(hasDotSegment('https://a.example/x/./y')).toBe(true);
    expect(hasDotSegment('https://a.example/x/%2E%2e')).toBe(true);
    expect(hasDotSegment('https://a.example/x/.%2e/y')).toBe(true);
    expect(hasDotSegment('https://a.example/x/..y')).toBe(false);
    expect(hasDotSegment('https://a.example/x?y=/../')).toBe(false);
  });
});
