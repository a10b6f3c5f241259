/**
 * HttpClientMetadataFetcher against a real https server on loopback (self-signed
 * certificate made with openssl for this run) and a loopback canary that must never be
 * reached (docs/security.md, case 48 and 49). The test origins are let through by
 * `allowedTestOrigins`; every other loopback or private target must be refused before a
 * single byte leaves.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpClientMetadataFetcher, MetadataFetchError, type HttpClientMetadataFetcherOptions, type ResolvedAddress } from '../../lambda/adapters/http/client-metadata-fetcher';
import { OAuthError } from '../../lambda/core/errors';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let certPem: string;
let server: HttpsServer;
let port: number;
let canary: NetServer;
let canaryPort: number;
let canaryHits = 0;
const routes = new Map<string, Handler>();
const hits = new Map<string, number>();
const hostHeaders: string[] = [];
let now = Date.parse('2026-01-01T00:00:00Z');
const clock = { nowMs: () => now };
const resolverCalls: string[] = [];
const dns: Record<string, ResolvedAddress[]> = {
  'metadata.test': [{ address: '127.0.0.1', family: 4 }],
  'evil.test': [{ address: '127.0.0.1', family: 4 }],
  'mixed.test': [{ address: '93.184.215.14', family: 4 }, { address: '127.0.0.1', family: 4 }],
  'rebind-v6.test': [{ address: '::1', family: 6 }],
  'metadata-v4.test': [{ address: '169.254.169.254', family: 4 }],
};

function json(body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers }).end(text);
  };
}

function listening<T extends NetServer>(s: T): Promise<number> {
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as { port: number }).port)));
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cimd-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
      '-subj', '/CN=metadata.test', '-addext', 'subjectAltName=DNS:metadata.test,IP:127.0.0.1'], { stdio: 'ignore' });
    certPem = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const keyPem = readFileSync(join(dir, 'key.pem'), 'utf8');
    server = createHttpsServer({ cert: certPem, key: keyPem }, (req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      hits.set(path, (hits.get(path) ?? 0) + 1);
      hostHeaders.push(req.headers.host ?? '');
      const handler = routes.get(path);
      if (handler) handler(req, res);
      else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    });
    port = await listening(server);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  canary = createNetServer((socket) => {
    canaryHits++;
    socket.destroy();
  });
  canaryPort = await listening(canary);
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await new Promise((resolve) => canary?.close(resolve));
});

beforeEach(() => {
  routes.clear();
  hits.clear();
  hostHeaders.length = 0;
  resolverCalls.length = 0;
});

function fetcher(overrides: Partial<HttpClientMetadataFetcherOptions> = {}): HttpClientMetadataFetcher {
  return new HttpClientMetadataFetcher({
    timeoutMs: 1500,
    maxBytes: 5120,
    cacheSeconds: 300,
    clock,
    resolve: async (hostname) => {
      resolverCalls.push(hostname);
      const answer = dns[hostname];
      if (!answer) throw Object.assign(new Error(`no such host ${hostname}`), { code: 'ENOTFOUND' });
      return answer;
    },
    allowedTestOrigins: [`https://127.0.0.1:${port}`, `https://metadata.test:${port}`],
    ca: certPem,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<MetadataFetchError> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(OAuthError);
  const error = caught as OAuthError;
  expect(error.code).toBe('invalid_client');
  // The caller's text is fixed: nothing about what the fetch ran into.
  expect(error.description).toBe('The client metadata document could not be retrieved.');
  expect(error.cause).toBeInstanceOf(MetadataFetchError);
  return error.cause as MetadataFetchError;
}

const document = { client_id: 'x', client_name: 'Test client', redirect_uris: ['http://127.0.0.1/cb'] };

describe('HttpClientMetadataFetcher: fetching', () => {
  it('fetches a JSON document from an allowed test origin', async () => {
    routes.set('/client.json', json(document));
    await expect(fetcher().fetch(`https://127.0.0.1:${port}/client.json`)).resolves.toEqual(document);
  });

  it('connects to the address it vetted: one resolution, no second lookup, TLS checked for the host name', async () => {
    routes.set('/client.json', json(document));
    // metadata.test exists only in the injected resolver, so the connection can only have used the pinned address.
    await expect(fetcher().fetch(`https://metadata.test:${port}/client.json`)).resolves.toEqual(document);
    expect(resolverCalls).toEqual(['metadata.test']);
    expect(hostHeaders).toEqual([`metadata.test:${port}`]);
  });

  it('keeps certificate verification on: without the test CA the fetch fails', async () => {
    routes.set('/client.json', json(document));
    const reason = await failure(fetcher({ ca: undefined }).fetch(`https://127.0.0.1:${port}/client.json`));
    expect(reason.message).toMatch(/request failed/);
    expect(hits.get('/client.json')).toBeUndefined();
  });

  it('returns a copy, so a caller cannot change the cached document', async () => {
    routes.set('/client.json', json(document));
    const f = fetcher();
    const first = await f.fetch(`https://127.0.0.1:${port}/client.json`);
    first.client_name = 'changed';
    await expect(f.fetch(`https://127.0.0.1:${port}/client.json`)).resolves.toEqual(document);
  });
});

describe('HttpClientMetadataFetcher: SSRF (docs/security.md, case 48)', () => {
  const targets: [string, () => string, RegExp][] = [
    ['the cloud metadata endpoint', () => 'https://169.254.169.254/latest/meta-data/iam/security-credentials/', /metadata address/],
    ['a loopback IPv4 literal', () => `https://127.0.0.1:${canaryPort}/c.json`, /loopback address/],
    ['a loopback IPv6 literal', () => `https://[::1]:${canaryPort}/c.json`, /loopback address/],
    ['an IPv4-mapped loopback', () => `https://[::ffff:127.0.0.1]:${canaryPort}/c.json`, /non-canonical/],
    ['a decimal loopback', () => `https://2130706433:${canaryPort}/c.json`, /non-canonical/],
    ['a hex loopback', () => `https://0x7f.0.0.1:${canaryPort}/c.json`, /non-canonical/],
    ['an octal loopback', () => `https://0177.0.0.1:${canaryPort}/c.json`, /non-canonical/],
    ['a private address', () => 'https://10.0.0.1/c.json', /private address/],
    ['a CGNAT address', () => 'https://100.64.1.1/c.json', /cgnat address/],
    ['a link-local IPv6 address', () => 'https://[fe80::1]/c.json', /link-local address/],
    ['a unique-local IPv6 address', () => 'https://[fd00:ec2::254]/c.json', /metadata address/],
    ['a name that resolves to loopback', () => `https://evil.test:${canaryPort}/c.json`, /loopback address/],
    ['a name with one public and one loopback address', () => `https://mixed.test:${canaryPort}/c.json`, /loopback address \(127\.0\.0\.1\)/],
    ['a name that resolves to IPv6 loopback', () => `https://rebind-v6.test:${canaryPort}/c.json`, /loopback address/],
    ['a name that resolves to the metadata address', () => 'https://metadata-v4.test/c.json', /metadata address/],
    ['the test host on a port that is not the test origin', () => `https://metadata.test:${canaryPort}/c.json`, /loopback address/],
    ['plain http', () => `http://127.0.0.1:${canaryPort}/c.json`, /not a plain https URL/],
    ['credentials in the URL', () => `https://u:p@127.0.0.1:${port}/c.json`, /credentials/],
    ['a fragment', () => `https://127.0.0.1:${port}/c.json#x`, /fragment/],
    ['a host that does not resolve', () => 'https://nowhere.test/c.json', /did not resolve/],
  ];

  it.each(targets)('refuses %s before connecting', async (_name, url, reason) => {
    const before = canaryHits;
    const error = await failure(fetcher().fetch(url()));
    expect(error.reason).toMatch(reason);
    expect(canaryHits).toBe(before);
    expect(hits.size).toBe(0);
  });

  it('left the canary untouched through every case', () => {
    expect(canaryHits).toBe(0);
  });
});

describe('HttpClientMetadataFetcher: fetch behaviour (docs/security.md, case 49)', () => {
  it('does not follow a redirect to the canary', async () => {
    routes.set('/moved.json', (_req, res) => res.writeHead(302, { location: `https://127.0.0.1:${canaryPort}/c.json` }).end());
    const error = await failure(fetcher().fetch(`https://127.0.0.1:${port}/moved.json`));
    expect(error.reason).toMatch(/redirect/);
    expect(canaryHits).toBe(0);
  });

  it('refuses a body over the cap, declared or streamed', async () => {
    const big = JSON.stringify({ ...document, padding: 'x'.repeat(6000) });
    routes.set('/declared.json', (_req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(big.length) }).end(big));
    routes.set('/streamed.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (let i = 0; i < big.length; i += 1000) res.write(big.slice(i, i + 1000));
      res.end();
    });
    expect((await failure(fetcher().fetch(`https://127.0.0.1:${port}/declared.json`))).reason).toMatch(/declares \d+ bytes/);
    expect((await failure(fetcher().fetch(`https://127.0.0.1:${port}/streamed.json`))).reason).toMatch(/larger than 5120 bytes/);
  });

  it('cuts off a slow drip at the deadline', async () => {
    const timers: NodeJS.Timeout[] = [];
    routes.set('/drip.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"client_id":"');
      const t = setInterval(() => res.write('x'), 50);
      timers.push(t);
      res.on('close', () => clearInterval(t));
    });
    try {
      const error = await failure(fetcher({ timeoutMs: 400 }).fetch(`https://127.0.0.1:${port}/drip.json`));
      expect(error.reason).toBe('timed out');
    } finally {
      timers.forEach(clearInterval);
    }
  });

  it('cuts off a server that never answers', async () => {
    routes.set('/silent.json', () => undefined);
    const error = await failure(fetcher({ timeoutMs: 300 }).fetch(`https://127.0.0.1:${port}/silent.json`));
    expect(error.reason).toBe('timed out');
    server.closeAllConnections();
  });

  it.each<[string, Handler, RegExp]>([
    ['a 404', (_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{}'), /HTTP 404/],
    ['HTML', (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'), /content type is text\/html/],
    ['no content type', (_req, res) => res.writeHead(200).end('{}'), /content type is missing/],
    ['broken JSON', (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"client_id":'), /not JSON/],
    ['a JSON array', json([document]), /not a JSON object/],
    ['JSON null', json(null), /not a JSON object/],
  ])('refuses %s', async (_name, handler, reason) => {
    routes.set('/doc.json', handler);
    expect((await failure(fetcher().fetch(`https://127.0.0.1:${port}/doc.json`))).reason).toMatch(reason);
  });

  it('never caches a failure: a fixed document works on the next try', async () => {
    let fixed = false;
    routes.set('/flip.json', (req, res) => (fixed ? json(document)(req, res) : res.writeHead(500).end()));
    const f = fetcher();
    await failure(f.fetch(`https://127.0.0.1:${port}/flip.json`));
    fixed = true;
    await expect(f.fetch(`https://127.0.0.1:${port}/flip.json`)).resolves.toEqual(document);
    expect(hits.get('/flip.json')).toBe(2);
  });

  it('caches a success for cacheSeconds, then fetches again', async () => {
    routes.set('/cached.json', json(document));
    const f = fetcher({ cacheSeconds: 300 });
    const url = `https://127.0.0.1:${port}/cached.json`;
    await f.fetch(url);
    now += 299_000;
    await f.fetch(url);
    expect(hits.get('/cached.json')).toBe(1);
    now += 2_000;
    await f.fetch(url);
    expect(hits.get('/cached.json')).toBe(2);
  });

  it('honours a shorter max-age, and no-store', async () => {
    routes.set('/short.json', json(document, { 'cache-control': 'public, max-age=10' }));
    routes.set('/nostore.json', json(document, { 'cache-control': 'no-store' }));
    const f = fetcher({ cacheSeconds: 300 });
    await f.fetch(`https://127.0.0.1:${port}/short.json`);
    now += 9_000;
    await f.fetch(`https://127.0.0.1:${port}/short.json`);
    expect(hits.get('/short.json')).toBe(1);
    now += 2_000;
    await f.fetch(`https://127.0.0.1:${port}/short.json`);
    expect(hits.get('/short.json')).toBe(2);

    await f.fetch(`https://127.0.0.1:${port}/nostore.json`);
    await f.fetch(`https://127.0.0.1:${port}/nostore.json`);
    expect(hits.get('/nostore.json')).toBe(2);
  });

  it('shares one request among concurrent fetches of the same URL', async () => {
    routes.set('/shared.json', json(document));
    const f = fetcher();
    const url = `https://127.0.0.1:${port}/shared.json`;
    const results = await Promise.all([f.fetch(url), f.fetch(url), f.fetch(url)]);
    expect(results).toEqual([document, document, document]);
    expect(hits.get('/shared.json')).toBe(1);
  });
});
