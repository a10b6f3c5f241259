/**
 * --login: the authorization code flow a native MCP client runs (OAuth 2.1 §4.1, RFC 8252
 * loopback redirect, PKCE S256, RFC 8707 resource), with the user's own browser. A loopback
 * listener on 127.0.0.1 and a port of the system's choosing takes the redirect back; the
 * code is redeemed once, and the access token it yields goes to the token probes, never to
 * the output.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isJsonObject, jsonOf } from '../http';
import { endpointOf, fail, initialScope, pass, resourceOf, skip, warn, type Probe, type ScanContext } from '../probe';
import { registerClient } from './authorization-endpoint';

const LOGIN_CLIENT_NAME = 'mcp-oauth scan login (safe to delete)';

export const loginProbes: readonly Probe[] = [
  {
    id: 'login-flow',
    async run(ctx, http) {
      if (!ctx.authorizationServer) return skip('no usable authorization server metadata (as-metadata)');
      const registrationEndpoint = endpointOf(ctx, 'registration_endpoint');
      if (!registrationEndpoint) return skip('--login registers its client dynamically, and this authorization server has no registration_endpoint');
      const callback = await LoopbackCallback.listen();
      try {
        const registration = await registerClient(http, registrationEndpoint, LOGIN_CLIENT_NAME, callback.redirectUri);
        if ('refused' in registration) return warn(`could not register the login client: ${registration.refused}`);
        const verifier = randomBytes(32).toString('base64url');
        const state = randomBytes(16).toString('base64url');
        const url = authorizationUrl(ctx, registration.clientId, callback.redirectUri, state, verifier);
        ctx.settings.say(`mcp-oauth scan: sign in and approve in your browser; if it does not open, visit\n  ${url}`);
        ctx.settings.openBrowser(url).catch((error: unknown) => ctx.settings.say(`mcp-oauth scan: could not open a browser (${error instanceof Error ? error.message : String(error)}); open the URL above`));
        const params = await callback.next(ctx.settings.loginTimeoutMs);
        http.renewDeadline(); // the time the user took is not the server's
        if (!params) return warn(`no redirect came back to ${callback.redirectUri} within ${Math.round(ctx.settings.loginTimeoutMs / 1000)} s`);
        ctx.redirects.push({ sentState: state, params, during: 'the --login flow' });
        if (params.get('state') !== state) return fail('the redirect back did not carry the state the request sent');
        const error = params.get('error');
        if (error) return (error === 'access_denied' ? warn : fail)(`the authorization server answered error=${error}${params.get('error_description') ? ` (${params.get('error_description')})` : ''}`);
        const code = params.get('code');
        if (!code) return fail('the redirect back carried neither a code nor an error');
        ctx.secrets.add(code);
        const exchange = await http.send(endpointOf(ctx, 'token_endpoint')!, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback.redirectUri, client_id: registration.clientId, code_verifier: verifier, resource: resourceOf(ctx) }).toString(),
        });
        const body = jsonOf(exchange);
        if (exchange.status !== 200 || !isJsonObject(body) || typeof body.access_token !== 'string') {
          return fail(`the token endpoint answered HTTP ${exchange.status}${isJsonObject(body) && typeof body.error === 'string' ? ` ${body.error}` : ''} to a correct code exchange`);
        }
        for (const secret of [body.access_token, body.refresh_token, body.id_token]) if (typeof secret === 'string') ctx.secrets.add(secret);
        ctx.accessToken = body.access_token;
        const scope = typeof body.scope === 'string' ? ` with scope "${body.scope}"` : '';
        return pass(`signed in through client ${registration.clientId} and redeemed the code for an access token${scope}`);
      } finally {
        await callback.close();
      }
    },
  },
];

function authorizationUrl(ctx: ScanContext, clientId: string, redirectUri: string, state: string, verifier: string): string {
  const url = new URL(endpointOf(ctx, 'authorization_endpoint')!);
  const scope = initialScope(ctx);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    resource: resourceOf(ctx),
    ...(scope ? { scope } : {}),
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

/** The loopback listener the browser is redirected to (RFC 8252 §7.3); it takes one redirect. */
class LoopbackCallback {
  private waiting?: (params: URLSearchParams) => void;
  private received?: URLSearchParams;

  private constructor(
    private readonly server: Server,
    readonly redirectUri: string,
  ) {}

  static listen(): Promise<LoopbackCallback> {
    return new Promise((resolve, reject) => {
      let callback: LoopbackCallback;
      const server = createServer((request, response) => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        if (url.pathname !== '/callback' || callback.received) {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
          return;
        }
        callback.received = url.searchParams;
        response
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
          .end('<!doctype html><title>mcp-oauth scan</title><p>mcp-oauth scan got the answer of the authorization server. You can close this tab.</p>');
        callback.waiting?.(url.searchParams);
      });
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        callback = new LoopbackCallback(server, `http://127.0.0.1:${port}/callback`);
        resolve(callback);
      });
    });
  }

  /** The query of the redirect, or undefined after the timeout. */
  next(timeoutMs: number): Promise<URLSearchParams | undefined> {
    if (this.received) return Promise.resolve(this.received);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.waiting = (params) => {
        clearTimeout(timer);
        resolve(params);
      };
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
