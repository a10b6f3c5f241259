/**
 * The --register probes: register a clearly named public client with a loopback redirect
 * URI, then send authorization requests that each break one rule (OAuth 2.1 §4.1.1,
 * §4.1.2.1; RFC 8707 §2) and watch where the server sends the browser. Redirects are never
 * followed and no one signs in, so no code is redeemed and nothing is granted.
 *
 * "Refused" is judged against a valid request of the same client: an authorization server
 * may show a sign-in or consent page, redirect to its IdP, or (a demo) redirect straight
 * back with a code. A broken request that gets the same treatment was accepted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isJsonObject, jsonOf, isRedirect, type HttpReply, type ProbeHttp } from '../http';
import { endpointOf, fail, initialScope, pass, resourceOf, skip, warn, type AuthorizeOutcome, type Outcome, type Probe, type ScanContext } from '../probe';

export const PROBE_CLIENT_NAME = 'mcp-oauth scan probe client (safe to delete)';
/** A loopback URI nobody listens on: the scan never follows a redirect there. */
export const PROBE_REDIRECT_URI = 'http://127.0.0.1/mcp-oauth-scan/callback';
const UNKNOWN_RESOURCE = 'https://mcp-oauth-scan.invalid/not-this-server';

export const authorizationEndpointProbes: readonly Probe[] = [
  {
    id: 'register-probe-client',
    async run(ctx, http) {
      if (!ctx.authorizationServer) return skip('no usable authorization server metadata (as-metadata)');
      const endpoint = endpointOf(ctx, 'registration_endpoint');
      if (!endpoint) return skip('the authorization server has no registration_endpoint');
      const registration = await registerClient(http, endpoint, PROBE_CLIENT_NAME, PROBE_REDIRECT_URI);
      if ('refused' in registration) return warn(`registration refused: ${registration.refused}`);
      ctx.probeClient = { clientId: registration.clientId, redirectUri: PROBE_REDIRECT_URI };
      return pass(`registered "${PROBE_CLIENT_NAME}" as client_id ${registration.clientId}`);
    },
  },
  {
    id: 'authorize-pkce-required',
    async run(ctx, http) {
      return judgeBrokenRequest(ctx, http, 'without code_challenge', { code_challenge: undefined, code_challenge_method: undefined });
    },
  },
  {
    id: 'authorize-pkce-plain',
    async run(ctx, http) {
      return judgeBrokenRequest(ctx, http, 'with code_challenge_method=plain', { code_challenge: randomBytes(32).toString('base64url'), code_challenge_method: 'plain' });
    },
  },
  {
    id: 'authorize-redirect-uri',
    async run(ctx, http) {
      const unusable = await prerequisites(ctx, http);
      if (unusable) return unusable;
      const registered = new URL(ctx.probeClient!.redirectUri);
      const attempts = [
        { what: 'an unregistered redirect_uri', uri: 'https://mcp-oauth-scan.invalid/callback' },
        { what: 'the registered path with a segment added', uri: `${registered.origin}${registered.pathname}/evil` },
        { what: 'a look-alike host', uri: `${registered.protocol}//${registered.hostname}.mcp-oauth-scan.invalid${registered.pathname}` },
      ];
      const problems: string[] = [];
      const refusals: string[] = [];
      for (const attempt of attempts) {
        const { outcome, reply } = await authorize(ctx, http, { redirect_uri: attempt.uri }, `a request with ${attempt.what}`);
        const location = reply.location;
        if (location && isRedirect(reply.status) && sameTarget(location, attempt.uri)) problems.push(`${attempt.what} (${attempt.uri}) got a ${reply.status} redirect there`);
        else if (accepted(outcome, ctx.authorizeBaseline!)) problems.push(`${attempt.what} (${attempt.uri}) was taken on to ${describe(outcome)}, as a valid request is`);
        else refusals.push(`${attempt.what}: ${describe(outcome)}`);
      }
      return problems.length ? fail(problems.join('; ')) : pass(refusals.join('; '));
    },
  },
  {
    id: 'authorize-resource',
    async run(ctx, http) {
      return judgeBrokenRequest(ctx, http, `for resource=${UNKNOWN_RESOURCE}`, { resource: UNKNOWN_RESOURCE });
    },
  },
];

/** Registers a public client (RFC 7591 §3.1): its client_id, or why not. */
export async function registerClient(http: ProbeHttp, endpoint: string, clientName: string, redirectUri: string): Promise<{ clientId: string } | { refused: string }> {
  const reply = await http.send(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({
      client_name: clientName,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      software_id: 'mcp-oauth-scan',
    }),
  });
  const body = jsonOf(reply);
  if ((reply.status === 201 || reply.status === 200) && isJsonObject(body) && typeof body.client_id === 'string') return { clientId: body.client_id };
  return { refused: `HTTP ${reply.status}${isJsonObject(body) && typeof body.error === 'string' ? ` ${body.error}` : ''}` };
}

async function prerequisites(ctx: ScanContext, http: ProbeHttp): Promise<Outcome | undefined> {
  if (!ctx.probeClient) return skip('no probe client is registered (register-probe-client)');
  if (!endpointOf(ctx, 'authorization_endpoint')) return skip('the metadata has no authorization_endpoint (as-metadata)');
  ctx.authorizeBaseline ??= (await authorize(ctx, http, {}, 'a valid authorization request')).outcome;
  const baseline = ctx.authorizeBaseline;
  if (baseline.kind === 'refused' || (baseline.kind === 'redirect-to-client' && baseline.params.has('error'))) {
    return skip(`the authorization server refused even a valid request of the probe client (${describe(baseline)}), so a refusal proves nothing`);
  }
  return undefined;
}

async function judgeBrokenRequest(ctx: ScanContext, http: ProbeHttp, what: string, changes: Record<string, string | undefined>): Promise<Outcome> {
  const unusable = await prerequisites(ctx, http);
  if (unusable) return unusable;
  const { outcome } = await authorize(ctx, http, changes, `a request ${what}`);
  if (accepted(outcome, ctx.authorizeBaseline!)) return fail(`a request ${what} was taken on to ${describe(outcome)}, as a valid request is`);
  return pass(`a request ${what} got ${describe(outcome)}`);
}

/** Sends one authorization request of the probe client, a valid one changed by `changes` (undefined removes a parameter). */
async function authorize(ctx: ScanContext, http: ProbeHttp, changes: Record<string, string | undefined>, during: string): Promise<{ outcome: AuthorizeOutcome; reply: HttpReply }> {
  const state = randomBytes(12).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  const scope = initialScope(ctx);
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: ctx.probeClient!.clientId,
    redirect_uri: ctx.probeClient!.redirectUri,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state,
    ...(scope ? { scope } : {}),
    resource: resourceOf(ctx),
    ...changes,
  };
  const url = new URL(endpointOf(ctx, 'authorization_endpoint')!);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  const reply = await http.send(url.href, { headers: { accept: 'text/html' } });
  const outcome = classify(reply, params.redirect_uri ?? ctx.probeClient!.redirectUri);
  if (outcome.kind === 'redirect-to-client' && params.redirect_uri === ctx.probeClient!.redirectUri) ctx.redirects.push({ sentState: state, params: outcome.params, during });
  return { outcome, reply };
}

function classify(reply: HttpReply, redirectUri: string): AuthorizeOutcome {
  if (isRedirect(reply.status) && reply.location) {
    if (sameTarget(reply.location, redirectUri)) return { kind: 'redirect-to-client', status: reply.status, params: new URL(reply.location).searchParams };
    return { kind: 'redirect-elsewhere', status: reply.status, location: reply.location };
  }
  if (reply.status >= 200 && reply.status < 300) return { kind: 'page', status: reply.status, hasForm: /<form\b/i.test(reply.body) };
  return { kind: 'refused', status: reply.status };
}

/**
 * Whether a response treats the request as the valid baseline was treated. A 200 page is
 * taken as sign-in or consent only when it holds a form, because some servers show their
 * error pages with 200.
 */
function accepted(outcome: AuthorizeOutcome, baseline: AuthorizeOutcome): boolean {
  switch (outcome.kind) {
    case 'redirect-to-client':
      return outcome.params.has('code') || !outcome.params.has('error');
    case 'refused':
      return false;
    case 'page':
      return baseline.kind === 'page' && outcome.hasForm;
    case 'redirect-elsewhere':
      return baseline.kind === 'redirect-elsewhere' && sameTarget(outcome.location, baseline.location);
  }
}

function describe(outcome: AuthorizeOutcome): string {
  switch (outcome.kind) {
    case 'redirect-to-client': {
      const error = outcome.params.get('error');
      return error ? `a redirect to the client with error=${error}` : outcome.params.has('code') ? 'a redirect to the client with a code' : 'a redirect to the client';
    }
    case 'redirect-elsewhere':
      return `a ${outcome.status} redirect to ${new URL(outcome.location).origin}${new URL(outcome.location).pathname}`;
    case 'page':
      return outcome.hasForm ? `a page with a form (HTTP ${outcome.status})` : `a page (HTTP ${outcome.status})`;
    case 'refused':
      return `HTTP ${outcome.status} without a redirect`;
  }
}

/** Same origin and path: where a browser would land, whatever the query. */
function sameTarget(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.origin === y.origin && x.pathname === y.pathname;
  } catch {
    return false;
  }
}
