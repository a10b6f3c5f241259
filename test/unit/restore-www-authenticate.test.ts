/**
 * The CloudFront viewer-response function that puts API Gateway's renamed WWW-Authenticate
 * back, run from its source file with CloudFront-shaped events (the file the CDK app deploys).
 */
import { RESTORE_WWW_AUTHENTICATE_SOURCE, loadCloudFrontFunction, type CloudFrontResponse, type CloudFrontViewerResponseEvent } from '../../local/emulator/cloudfront-functions';

const restore = loadCloudFrontFunction(RESTORE_WWW_AUTHENTICATE_SOURCE);
const TOOL_CHALLENGE = 'Bearer error="insufficient_scope", scope="tool:execute", resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp"';

function viewerResponse(response: CloudFrontResponse): CloudFrontViewerResponseEvent {
  return {
    version: '1.0',
    context: { eventType: 'viewer-response', requestId: 'r-1', distributionDomainName: 'd111111abcdef8.cloudfront.net' },
    viewer: { ip: '198.51.100.7' },
    request: { method: 'POST', uri: '/mcp', querystring: {}, headers: { host: { value: 'mcp.example.com' } }, cookies: {} },
    response,
  };
}

describe('restore-www-authenticate (CloudFront Function)', () => {
  it('copies the remapped challenge to www-authenticate and drops the remapped header', () => {
    const out = restore(viewerResponse({
      statusCode: 403,
      headers: { 'x-amzn-remapped-www-authenticate': { value: TOOL_CHALLENGE }, 'content-type': { value: 'application/json' } },
    }));
    expect(out.statusCode).toBe(403);
    expect(out.headers).toEqual({ 'www-authenticate': { value: TOOL_CHALLENGE }, 'content-type': { value: 'application/json' } });
  });

  it('keeps every value of a repeated challenge', () => {
    const multiValue = [{ value: TOOL_CHALLENGE }, { value: 'DPoP algs="ES256"' }];
    const out = restore(viewerResponse({ statusCode: 401, headers: { 'x-amzn-remapped-www-authenticate': { value: TOOL_CHALLENGE, multiValue } } }));
    expect(out.headers['www-authenticate']).toEqual({ value: TOOL_CHALLENGE, multiValue });
    expect(out.headers['x-amzn-remapped-www-authenticate']).toBeUndefined();
  });

  it('leaves a challenge API Gateway produced itself (gateway response) untouched', () => {
    const gateway = 'Bearer resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource/mcp", scope="tool:read"';
    const out = restore(viewerResponse({
      statusCode: 401,
      headers: { 'www-authenticate': { value: gateway }, 'x-amzn-remapped-www-authenticate': { value: 'Bearer realm="other"' } },
    }));
    expect(out.headers['www-authenticate']).toEqual({ value: gateway });
    expect(out.headers['x-amzn-remapped-www-authenticate']).toEqual({ value: 'Bearer realm="other"' });
  });

  it('passes responses without a challenge through unchanged', () => {
    const response = { statusCode: 200, headers: { 'content-type': { value: 'application/json' }, 'mcp-session-id': { value: 'abc' } } };
    expect(restore(viewerResponse(response))).toEqual(response);
  });
});
