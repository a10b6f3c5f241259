/**
 * How the endpoints are reached: https everywhere but on the user's own machine (MCP
 * 2026-07-28 "Communication Security"), and metadata that a browser-based client may read
 * from another origin. A GET without custom headers is a CORS "simple" request, which is
 * what clients fall back to when a preflight fails, so its Access-Control-Allow-Origin is
 * what decides.
 */
import { isLoopbackHostname } from '../http';
import { endpointOf, fail, NOT_PROTECTED, pass, skip, warn, type Probe, type ScanContext } from '../probe';

const PROBE_ORIGIN = 'https://mcp-oauth-scan.invalid';
const ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'jwks_uri', 'revocation_endpoint', 'introspection_endpoint'];

export const transportProbes: readonly Probe[] = [
  {
    id: 'transport-https',
    async run(ctx) {
      const urls = knownUrls(ctx);
      const insecure = urls.filter((u) => u.startsWith('http:') && !isLoopbackHostname(new URL(u).hostname));
      if (insecure.length) return fail(`plain http: ${insecure.join(', ')}`);
      const loopback = urls.filter((u) => u.startsWith('http:'));
      return pass(`${urls.length} URL${urls.length === 1 ? '' : 's'} checked${loopback.length ? `; ${loopback.length} on loopback over http (fine on your own machine only)` : ', all https'}`);
    },
  },
  {
    id: 'metadata-cors',
    async run(ctx, http) {
      if (!ctx.authRequired) return skip(NOT_PROTECTED);
      if (!ctx.prm) return skip('no protected resource metadata was found (prm-discoverable)');
      const documents = [ctx.prm.url, ...(ctx.authorizationServer ? [ctx.authorizationServer.url] : [])];
      const closed: string[] = [];
      for (const url of documents) {
        const { reply } = await http.get(url, { accept: 'application/json', origin: PROBE_ORIGIN });
        const allowed = reply.headers.get('access-control-allow-origin');
        if (allowed !== '*' && allowed !== PROBE_ORIGIN) closed.push(`${url} (Access-Control-Allow-Origin: ${allowed ?? 'absent'})`);
      }
      if (closed.length) return warn(`browser-based clients on other origins cannot read ${closed.join(', ')}`);
      return pass(`${documents.length === 1 ? 'the resource metadata allows' : 'both metadata documents allow'} cross-origin reads`);
    },
  },
];

/** Every URL of the target the scan has learned so far. */
function knownUrls(ctx: ScanContext): string[] {
  const urls = [ctx.targetText, ctx.prm?.url, ...(ctx.authorizationServers ?? []), ctx.authorizationServer?.url, ...ENDPOINTS.map((name) => endpointOf(ctx, name))];
  return [...new Set(urls.filter((u): u is string => typeof u === 'string' && /^https?:/i.test(u)))];
}
