/**
 * The scanner's parts on their own: the WWW-Authenticate parser, the forged tokens, the host
 * policy and request budget of the HTTP layer, the discovery order, the renderers, and the
 * catalogue kept in step with the JSON Schema and docs/scanner.md.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { FINDING_IDS, FINDINGS } from '../../cli/scan/findings';
import { publicKeyHmacToken, tamperedToken, unsignedToken } from '../../cli/scan/forged-tokens';
import { AdvertisedHosts, MAX_REQUESTS_PER_PROBE, OffHostError, ProbeHttp, RequestBudgetError } from '../../cli/scan/http';
import { metadataUrls } from '../../cli/scan/probes/authorization-server';
import { toSarif } from '../../cli/scan/render/sarif';
import { renderTable } from '../../cli/scan/render/table';
import { PROBES, runScan, scrub } from '../../cli/scan/scanner';
import { parseWwwAuthenticate } from '../../cli/scan/www-authenticate';
import { startReferenceServer } from './fixtures/reference-server';
import { expectValidSarif, testSettings } from './support/scan-helpers';

describe('www-authenticate.ts: challenges (RFC 9110 §11.6.1)', () => {
  it.each([
    ['Bearer resource_metadata="https://h/.well-known/oauth-protected-resource/mcp", scope="a b"', [{ scheme: 'bearer', params: { resource_metadata: 'https://h/.well-known/oauth-protected-resource/mcp', scope: 'a b' } }]],
    ['Basic realm="x", Bearer error=invalid_token', [{ scheme: 'basic', params: { realm: 'x' } }, { scheme: 'bearer', params: { error: 'invalid_token' } }]],
    ['BEARER Error="a \\"quoted\\", comma", SCOPE=s', [{ scheme: 'bearer', params: { error: 'a "quoted", comma', scope: 's' } }]],
    ['Negotiate abc123==, Bearer', [{ scheme: 'negotiate', params: {}, token68: 'abc123==' }, { scheme: 'bearer', params: {} }]],
    ['Bearer realm="first", realm="second"', [{ scheme: 'bearer', params: { realm: 'first' } }]],
    ['', []],
  ])('%s', (header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected);
  });
});

describe('forged-tokens.ts', () => {
  const target = { issuer: 'https://as.example', audience: 'https://mcp.example/mcp', scope: 'a', kid: 'k1', nowSeconds: 1_000_000 };
  const part = (token: string, i: number) => JSON.parse(Buffer.from(token.split('.')[i]!, 'base64url').toString());

  it('alg none: the live claims of the target and an empty signature', () => {
    const token = unsignedToken(target);
    expect(token.endsWith('.')).toBe(true);
    expect(part(token, 0)).toEqual({ alg: 'none', typ: 'at+jwt', kid: 'k1' });
    expect(part(token, 1)).toMatchObject({ iss: 'https://as.example', aud: 'https://mcp.example/mcp', scope: 'a', exp: 1_000_600 });
  });

  it('HS256 keyed with the PEM, as a confused verifier would check it', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n';
    const [header, payload, signature] = publicKeyHmacToken(target, pem).split('.');
    expect(signature).toBe(createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url'));
  });

  it('tampering changes exactly one character, inside the signature of a JWT', () => {
    const jwt = 'aaaa.bbbb.cccccccccccc';
    const { token, where } = tamperedToken(jwt);
    expect([...token].filter((c, i) => c !== jwt[i])).toHaveLength(1);
    expect(token.split('.').slice(0, 2)).toEqual(['aaaa', 'bbbb']);
    expect(where).toBe('of its signature');
    expect(tamperedToken('0123456789').token).toBe('01234A6789');
  });
});

describe('http.ts: where the scanner may go', () => {
  it('a public target cannot point it at loopback, private or link-local addresses; scheme other than http(s) is refused', () => {
    const hosts = new AdvertisedHosts(new URL('https://mcp.example.com/mcp'));
    expect(hosts.admit('https://as.example.com')).toBeUndefined();
    expect(hosts.admit('http://127.0.0.1:8787')).toMatch(/loopback or private/);
    expect(hosts.admit('https://10.1.2.3/')).toMatch(/loopback or private/);
    expect(hosts.admit('https://localhost/')).toMatch(/loopback or private/);
    expect(hosts.admit('http://169.254.169.254/latest/meta-data')).toMatch(/link-local/);
    expect(hosts.admit('file:///etc/passwd')).toMatch(/file: URLs are not followed/);
    expect([hosts.allows('https://as.example.com/token'), hosts.allows('http://127.0.0.1:8787/x'), hosts.allows('https://other.example.com/')]).toEqual([true, false, false]);
  });

  it('a local target may advertise loopback hosts, but never link-local ones', () => {
    const hosts = new AdvertisedHosts(new URL('http://localhost:8788/mcp'));
    expect(hosts.admit('http://localhost:8787')).toBeUndefined();
    expect(hosts.admit('http://[fe80::1]:80/')).toMatch(/link-local/);
  });

  it('refuses a host that was not advertised before sending anything, and stops a probe at its request budget', async () => {
    let calls = 0;
    const fetchImpl = (async () => {
      calls++;
      return new Response('{}', { status: 200 });
    }) as typeof fetch;
    const http = new ProbeHttp({ hosts: new AdvertisedHosts(new URL('https://mcp.example.com/mcp')), timeoutMs: 1000, fetchImpl });
    await expect(http.send('https://elsewhere.example.com/')).rejects.toBeInstanceOf(OffHostError);
    expect(calls).toBe(0);
    for (let i = 0; i < MAX_REQUESTS_PER_PROBE; i++) await http.send('https://mcp.example.com/mcp');
    await expect(http.send('https://mcp.example.com/mcp')).rejects.toBeInstanceOf(RequestBudgetError);
    expect(calls).toBe(MAX_REQUESTS_PER_PROBE);
  });

  it('does not follow a metadata redirect to a host the target did not advertise', async () => {
    let elsewhereHits = 0;
    const elsewhere = createServer((_, response) => {
      elsewhereHits++;
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    const elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/prm`;
    const target = createServer((request, response) => {
      if (request.url?.startsWith('/.well-known/')) return void response.writeHead(302, { location: elsewhereUrl }).end();
      response.writeHead(401, { 'www-authenticate': 'Bearer scope="x"' }).end();
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    try {
      const report = await runScan(`http://127.0.0.1:${(target.address() as AddressInfo).port}/mcp`, testSettings());
      const prm = report.findings.find((f) => f.id === 'prm-discoverable')!;
      expect(prm.status).toBe('fail');
      expect(prm.detail).toContain(`127.0.0.1:${(elsewhere.address() as AddressInfo).port} is not a host the target advertised`);
      expect(elsewhereHits).toBe(0);
    } finally {
      await Promise.all([new Promise((r) => elsewhere.close(r)), new Promise((r) => target.close(r))]);
    }
  });
});

it('a server that never answers a token costs each token probe its deadline, not the scan', async () => {
  const stalled = createServer((request, response) => {
    if (request.headers.authorization) return; // never answers
    response.writeHead(401, { 'www-authenticate': 'Bearer scope="x"' }).end();
  });
  await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
  try {
    const url = `http://127.0.0.1:${(stalled.address() as AddressInfo).port}/mcp`;
    const report = await runScan(url, testSettings({ timeoutMs: 300 }));
    const tokenProbes = report.findings.filter((f) => ['token-garbage', 'token-alg-none', 'token-expired'].includes(f.id));
    expect(tokenProbes.map((f) => [f.status, f.detail])).toEqual(tokenProbes.map(() => ['warn', `the probe could not finish: ${url}: no answer within the probe's 300 ms`]));
  } finally {
    stalled.closeAllConnections();
    await new Promise((resolve) => stalled.close(resolve));
  }
});

it('authorization server metadata URLs in the order MCP gives (RFC 8414 §3.1, then OpenID discovery)', () => {
  expect(metadataUrls('https://as.example.com')).toEqual(['https://as.example.com/.well-known/oauth-authorization-server', 'https://as.example.com/.well-known/openid-configuration']);
  expect(metadataUrls('https://as.example.com/')).toEqual(['https://as.example.com/.well-known/oauth-authorization-server', 'https://as.example.com/.well-known/openid-configuration']);
  expect(metadataUrls('https://as.example.com/tenant1')).toEqual([
    'https://as.example.com/.well-known/oauth-authorization-server/tenant1',
    'https://as.example.com/.well-known/openid-configuration/tenant1',
    'https://as.example.com/tenant1/.well-known/openid-configuration',
  ]);
});

describe('a full scan of the reference server', () => {
  it('no probe sends more than its budget; the whole scan with every option but --login stays small', async () => {
    const server = await startReferenceServer();
    let requests = 0;
    const counting = ((input: RequestInfo | URL, init?: RequestInit) => {
      requests++;
      return fetch(input, init);
    }) as typeof fetch;
    const perProbe: number[] = [];
    let before = 0;
    try {
      await runScan(server.mcpUrl, testSettings({ register: true, fetchImpl: counting, token: server.mintToken({ audience: server.mcpUrl, scope: 'mcp:read' }), otherResourceToken: server.mintToken({ audience: 'https://o.example/mcp', scope: 'mcp:read' }) }), () => {
        perProbe.push(requests - before);
        before = requests;
      });
    } finally {
      await server.close();
    }
    expect(perProbe).toHaveLength(PROBES.length);
    expect(Math.max(...perProbe)).toBeLessThanOrEqual(MAX_REQUESTS_PER_PROBE);
    expect(requests).toBeLessThanOrEqual(35);
  });

  it('renders SARIF 2.1.0 that the schema accepts, and a table with colour only when asked', async () => {
    const server = await startReferenceServer('no-s256');
    try {
      const report = await runScan(server.mcpUrl, testSettings());
      const sarif = toSarif(report) as any;
      expectValidSarif(sarif);
      expect(sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(FINDING_IDS);
      const failed = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'as-pkce-s256');
      expect({ kind: failed.kind, level: failed.level }).toEqual({ kind: 'fail', level: 'error' });
      expect(sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'auth-required')).toMatchObject({ kind: 'pass', level: 'none' });
      expect(renderTable(report, { colour: false })).not.toContain('\u001b[');
      expect(renderTable(report, { colour: true })).toContain('\u001b[31mFAIL\u001b[0m');
    } finally {
      await server.close();
    }
  });
});

it('a secret in a detail is scrubbed', () => {
  expect(scrub('Bearer abc.def.ghi-secret was refused', new Set(['abc.def.ghi-secret']))).toBe('Bearer [redacted] was refused');
});

describe('the catalogue', () => {
  it('every probe decides one finding, and every finding has its probe, in catalogue order', () => {
    expect(PROBES.map((p) => p.id)).toEqual(FINDING_IDS);
  });

  it('schema/scan-report.schema.json lists exactly the finding ids', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '../../schema/scan-report.schema.json'), 'utf8'));
    expect(schema.$defs.findingId.enum).toEqual(FINDING_IDS);
  });

  it('docs/scanner.md describes every finding id', () => {
    const docs = readFileSync(join(__dirname, '../../docs/scanner.md'), 'utf8');
    const documented = new Set([...docs.matchAll(/^#### (.+)$/gm)].flatMap((m) => [...m[1]!.matchAll(/`([a-z0-9-]+)`/g)].map((x) => x[1])));
    expect(FINDING_IDS.filter((id) => !documented.has(id))).toEqual([]);
    expect([...documented].filter((id) => !(id! in FINDINGS))).toEqual([]);
  });
});
