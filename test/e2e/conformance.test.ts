/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, `authorization`
 * command) against the local stack. The suite prints an authorization URL for a human to
 * open and waits on its own loopback callback server; here the test browser plays the
 * human (alice approves) and delivers the redirect to that callback server.
 *
 * Its scenarios: authorization-server-metadata-endpoint (RFC 8414 metadata, exact issuer,
 * S256, CIMD support) and authorization-code-grant (PKCE code flow, state, iss, token
 * response headers). It runs once as the suite runs by default (no resource parameter:
 * the AS applies its defaultResource) and once with --resource (RFC 8707).
 */
import { freePort } from '../../local/dynamodb-local';
import { authorizeInBrowser } from '../support/browser';
import { formatChecks, runConformanceSuite } from '../support/conformance-suite';
import { startLocalStack, type LocalStack } from '../support/local-stack-process';

const CLIENT_ID = 'mcp-conformance-suite';
const SUITE_TIMEOUT_MS = 120_000;

let stack: LocalStack;
let callbackPort: number;

beforeAll(async () => {
  callbackPort = await freePort();
  stack = await startLocalStack({
    configOverrides: (config) => {
      // The suite's callback server is http://127.0.0.1:<port>/callback; register it as a public client.
      config.clients = [{ clientId: CLIENT_ID, clientName: 'MCP conformance suite', redirectUris: [`http://127.0.0.1:${callbackPort}/callback`], tokenEndpointAuthMethod: 'none' }];
    },
  });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
});

it.each([
  ['without a resource parameter (the AS uses its defaultResource)', false],
  ['with --resource (RFC 8707)', true],
])('passes the authorization server conformance suite %s', async (_name, withResource) => {
  const run = await runConformanceSuite({
    issuer: stack.issuer,
    clientId: CLIENT_ID,
    callbackPort,
    resource: withResource ? stack.config.resources[0].uri : undefined,
    timeoutMs: SUITE_TIMEOUT_MS,
    onAuthorizationUrl: async (url) => {
      const result = await authorizeInBrowser(url, { username: 'alice', password: 'alice' });
      // The suite's callback server is the client here: deliver the redirect like a browser would.
      const delivered = await fetch(result.redirectUrl);
      if (delivered.status !== 200) throw new Error(`the suite's callback server answered ${delivered.status}`);
    },
  });

  console.log(`conformance suite (${withResource ? 'with' : 'without'} resource), exit code ${run.exitCode}\nchecks:\n${formatChecks(run.checks)}\n\noutput:\n${run.output}`);
  if (run.authorizationError) throw run.authorizationError;
  expect(run.checks.filter((c) => c.status === 'FAILURE')).toEqual([]);
  expect(run.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['authorization-server-metadata', 'authorization-server-metadata-cimd', 'authorization-code-grant']));
  expect(run.checks.find((c) => c.id === 'authorization-code-grant')?.status).toBe('SUCCESS');
  expect(run.summary).toEqual([
    expect.stringMatching(/^✓ authorization-server-metadata-endpoint: [1-9]\d* passed, 0 failed$/),
    expect.stringMatching(/^✓ authorization-code-grant: 1 passed, 0 failed$/),
  ]);
  expect(run.output).toMatch(/^Total: [1-9]\d* passed, 0 failed$/m);
  expect(run.exitCode).toBe(0);
}, SUITE_TIMEOUT_MS + 30_000);
