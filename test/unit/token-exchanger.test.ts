import { createTokenExchanger, TokenExchangeError } from '../../lambda/guard';

function fakeAs() {
  const requests: URLSearchParams[] = [];
  let issued = 0;
  const fetchFn = (async (_url: string | URL | Request, init?: RequestInit) => {
    const body = new URLSearchParams(String(init?.body));
    requests.push(body);
    if (body.get('subject_token') === 'bad') return new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400 });
    issued++;
    return new Response(JSON.stringify({ access_token: `exchanged-${issued}`, token_type: 'Bearer', expires_in: 300 }), { status: 200 });
  }) as typeof fetch;
  return { requests, fetchFn };
}

describe('token-exchanger.ts: RFC 8693 for MCP server authors, cached until shortly before expiry', () => {
  it('sends the exchange as the server client and reuses the token until renewBeforeSeconds before it expires', async () => {
    let now = 1_000_000;
    const as = fakeAs();
    const exchanger = createTokenExchanger({ tokenEndpoint: 'https://as.example/token', clientId: 'srv', clientSecret: 's', fetch: as.fetchFn, nowMs: () => now, renewBeforeSeconds: 30 });
    expect(await exchanger.exchange('user-token', { resource: 'https://api.example' })).toBe('exchanged-1');
    expect(Object.fromEntries(as.requests[0]!)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', subject_token: 'user-token', subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token', resource: 'https://api.example',
    });
    now += 269_000;
    expect(await exchanger.exchange('user-token', { resource: 'https://api.example' })).toBe('exchanged-1');
    now += 2_000;
    expect(await exchanger.exchange('user-token', { resource: 'https://api.example' })).toBe('exchanged-2');
    expect(as.requests).toHaveLength(2);
  });

  it('never hands one subject token\'s exchange to another, nor one resource\'s or scope\'s to another', async () => {
    const as = fakeAs();
    const exchanger = createTokenExchanger({ tokenEndpoint: 'https://as.example/token', clientId: 'srv', clientSecret: 's', fetch: as.fetchFn });
    const a = await exchanger.exchange('alice', { resource: 'https://api.example' });
    expect(await exchanger.exchange('bob', { resource: 'https://api.example' })).not.toBe(a);
    expect(await exchanger.exchange('alice', { resource: 'https://other.example' })).not.toBe(a);
    expect(await exchanger.exchange('alice', { resource: 'https://api.example', scope: 'x' })).not.toBe(a);
  });

  it('throws TokenExchangeError with the OAuth error code, and caches nothing', async () => {
    const as = fakeAs();
    const exchanger = createTokenExchanger({ tokenEndpoint: 'https://as.example/token', clientId: 'srv', clientSecret: 's', fetch: as.fetchFn });
    await expect(exchanger.exchange('bad', { resource: 'https://api.example' })).rejects.toEqual(new TokenExchangeError(400, 'invalid_grant'));
    await expect(exchanger.exchange('bad', { resource: 'https://api.example' })).rejects.toBeInstanceOf(TokenExchangeError);
    expect(as.requests).toHaveLength(2);
  });
});
