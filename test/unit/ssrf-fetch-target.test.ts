/**
 * URL vetting before any DNS lookup or connection (docs/security.md, case 47-48): only plain https
 * URLs with a canonical host survive. Numeric hosts in odd forms are refused even though
 * the WHATWG parser would quietly turn them into 127.0.0.1.
 */
import { parseFetchTarget } from '../../lambda/adapters/http/fetch-target';

describe('parseFetchTarget', () => {
  it.each([
    ['http://client.example/meta.json', /not a plain https URL/],
    ['ftp://client.example/meta.json', /not a plain https URL/],
    [' https://client.example/meta.json', /not a plain https URL/],
    ['https:\\\\client.example/meta.json', /not a plain https URL/],
    ['https:/client.example/meta.json', /not a plain https URL/],
    ['https://u:p@client.example/meta.json', /credentials/],
    ['https://client.example/meta.json#x', /fragment/],
    ['https://client.example/meta.json#', /fragment/],
    ['https://2130706433/', /non-canonical/],
    ['https://0x7f.0.0.1/', /non-canonical/],
    ['https://0x7f000001/', /non-canonical/],
    ['https://0177.0.0.1/', /non-canonical/],
    ['https://127.1/', /non-canonical/],
    ['https://%31%32%37.0.0.1/', /non-canonical/],
    ['https://[::ffff:127.0.0.1]/', /non-canonical/],
    ['https://[0:0:0:0:0:0:0:1]/', /non-canonical/],
    [`https://client.example/${'a'.repeat(2100)}`, /too long/],
  ])('refuses %s', (url, reason) => {
    const result = parseFetchTarget(url);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it.each([
    ['https://client.example/meta.json', 'client.example', undefined, 443],
    ['HTTPS://client.example/meta.json', 'client.example', undefined, 443],
    ['https://Client.Example:8443/a/b.json?v=1', 'client.example', undefined, 8443],
    ['https://127.0.0.1:9443/c.json', '127.0.0.1', '127.0.0.1', 9443],
    ['https://[::1]:9443/c.json', '::1', '::1', 9443],
    ['https://8.8.8.8/c.json', '8.8.8.8', '8.8.8.8', 443],
  ])('accepts %s as host %s', (url, hostname, ipLiteral, port) => {
    const result = parseFetchTarget(url);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.target.hostname).toBe(hostname);
    expect(result.target.ipLiteral).toBe(ipLiteral);
    expect(result.target.port).toBe(port);
  });
});
