/**
 * The CloudFront viewer-request function that stamps the viewer's address for the WAF rate
 * rules, run from its source file with CloudFront-shaped events (the file the CDK app deploys).
 * Whatever a client sends under the header's name must never reach the origin.
 */
import { readFileSync } from 'node:fs';
import { STAMP_VIEWER_IP_SOURCE, fromCloudFrontHeaders, loadViewerRequestFunction, type CloudFrontHeaderValue, type CloudFrontViewerRequestEvent } from '../../local/emulator/cloudfront-functions';
import { EDGE_FUNCTIONS } from '../../lib/constructs/handler-entries';
import { VIEWER_IP_HEADER } from '../../lambda/edge/edge-headers';

const stamp = loadViewerRequestFunction(STAMP_VIEWER_IP_SOURCE);
const VIEWER = '203.0.113.9';

function viewerRequest(headers: Record<string, CloudFrontHeaderValue>): CloudFrontViewerRequestEvent {
  return {
    version: '1.0',
    context: { eventType: 'viewer-request', requestId: 'r-1', distributionDomainName: 'd111111abcdef8.cloudfront.net' },
    viewer: { ip: VIEWER },
    request: { method: 'POST', uri: '/register', querystring: {}, headers, cookies: { session: { value: 's' } } },
  };
}

/** Every value of the header, in any spelling, as CloudFront would send it on. */
function valuesOf(headers: Record<string, CloudFrontHeaderValue>, name: string): string[] {
  return fromCloudFrontHeaders(headers).filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
}

describe('stamp-viewer-ip (CloudFront Function)', () => {
  it('is the file the CDK app deploys and stamps the header the web ACL counts by', () => {
    expect(EDGE_FUNCTIONS.stampViewerIp).toBe(STAMP_VIEWER_IP_SOURCE);
    expect(readFileSync(STAMP_VIEWER_IP_SOURCE, 'utf8')).toContain(`var VIEWER_IP_HEADER = '${VIEWER_IP_HEADER}';`);
  });

  it('adds the viewer address and leaves every other part of the request as it was', () => {
    const headers = { 'content-type': { value: 'application/json' }, 'x-forwarded-for': { value: '198.51.100.1' } };
    const out = stamp(viewerRequest(headers));
    expect(out.headers).toEqual({ ...headers, [VIEWER_IP_HEADER]: { value: VIEWER, multiValue: [{ value: VIEWER }] } });
    expect(out).toMatchObject({ method: 'POST', uri: '/register', querystring: {}, cookies: { session: { value: 's' } } });
  });

  it.each([
    ['the same spelling', { [VIEWER_IP_HEADER]: { value: '10.0.0.1' } }],
    ['another case', { 'X-MCP-OAuth-Viewer-IP': { value: '10.0.0.1' } }],
    ['repeated', { [VIEWER_IP_HEADER]: { value: '10.0.0.1', multiValue: [{ value: '10.0.0.1' }, { value: '10.0.0.2' }] } }],
    ['repeated in two spellings', {
      [VIEWER_IP_HEADER]: { value: '10.0.0.1', multiValue: [{ value: '10.0.0.1' }, { value: '10.0.0.3' }] },
      'X-Mcp-Oauth-Viewer-Ip': { value: '10.0.0.2' },
    }],
  ])('overwrites a client-sent value (%s): only the viewer address survives', (_, sent) => {
    const out = stamp(viewerRequest(sent));
    expect(valuesOf(out.headers, VIEWER_IP_HEADER)).toEqual([VIEWER]);
    expect(Object.keys(out.headers).filter((n) => n.toLowerCase() === VIEWER_IP_HEADER)).toEqual([VIEWER_IP_HEADER]);
    // CloudFront applies a changed multiValue array as it is (a changed value alone would keep later repeats).
    expect(out.headers[VIEWER_IP_HEADER]!.multiValue).toEqual([{ value: VIEWER }]);
  });
});

describe('stamp-viewer-ip: IPv6 viewers are counted per /64', () => {
  const stampFor = (ip: string) => valuesOf(stamp({ ...viewerRequest({}), viewer: { ip } }).headers, VIEWER_IP_HEADER);

  it.each([
    ['2001:db8:85a3:8d3:1319:8a2e:370:7348', '2001:db8:85a3:8d3::/64'],
    ['2001:db8:85a3:8d3::1', '2001:db8:85a3:8d3::/64'],
    ['2001:0DB8:0000:0001:ffff::', '2001:db8:0:1::/64'],
    ['2001:db8::7', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['::ffff:192.0.2.1', '0:0:0:0::/64'],
    ['fe80:0:0:1:0:0:0:2', 'fe80:0:0:1::/64'],
  ])('%s is stamped as %s', (ip, prefix) => {
    expect(stampFor(ip)).toEqual([prefix]);
  });

  it('gives two addresses of one /64 the same stamp, and keeps IPv4 addresses whole', () => {
    expect(stampFor('2001:db8:1:2:aaaa::1')).toEqual(stampFor('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(stampFor('2001:db8:1:2::1')).not.toEqual(stampFor('2001:db8:1:3::1'));
    expect(stampFor('198.51.100.23')).toEqual(['198.51.100.23']);
  });
});
