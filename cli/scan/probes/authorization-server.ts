/**
 * The authorization server's metadata, found in the order MCP 2026-07-28 gives ("Authorization
 * Server Metadata Discovery"): RFC 8414 with path insertion, then OpenID Connect discovery
 * with path insertion, then OpenID discovery appended to the issuer's path. What it offers
 * decides whether an MCP client may proceed at all (PKCE S256), and what an attacker could
 * ask for (implicit or password grants).
 */
import { fail, pass, skip, warn, type Probe, type ScanContext } from '../probe';
import { isAbsoluteHttpUrl } from './challenge';
import { fetchDocument, isJsonMediaType } from './resource-metadata';

const NO_SERVER = 'no authorization server is advertised (prm-authorization-servers)';
const NO_METADATA = 'no usable authorization server metadata (as-metadata)';
const ENDPOINTS_TO_ADMIT = ['authorization_endpoint', 'token_endpoint', 'registration_endpoint', 'jwks_uri'];

export const authorizationServerProbes: readonly Probe[] = [
  {
    id: 'as-metadata',
    async run(ctx, http) {
      const issuer = ctx.authorizationServers?.[0];
      if (!issuer) return skip(NO_SERVER);
      const others = ctx.authorizationServers!.length > 1 ? ` (${ctx.authorizationServers!.length - 1} more advertised; the scan audits the first)` : '';
      const tried: string[] = [];
      for (const url of metadataUrls(issuer)) {
        const found = await fetchDocument(http, url);
        if (typeof found === 'string') {
          tried.push(`${url}: ${found}`);
          continue;
        }
        const { document } = found;
        if (document.issuer !== issuer) return fail(`${url} says issuer ${JSON.stringify(document.issuer)}, not exactly "${issuer}" as advertised; clients must not use it`);
        const missing = [
          ...['authorization_endpoint', 'token_endpoint'].filter((name) => typeof document[name] !== 'string' || !isAbsoluteHttpUrl(document[name] as string)),
          ...(Array.isArray(document.response_types_supported) && document.response_types_supported.includes('code') ? [] : ['response_types_supported with "code"']),
        ];
        if (missing.length) return fail(`${url} lacks ${missing.join(', ')}`);
        const refused = ENDPOINTS_TO_ADMIT.map((name) => (typeof document[name] === 'string' ? ctx.hosts.admit(document[name] as string) : undefined)).filter(Boolean);
        if (refused.length) return fail(`${url}: ${refused.join('; ')}`);
        ctx.authorizationServer = { issuer, url, document };
        const earlier = tried.length ? ` (after ${tried.join('; ')})` : '';
        if (!isJsonMediaType(found)) return warn(`${url} is served as ${found.mediaType || 'no content type'}, not application/json (RFC 8414 §3.2); strict clients refuse it${others}`);
        return pass(`issuer "${issuer}", metadata at ${url}${earlier}${others}`);
      }
      return fail(`no metadata for issuer "${issuer}": ${tried.join('; ')}`);
    },
  },
  {
    id: 'as-pkce-s256',
    async run(ctx) {
      const metadata = ctx.authorizationServer?.document;
      if (!metadata) return skip(NO_METADATA);
      const methods = metadata.code_challenge_methods_supported;
      if (!Array.isArray(methods)) return fail('code_challenge_methods_supported is absent: MCP clients must refuse to proceed without it');
      if (!methods.includes('S256')) return fail(`code_challenge_methods_supported is ${JSON.stringify(methods)}, without S256`);
      if (methods.includes('plain')) return fail(`code_challenge_methods_supported offers plain: ${JSON.stringify(methods)}`);
      return pass(`code_challenge_methods_supported: ${JSON.stringify(methods)}`);
    },
  },
  {
    id: 'as-grant-types',
    async run(ctx) {
      const metadata = ctx.authorizationServer?.document;
      if (!metadata) return skip(NO_METADATA);
      const grants = metadata.grant_types_supported;
      const responses = Array.isArray(metadata.response_types_supported) ? (metadata.response_types_supported as unknown[]) : [];
      const implicitResponses = responses.filter((r) => typeof r === 'string' && r.split(' ').includes('token'));
      const badGrants = Array.isArray(grants) ? grants.filter((g) => g === 'implicit' || g === 'password') : [];
      if (badGrants.length || implicitResponses.length) return fail(`offers ${[...badGrants.map((g) => `the ${g} grant`), ...implicitResponses.map((r) => `response_type "${r}"`)].join(', ')}`);
      if (!Array.isArray(grants)) return warn('grant_types_supported is absent, which RFC 8414 §2 reads as ["authorization_code", "implicit"]');
      return pass(`grant_types_supported: ${JSON.stringify(grants)}; response_types_supported: ${JSON.stringify(responses)}`);
    },
  },
  {
    id: 'as-client-registration',
    async run(ctx) {
      const metadata = ctx.authorizationServer?.document;
      if (!metadata) return skip(NO_METADATA);
      const cimd = metadata.client_id_metadata_document_supported === true;
      const dcr = typeof metadata.registration_endpoint === 'string';
      if (cimd) return pass(`client ID metadata documents${dcr ? `, and dynamic registration at ${metadata.registration_endpoint}` : ''}`);
      if (dcr) return warn(`only dynamic registration (${metadata.registration_endpoint}), which MCP 2026-07-28 deprecates; no client_id_metadata_document_supported`);
      return warn('neither client ID metadata documents nor a registration_endpoint: every client must be registered by hand');
    },
  },
  {
    id: 'as-iss-parameter',
    async run(ctx) {
      const metadata = ctx.authorizationServer?.document;
      if (!metadata) return skip(NO_METADATA);
      return metadata.authorization_response_iss_parameter_supported === true
        ? pass('authorization_response_iss_parameter_supported: true')
        : warn(`authorization_response_iss_parameter_supported is ${'authorization_response_iss_parameter_supported' in metadata ? JSON.stringify(metadata.authorization_response_iss_parameter_supported) : 'absent'}`);
    },
  },
];

/** The well-known URLs of an issuer, in the order MCP clients try them. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname.replace(/\/$/, '');
  if (!path) return [`${url.origin}/.well-known/oauth-authorization-server`, `${url.origin}/.well-known/openid-configuration`];
  return [`${url.origin}/.well-known/oauth-authorization-server${path}`, `${url.origin}/.well-known/openid-configuration${path}`, `${url.origin}${path}/.well-known/openid-configuration`];
}

export function issuerOf(ctx: ScanContext): string | undefined {
  return ctx.authorizationServer?.issuer ?? ctx.authorizationServers?.[0];
}
