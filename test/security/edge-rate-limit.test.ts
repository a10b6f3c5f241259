/**
 * docs/security.md, case 46 and 55 against a client that lies about its address, on the local stack
 * (through the real CLI), whose authorization server sits behind the local edge as the
 * deployed one sits behind CloudFront: every request carries a fresh X-Forwarded-For and a
 * fresh, repeated, oddly spelled x-mcp-oauth-viewer-ip. The edge's viewer-request function
 * overwrites the stamp with the connection's address and the emulated WAF counts by the
 * stamp, so the flood is still cut off once WAF's estimate passes the /register limit.
 */
import { rawRequest } from '../support/raw-http';
import { startSecurityStack, type SecurityStack } from './support/security-stack';
import { floodUntilBlocked } from './support/waf-flood';

/** AWS WAF's smallest limit, set for this file through local.rateLimits (the deployed default is DEFAULT_RATE_LIMITS.register). */
const REGISTER_LIMIT = 10;

let ctx: SecurityStack;

beforeAll(async () => {
  ctx = await startSecurityStack({ configOverrides: (config) => (config.local.rateLimits = { register: REGISTER_LIMIT }) });
}, 90_000);

afterAll(async () => {
  await ctx?.stop();
});

describe('cases 46 and 55: a client that rotates its claimed address', () => {
  it('case 46: registrations with a new X-Forwarded-For and a spoofed viewer stamp each time still get 429 past the limit', async () => {
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
    const statuses = await floodUntilBlocked(register, { batch: 10, maxRequests: REGISTER_LIMIT + 1000 });

    expect(statuses.filter((s) => s !== 201 && s !== 429)).toEqual([]);
    expect(statuses).toContain(201);
    expect(statuses).toContain(429);
    // Once blocked, the next registration is blocked too: every address the client claimed was counted as one.
    expect(statuses.at(-1)).toBe(429);
  }, 90_000);
});
