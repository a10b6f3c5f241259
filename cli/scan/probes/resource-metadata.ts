/**
 * Protected resource metadata (RFC 9728), found the way MCP clients look for it: the URL in
 * the challenge's resource_metadata, else the path-inserted well-known URL, else the root
 * one (MCP 2026-07-28, "Protected Resource Metadata Discovery Requirements").
 */
import { isJsonObject, jsonOf, OffHostError, ScanNetworkError, type HttpReply, type ProbeHttp } from '../http';
import { fail, NOT_PROTECTED, pass, skip, warn, type Probe } from '../probe';
import { isAbsoluteHttpUrl } from './challenge';

const WELL_KNOWN = '/.well-known/oauth-protected-resource';
const NO_METADATA = 'no protected resource metadata was found (prm-discoverable)';

export const resourceMetadataProbes: readonly Probe[] = [
  {
    id: 'prm-discoverable',
    async run(ctx, http) {
      if (!ctx.authRequired) return skip(NOT_PROTECTED);
      const fromChallenge = ctx.challenge?.bearer?.params.resource_metadata;
      const candidates = discoveryOrder(ctx.target, fromChallenge && isAbsoluteHttpUrl(fromChallenge) && ctx.hosts.allows(fromChallenge) ? fromChallenge : undefined);
      const tried: string[] = [];
      for (const [index, candidate] of candidates.entries()) {
        const found = await fetchDocument(http, candidate.url);
        if (typeof found === 'string') {
          tried.push(`${candidate.url}: ${found}`);
          continue;
        }
        ctx.prm = { url: candidate.url, document: found.document };
        if (index > 0 && candidates[0]!.kind === 'challenge') return fail(`resource_metadata points at ${tried[0]}; the document was found at ${candidate.url} instead`);
        const pathInserted = candidates.find((c) => c.kind === 'path-inserted');
        if (candidate.kind === 'root' && pathInserted) return warn(`served only at the root, ${candidate.url}; RFC 9728 §3.1 puts the metadata of ${ctx.targetText} at ${pathInserted.url}`);
        if (!isJsonMediaType(found)) return warn(`served at ${candidate.url} as ${found.mediaType || 'no content type'}, not application/json (RFC 9728 §3.2); strict clients refuse it`);
        return pass(`served at ${candidate.url}`);
      }
      return fail(`no protected resource metadata: ${tried.join('; ')}`);
    },
  },
  {
    id: 'prm-resource-match',
    async run(ctx) {
      if (!ctx.prm) return skip(ctx.authRequired ? NO_METADATA : NOT_PROTECTED);
      const resource = ctx.prm.document.resource;
      if (typeof resource !== 'string') return fail('the metadata has no resource');
      if (resource === ctx.targetText) {
        ctx.resource = resource;
        return pass(`resource is "${resource}"`);
      }
      if (sameResourceInAnotherForm(resource, ctx.targetText)) {
        ctx.resource = resource;
        return warn(`resource "${resource}" differs from "${ctx.targetText}" only in form; clients compare the two strings`);
      }
      return fail(`resource is "${resource}", but the MCP server is "${ctx.targetText}"; clients must not use this metadata`);
    },
  },
  {
    id: 'prm-authorization-servers',
    async run(ctx) {
      if (!ctx.prm) return skip(ctx.authRequired ? NO_METADATA : NOT_PROTECTED);
      const servers = ctx.prm.document.authorization_servers;
      if (!Array.isArray(servers) || servers.length === 0) return fail('authorization_servers is missing or empty');
      const problems: string[] = [];
      for (const server of servers) {
        if (typeof server !== 'string' || !isAbsoluteHttpUrl(server)) problems.push(`${JSON.stringify(server)} is not an http(s) URL`);
        else if (new URL(server).search || new URL(server).hash || server.includes('#')) problems.push(`${server} has a query or fragment (RFC 8414 §2)`);
        else {
          const refused = ctx.hosts.admit(server);
          if (refused) problems.push(`${server}: ${refused}`);
        }
      }
      if (problems.length) return fail(problems.join('; '));
      ctx.authorizationServers = servers as string[];
      return pass(`authorization_servers: ${servers.join(', ')}`);
    },
  },
];

type Candidate = { kind: 'challenge' | 'path-inserted' | 'root'; url: string };

function discoveryOrder(target: URL, fromChallenge: string | undefined): Candidate[] {
  const path = target.pathname === '/' ? '' : target.pathname.replace(/\/$/, '');
  const candidates: Candidate[] = [];
  if (fromChallenge) candidates.push({ kind: 'challenge', url: fromChallenge });
  if (path) candidates.push({ kind: 'path-inserted', url: `${target.origin}${WELL_KNOWN}${path}` });
  candidates.push({ kind: 'root', url: `${target.origin}${WELL_KNOWN}` });
  return candidates.filter((c, i) => candidates.findIndex((o) => o.url === c.url) === i);
}

export interface FetchedDocument {
  readonly document: Record<string, unknown>;
  /** The Content-Type without parameters, lower-cased ('' when absent). */
  readonly mediaType: string;
}

/** Metadata documents are application/json (RFC 9728 §3.2, RFC 8414 §3.2). */
export function isJsonMediaType(found: FetchedDocument): boolean {
  return found.mediaType === 'application/json';
}

/** The JSON object at url, or why there is none. */
export async function fetchDocument(http: ProbeHttp, url: string, headers: Record<string, string> = {}): Promise<FetchedDocument | string> {
  let reply: HttpReply;
  try {
    ({ reply } = await http.get(url, { accept: 'application/json', ...headers }));
  } catch (error) {
    if (error instanceof ScanNetworkError) return error.reason;
    if (error instanceof OffHostError) return error.message;
    throw error;
  }
  if (reply.status !== 200) return `HTTP ${reply.status}`;
  const json = jsonOf(reply);
  if (!isJsonObject(json)) return 'not a JSON object';
  return { document: json, mediaType: (reply.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase() };
}

function sameResourceInAnotherForm(a: string, b: string): boolean {
  try {
    const strip = (u: URL) => `${u.protocol}//${u.host}${u.pathname.replace(/\/$/, '')}${u.search}`;
    return strip(new URL(a)) === strip(new URL(b));
  } catch {
    return false;
  }
}
