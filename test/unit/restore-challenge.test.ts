/**
 * The Lambda@Edge origin-response function that puts API Gateway's renamed WWW-Authenticate
 * back, run from the file the CDK app deploys inline, with Lambda@Edge-shaped events
 * (lower-case header keys, arrays of { key, value }).
 */
import { EDGE_FUNCTIONS } from '../../lib/constructs/handler-entries';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require(EDGE_FUNCTIONS.restoreChallenge) as { handler: (event: unknown) => Promise<EdgeResponse> };

interface EdgeResponse {
  status: string;
  headers: Record<string, { key: string; value: string }[]>;
}

const TOOL_CHALLENGE = 'Bearer error="insufficient_scope", scope="tool:execute", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"';

function originResponse(status: string, headers: EdgeResponse['headers']): unknown {
  return { Records: [{ cf: { config: { eventType: 'origin-response' }, request: { method: 'POST', uri: '/mcp', headers: {} }, response: { status, statusDescription: 'x', headers } } }] };
}

describe('restore-challenge (Lambda@Edge, origin response)', () => {
  it('restores the step-up 403 challenge an integration sent, and drops the renamed header', async () => {
    const out = await handler(originResponse('403', {
      'x-amzn-remapped-www-authenticate': [{ key: 'x-amzn-Remapped-WWW-Authenticate', value: TOOL_CHALLENGE }],
      'content-type': [{ key: 'Content-Type', value: 'application/json' }],
    }));
    expect(out.status).toBe('403');
    expect(out.headers).toEqual({ 'www-authenticate': [{ key: 'WWW-Authenticate', value: TOOL_CHALLENGE }], 'content-type': [{ key: 'Content-Type', value: 'application/json' }] });
  });

  it('restores the 401 Basic challenge of /token, every value of a repeated one', async () => {
    const out = await handler(originResponse('401', {
      'x-amzn-remapped-www-authenticate': [{ key: 'x-amzn-Remapped-WWW-Authenticate', value: 'Basic realm="mcp-oauth"' }, { key: 'x-amzn-Remapped-WWW-Authenticate', value: 'DPoP algs="ES256"' }],
    }));
    expect(out.headers['www-authenticate']).toEqual([{ key: 'WWW-Authenticate', value: 'Basic realm="mcp-oauth"' }, { key: 'WWW-Authenticate', value: 'DPoP algs="ES256"' }]);
    expect(out.headers['x-amzn-remapped-www-authenticate']).toBeUndefined();
  });

  it('leaves a challenge API Gateway produced itself (a gateway response) as it is', async () => {
    const headers = { 'www-authenticate': [{ key: 'WWW-Authenticate', value: 'Bearer resource_metadata="x"' }], 'x-amzn-remapped-www-authenticate': [{ key: 'x-amzn-Remapped-WWW-Authenticate', value: 'other' }] };
    const out = await handler(originResponse('401', structuredClone(headers)));
    expect(out.headers).toEqual(headers);
  });

  it('passes a response without a renamed challenge through untouched', async () => {
    const headers = { 'content-type': [{ key: 'Content-Type', value: 'application/json' }] };
    expect((await handler(originResponse('200', structuredClone(headers)))).headers).toEqual(headers);
  });

  it('fits Lambda\'s 4 KB inline code limit (the CDK app deploys it inline)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('node:fs').readFileSync(EDGE_FUNCTIONS.restoreChallenge).length).toBeLessThan(4096);
  });
});
