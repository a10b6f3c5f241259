/**
 * docs/security.md, case 46 and 55 against a client that lies about its address, on the local stack
 * (through the real CLI), whose authorization server sits behind the local edge as the
 * deployed one sits behind CloudFront: every request carries a fresh X-Forwarded-For and a
 * fresh, repeated, oddly spelled x-mcp-oauth-viewer-ip. The edge's viewer-request function
 * overwrites the stamp with the connection's address and the emulated WAF counts by the
 * stamp, so the flood is still cut off at the /register limit.
 */
import { LOCAL_RATE_LIMITS } from '../../local/local-stack';
import { rawRequest } from '../support/raw-http';
import { startSecurityStack, type SecurityStack } from './support/security-stack';

let ctx: SecurityStack;

beforeAll(async () => {
  ctx = await startSecurityStack();
}, 90_000);

afterAll(async () => {
  await ctx?.stop();
});

describe('cases 46 and 55: a client that rotates its claimed address', () => {
  it('case 46: registrations with a new X-Forwarded-For and a spoofed viewer stamp each time still get 429 past the limit', async () => {
    const rule = LOCAL_RATE_LIMITS.find((r) => r.pathPrefix === '/register')!;
    const url = `http://127.0.0.1:${ctx.stack.ports.authorizationServer}/register`;
    let sent = 0;
    const register = () => {
      const n = ++sent;
      const address = `198.51.${Math.floor(n / 250)}.${n % 250}`;
      return rawRequest(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-Forwarded-For': address,
          'X-MCP-OAuth-Viewer-IP': [address, `203.0.113.${n % 250}`],
        },
        body: JSON.stringify({ redirect_uris: ['https://app.example/cb'], token_endpoint_auth_method: 'none', client_name: `App ${n}` }),
      });
    };
    const statuses: number[] = [];
    while (sent < rule.limit + 20) statuses.push(...(await Promise.all(Array.from({ length: 20 }, register))).map((a) => a.status));

    expect(statuses.filter((s) => s !== 201 && s !== 429)).toEqual([]);
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(rule.limit);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(20);
  }, 60_000);
});
