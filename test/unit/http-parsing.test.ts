/** The core's readers of what a sender wrote: form bodies and cookies. */
import { parseCookies, parseForm, type HttpRequest } from '../../lambda/core/http';

const request = (cookie: string[]): HttpRequest => ({ method: 'GET', path: '/', query: {}, headers: { cookie } });

describe('parseForm', () => {
  it('keeps every value of every field, in order', () => {
    expect(parseForm('a=1&b=2&a=3')).toEqual({ a: ['1', '3'], b: ['2'] });
    expect(parseForm(undefined)).toEqual({});
  });

  it('takes __proto__, constructor and other Object members as plain field names', () => {
    const form = parseForm('__proto__=x&constructor=y&toString=z&hasOwnProperty=w&__proto__=v');
    expect(Object.entries(form)).toEqual([['__proto__', ['x', 'v']], ['constructor', ['y']], ['toString', ['z']], ['hasOwnProperty', ['w']]]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe('parseCookies', () => {
  it('keeps the first value of a name across Cookie headers', () => {
    expect(parseCookies(request(['a=1; b=2', 'a=3']))).toEqual({ a: '1', b: '2' });
  });

  it('reads cookies named like Object members', () => {
    expect(Object.entries(parseCookies(request(['constructor=1; __proto__=2; toString=3'])))).toEqual([['constructor', '1'], ['__proto__', '2'], ['toString', '3']]);
  });
});
