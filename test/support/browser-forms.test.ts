import { decodeEntities, formFields, parseAttributes, parseForms } from '../support/browser';

const PAGE = 'http://localhost:8787/authorize?client_id=x';

describe('parseForms', () => {
  it('reads a consent form: relative action, POST, hidden CSRF token, decision buttons', () => {
    const html = `<html><body>
      <form class="consent" action="/consent" method="post">
        <input type="hidden" name="csrf_token" value="t0k&amp;en">
        <input type=hidden name='request_id' value='r1'>
        <button type="submit" name="decision" value="approve">Allow</button>
        <button name="decision" value="deny" type="submit">Deny</button>
      </form></body></html>`;
    const [form] = parseForms(html, PAGE);
    expect(form.action).toBe('http://localhost:8787/consent');
    expect(form.method).toBe('POST');
    expect(form.submitButtons.map((b) => b.value)).toEqual(['approve', 'deny']);
    const deny = form.submitButtons[1];
    expect([...formFields(form, {}, deny)]).toEqual([['csrf_token', 't0k&en'], ['request_id', 'r1'], ['decision', 'deny']]);
  });

  it('fills a login form whatever the attribute order, and submits only the clicked button', () => {
    const html = `<form autocomplete="off" action="/interaction/abc/login" method="POST">
      <input required type="text" name="username" placeholder="Enter any login" autofocus="on">
      <input name="password" type="password" required>
      <input type="checkbox" name="remember" value="yes">
      <input type="checkbox" name="terms" checked>
      <button type="submit" class="login login-submit">Sign-in</button>
    </form>`;
    const [form] = parseForms(html, 'http://localhost:8789/interaction/abc');
    expect(form.action).toBe('http://localhost:8789/interaction/abc/login');
    expect(Object.fromEntries(formFields(form, { username: 'alice', password: 'alice' }, form.submitButtons[0]))).toEqual({ username: 'alice', password: 'alice', terms: 'on' });
  });

  it('defaults to GET and the page URL when a form names neither, and skips disabled controls', () => {
    const [form] = parseForms(`<FORM><INPUT NAME="a" VALUE="1"><input name="b" value="2" disabled><textarea name="c">x &lt; y</textarea><select name="d"><option value="1">one<option value="2" selected>two</select></FORM>`, PAGE);
    expect(form.method).toBe('GET');
    expect(form.action).toBe(PAGE);
    expect(Object.fromEntries(formFields(form))).toEqual({ a: '1', c: 'x < y', d: '2' });
    expect(form.submitButtons).toEqual([]);
  });

  it('finds every form on a page, and resolves absolute actions to themselves', () => {
    const forms = parseForms(`<form action="http://localhost:8787/callback" method="post"><input type="submit" value="Go"></form><form action="../up"></form>`, 'http://localhost:8789/a/b/c');
    expect(forms.map((f) => f.action)).toEqual(['http://localhost:8787/callback', 'http://localhost:8789/a/up']);
    expect(forms[0].submitButtons.map((b) => b.value)).toEqual(['Go']);
  });
});

describe('parseAttributes and decodeEntities', () => {
  it('handles double, single and no quotes, bare attributes, and keeps the first duplicate', () => {
    expect(parseAttributes(` a="x y" b='1"2' c=plain d e = "spaced" a="dup"`)).toEqual({ a: 'x y', b: '1"2', c: 'plain', d: '', e: 'spaced' });
  });

  it('decodes named and numeric entities and leaves unknown ones alone', () => {
    expect(decodeEntities('&lt;&amp;&quot;&#39;&#x2F;&bogus;')).toBe(`<&"'/&bogus;`);
  });
});
