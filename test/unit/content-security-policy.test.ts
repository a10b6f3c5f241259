import { createHash } from 'node:crypto';
import { contentSecurityPolicy, formActionSource } from '../../lambda/core/authorization-server/content-security-policy';
import { redirectUriRegistrationProblem } from '../../lambda/core/authorization-server/redirect-uri';
import { a0, authorize, browserTestDeps, signedIn } from '../support/browser-flow';

function directive(policy: string, name: string): string | undefined {
  return policy.split('; ').find((d) => d === name || d.startsWith(`${name} `));
}

describe('content-security-policy.ts: formActionSource (CSP Level 3 source expressions)', () => {
  it.each([
    ['https, path and query dropped (CSP ignores paths after a redirect)', 'https://c1.example/cb?x=1', 'https://c1.example'],
    ['https with a non-default port', 'https://c1.example:8443/cb', 'https://c1.example:8443'],
    ['https with its default port written out', 'https://c1.example:443/cb', 'https://c1.example'],
    ['an internationalised host, as the browser matches it (punycode)', 'https://bücher.example/cb', 'https://xn--bcher-kva.example'],
    ['loopback http with the port of this request', 'http://127.0.0.1:51004/callback', 'http://127.0.0.1:51004'],
    ['loopback http without a port', 'http://127.0.0.1/callback', 'http://127.0.0.1'],
    ['localhost', 'http://localhost:3000/cb', 'http://localhost:3000'],
    ['a private-use scheme without authority: the scheme alone', 'com.example.app:/callback', 'com.example.app:'],
    ['a private-use scheme with an authority', 'com.example.app://oauth/callback', 'com.example.app:'],
    ['a private-use scheme with + - . in it', 'com.example.my-app+v2:/cb', 'com.example.my-app+v2:'],
  ])('%s: %s -> %s', (_label, uri, source) => {
    expect(redirectUriRegistrationProblem(uri)).toBeUndefined();
    expect(formActionSource(uri)).toBe(source);
  });

  it.each([
    ['an IPv6 literal (not in the CSP host grammar: browsers drop it)', 'http://[::1]:5000/cb'],
    ['a host with an underscore (not a CSP host-char)', 'https://my_host.example/cb'],
    ['a host with a character that would end the directive', 'https://a;b.example/cb'],
  ])('%s: %s has no source', (_label, uri) => {
    expect(formActionSource(uri)).toBeUndefined();
  });

  it.each(['javascript:alert(1)', 'data:text/html,x', 'vbscript:x', 'blob:https://a.example/x', 'file:///etc/passwd', 'about:blank', 'not a uri', 'HTTPS://UPPER.example/cb'])(
    'never a source for %s',
    (uri) => expect(formActionSource(uri)).toBeUndefined(),
  );
});

describe('content-security-policy.ts: contentSecurityPolicy', () => {
  const stylesheet = 'body{color:red}';
  const hash = `'sha256-${createHash('sha256').update(stylesheet).digest('base64')}'`;

  it('a page without a form allows no form at all, no script, no framing, no base', () => {
    expect(contentSecurityPolicy({ stylesheet })).toBe(`default-src 'none'; style-src ${hash}; form-action 'none'; frame-ancestors 'none'; base-uri 'none'`);
  });

  it('a form page allows itself and exactly the targets it names, once each', () => {
    const policy = contentSecurityPolicy({ stylesheet, formTargets: ['com.example.app:/callback', 'https://idp.example/authorize', 'https://idp.example/other'] });
    expect(directive(policy, 'form-action')).toBe("form-action 'self' com.example.app: https://idp.example");
    expect(policy).not.toMatch(/\bhttps?:(?!\/\/)/);
  });

  it('a target CSP cannot name is left out (the form is then answered with a link page)', () => {
    expect(directive(contentSecurityPolicy({ stylesheet, formTargets: ['http://[::1]:5000/cb'] }), 'form-action')).toBe("form-action 'self'");
  });

  it('images only from the sources named', () => {
    expect(directive(contentSecurityPolicy({ stylesheet }), 'img-src')).toBeUndefined();
    expect(directive(contentSecurityPolicy({ stylesheet, imageSources: ['https://cdn.example/logo.svg'] }), 'img-src')).toBe('img-src https://cdn.example/logo.svg');
  });
});

describe('content-security-policy.ts: the policy each page sends', () => {
  const privateUse = (raw: any) => raw.clients.push({ clientId: 'APP', clientName: 'Desktop app', redirectUris: ['com.example.app:/callback'], tokenEndpointAuthMethod: 'none' });

  it.each([
    ['https', 'C1', 'https://c1.example/cb', 'https://c1.example'],
    ['loopback http (this request\'s port)', 'LOOP', 'http://127.0.0.1:51004/cb', 'http://127.0.0.1:51004'],
    ['private-use scheme', 'APP', 'com.example.app:/callback', 'com.example.app:'],
  ])('consent page of a %s client: its redirect_uri and the upstream IdP, nothing else', async (_kind, clientId, redirectUri, source) => {
    const deps = browserTestDeps(privateUse);
    const response = await authorize(deps, a0({ client_id: clientId, redirect_uri: redirectUri }));
    expect(response.status).toBe(200);
    const policy = response.headers['Content-Security-Policy'];
    expect(directive(policy, 'form-action')).toBe(`form-action 'self' ${source} https://idp.example`);
    expect(directive(policy, 'frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(policy).not.toContain('script-src');
    expect(policy).not.toContain('unsafe-inline');
  });

  it('a signed-in consent page names the IdP too ("not you?" goes there)', async () => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0({ scope: 'tool:read admin' }), await signedIn(deps));
    expect(response.status).toBe(200);
    expect(directive(response.headers['Content-Security-Policy'], 'form-action')).toBe("form-action 'self' https://c1.example https://idp.example");
  });

  it('the style-src hash is the hash of the page\'s one <style>, and the page has no style attribute or script', async () => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0());
    const styles = [...response.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    expect(styles).toHaveLength(1);
    expect(directive(response.headers['Content-Security-Policy'], 'style-src')).toBe(`style-src 'sha256-${createHash('sha256').update(styles[0]).digest('base64')}'`);
    expect(response.body).not.toMatch(/<script|\sstyle=|\son[a-z]+=/i);
  });

  it('an error page allows no form', async () => {
    const deps = browserTestDeps();
    const response = await authorize(deps, a0({ client_id: 'nobody' }));
    expect(response.status).toBe(400);
    expect(directive(response.headers['Content-Security-Policy'], 'form-action')).toBe("form-action 'none'");
  });
});
