/**
 * Runs the official MCP conformance suite (authorization server scenarios) against a
 * running authorization server, on Node 20.
 *
 *   npm start                                   # in one terminal
 *   npx tsx scripts/conformance.ts              # in another: you open the printed URL and log in
 *   npx tsx scripts/conformance.ts --as alice   # the test browser logs in as alice/alice and approves
 *
 * Options: --issuer <url> (default http://localhost:8787), --resource <uri>, --port <n>
 * (the suite's callback port; default: a free one). The script registers a public client
 * for the suite's callback URI through dynamic registration, so the AS must allow it.
 * Exit code: the suite's own (0 when every check passed).
 */
import { parseArgs } from 'node:util';
import { freePort } from '../local/dynamodb-local';
import { authorizeInBrowser } from '../test/support/browser';
import { formatChecks, runConformanceSuite } from '../test/support/conformance-suite';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      issuer: { type: 'string', default: 'http://localhost:8787' },
      resource: { type: 'string' },
      port: { type: 'string' },
      as: { type: 'string' },
    },
  });
  const issuer = values.issuer;
  const callbackPort = values.port ? Number(values.port) : await freePort();
  const clientId = await registerSuiteClient(issuer, `http://127.0.0.1:${callbackPort}/callback`);

  const run = await runConformanceSuite({
    issuer,
    clientId,
    callbackPort,
    resource: values.resource,
    echo: true,
    timeoutMs: values.as ? 120_000 : 330_000,
    onAuthorizationUrl: async (url) => {
      if (!values.as) return; // a human opens the URL the suite printed
      const result = await authorizeInBrowser(url, { username: values.as, password: values.as });
      await fetch(result.redirectUrl);
    },
  });
  console.log(`\nchecks:\n${formatChecks(run.checks)}`);
  if (run.authorizationError) console.error(`\nthe browser could not finish the authorization: ${run.authorizationError.message}`);
  return run.exitCode ?? 1;
}

async function registerSuiteClient(issuer: string, redirectUri: string): Promise<string> {
  const metadata = (await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json()) as { registration_endpoint?: string };
  if (!metadata.registration_endpoint) throw new Error(`${issuer} offers no dynamic registration; register a public client with redirect URI ${redirectUri} and pass it by hand to the suite`);
  const response = await fetch(metadata.registration_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'MCP conformance suite', redirect_uris: [redirectUri], token_endpoint_auth_method: 'none', grant_types: ['authorization_code'], response_types: ['code'] }),
  });
  const body = (await response.json()) as { client_id?: string };
  if (response.status !== 201 || !body.client_id) throw new Error(`registration failed with HTTP ${response.status}: ${JSON.stringify(body)}`);
  return body.client_id;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
