/**
 * The Lambda entry of the authorization server: a proxy event in, a proxy result out,
 * through the real core (with in-memory ports), and a clean 500 when the function is
 * misconfigured.
 */
import { createAuthorizationServerHandler } from '../../lambda/adapters/apigw/authorization-server-proxy';
import { handler } from '../../lambda/handlers/authorization-server';
import { proxyEvent } from '../support/api-gateway-event';
import { inMemoryDeps } from '../support/in-memory-ports';

describe('createAuthorizationServerHandler', () => {
  it('serves the metadata document through the core', async () => {
    const serve = createAuthorizationServerHandler(inMemoryDeps());

    const result = await serve(proxyEvent('GET', '/.well-known/oauth-authorization-server'));

    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body).issuer).toBe('http://localhost:8787');
  });

  it('hands a repeated parameter to the core as repeated (token request with two grant_type values)', async () => {
    const serve = createAuthorizationServerHandler(inMemoryDeps());

    const result = await serve(proxyEvent('POST', '/token', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      multiValueHeaders: { 'Content-Type': ['application/x-www-form-urlencoded'] },
      body: Buffer.from('grant_type=authorization_code&grant_type=refresh_token&client_id=x').toString('base64'),
      isBase64Encoded: true,
    }));

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toBe('invalid_request');
  });
});

describe('handler (Lambda entry)', () => {
  it('answers a generic 500 when its environment is missing, and logs which variable', async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: any) => (written.push(String(chunk)), true));
    let result;
    try {
      result = await handler(proxyEvent('GET', '/.well-known/oauth-authorization-server'));
    } finally {
      spy.mockRestore();
    }

    expect(result.statusCode).toBe(500);
    expect(JSON.parse(result.body)).toEqual({ error: 'server_error', error_description: 'The server could not complete the request.' });
    expect(result.body).not.toContain('MCP_OAUTH');
    expect(written.join('')).toContain('MCP_OAUTH_CONFIG: is not set');
  });
});
