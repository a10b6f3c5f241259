/**
 * mcp-oauth scan against MCP servers started here, each wrong in exactly one way: the scan
 * names that way with exactly one failing finding, and nothing else fails, with every probe
 * that needs no user turned on (--register, --token, --other-resource-token).
 */
import { FINDING_IDS } from '../../cli/scan/findings';
import { BROKEN_SERVERS } from './fixtures/broken-servers';
import { startReferenceServer, type ReferenceServer } from './fixtures/reference-server';
import { expectValidReport, explain, idsWith, scan, statusOf, testSettings } from './support/scan-helpers';
import { runScan } from '../../cli/scan/scanner';

/** A token of the server itself that lacks mcp:admin (so step-up can be seen), and one for another resource. */
function tokensFor(server: ReferenceServer) {
  return {
    token: server.mintToken({ audience: server.mcpUrl, scope: 'mcp:read' }),
    otherResourceToken: server.mintToken({ audience: 'https://other.example/mcp', scope: 'mcp:read mcp:admin' }),
  };
}

describe('the reference server (nothing wrong)', () => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startReferenceServer();
  });
  afterAll(() => server.close());

  it('passes every probe but the two it cannot: no client ID metadata documents (warn) and login (not asked for)', async () => {
    const report = await scan(server.mcpUrl, { register: true, ...tokensFor(server) });
    expectValidReport(report);
    expect(idsWith(report, 'fail')).toEqual([]);
    expect(idsWith(report, 'warn')).toEqual(['as-client-registration']);
    expect(idsWith(report, 'skip')).toEqual(['login-flow']);
    expect(report.summary).toEqual({ pass: FINDING_IDS.length - 2, fail: 0, warn: 1, skip: 1, total: FINDING_IDS.length });
  });

  it('with --login: the loopback flow (auto-approved here) gets a token that the token probes use', async () => {
    const followRedirect = async (url: string) => {
      const answer = await fetch(url, { redirect: 'manual' });
      await fetch(answer.headers.get('location')!);
    };
    const report = await runScan(server.mcpUrl, testSettings({ login: true, openBrowser: followRedirect }));
    expect(explain(report)).toMatchObject({
      'login-flow': expect.stringMatching(/^pass: signed in through client \S+ and redeemed the code for an access token with scope "mcp:read"$/),
      'authorize-response-params': `pass: 1 redirect back to the client, each with the state sent and iss="${server.issuer}"`,
      'token-accepted': expect.stringMatching(/^pass: /),
      'token-tampered': expect.stringMatching(/^pass: /),
      'step-up-insufficient-scope': 'pass: tools/call delete_all_notes got 403 insufficient_scope, scope="mcp:admin"',
      'mcp-header-mismatch': 'pass: Mcp-Method: tools/list on a tools/call: 400 HeaderMismatch; Mcp-Name: read_notes on a call of delete_all_notes: 400 HeaderMismatch',
    });
    expect(idsWith(report, 'fail')).toEqual([]);
  });
});

describe.each(BROKEN_SERVERS)('a server that $wrong', ({ flaw, fails }) => {
  let server: ReferenceServer;
  beforeAll(async () => {
    server = await startReferenceServer(flaw);
  });
  afterAll(() => server.close());

  it(`fails ${fails}, and nothing else`, async () => {
    const report = await scan(server.mcpUrl, { register: true, ...tokensFor(server) });
    expectValidReport(report);
    expect({ failing: idsWith(report, 'fail'), detail: explain(report)[fails] }).toEqual({ failing: [fails], detail: expect.stringMatching(/^fail: /) });
    expect(report.findings.find((f) => f.id === fails)!.remedy).toBeTruthy();
  });
});

describe('what the scan reads from a broken server', () => {
  it('the renamed challenge: says how to fix it, and still reads it to audit the rest', async () => {
    const server = await startReferenceServer('renamed-challenge');
    try {
      const report = await scan(server.mcpUrl);
      const renamed = report.findings.find((f) => f.id === 'challenge-not-renamed')!;
      expect(renamed.detail).toContain('only x-amzn-Remapped-WWW-Authenticate');
      expect(renamed.remedy).toMatch(/gateway responses.*Lambda@Edge origin-response/);
      expect(explain(report)['challenge-resource-metadata']).toMatch(/^pass: resource_metadata=".*" \(read from the renamed header\)$/);
      expect(statusOf(report, 'as-pkce-s256')).toBe('pass');
    } finally {
      await server.close();
    }
  });

  it('no auth at all: every probe after the first skips and says why', async () => {
    const server = await startReferenceServer('no-auth');
    try {
      const report = await scan(server.mcpUrl, { register: true, ...tokensFor(server) });
      expect(explain(report)['auth-required']).toBe('fail: an initialize without a token was served (HTTP 200): anyone can use this MCP server');
      const others = report.findings.filter((f) => f.id !== 'auth-required' && f.id !== 'transport-https');
      expect(others.map((f) => f.status)).toEqual(others.map(() => 'skip'));
    } finally {
      await server.close();
    }
  });

  it('a 401 without resource_metadata: the metadata is still found at the path-inserted well-known URL', async () => {
    const server = await startReferenceServer('no-resource-metadata');
    try {
      const report = await scan(server.mcpUrl);
      expect(explain(report)['prm-discoverable']).toBe(`pass: served at ${server.issuer}/.well-known/oauth-protected-resource/mcp`);
    } finally {
      await server.close();
    }
  });
});
