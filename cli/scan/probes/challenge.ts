/**
 * The first contact: an `initialize` without a token, and the challenge that comes back
 * (RFC 6750 §3, RFC 9728 §5.1). Behind API Gateway an integration's WWW-Authenticate
 * arrives renamed to x-amzn-Remapped-WWW-Authenticate, which no client reads; the scan
 * still reads the renamed value so that the rest of the audit can go on.
 */
import { isRedirect } from '../http';
import { initializePost, LEGACY_PROTOCOL_VERSION, postMcp } from '../mcp-session';
import { fail, NOT_PROTECTED, pass, skip, warn, type ObservedChallenge, type Probe } from '../probe';
import { bearerChallenge, parseWwwAuthenticate } from '../www-authenticate';

const RENAMED = 'x-amzn-remapped-www-authenticate';

export const challengeProbes: readonly Probe[] = [
  {
    id: 'auth-required',
    async run(ctx, http) {
      // A network failure here propagates: the scan reports an unreachable target.
      const { reply } = await postMcp(http, ctx.targetText, initializePost(), { protocolVersion: LEGACY_PROTOCOL_VERSION });
      ctx.unauthenticated = reply;
      ctx.challenge = observeChallenge(reply.headers);
      if (reply.status === 401) {
        ctx.authRequired = true;
        return pass('an initialize without a token got 401');
      }
      if (reply.status === 403) {
        ctx.authRequired = true;
        return fail('an initialize without a token got 403; a request that lacks authorization gets 401 with a challenge, 403 is for insufficient scope');
      }
      ctx.authRequired = false;
      if (isRedirect(reply.status) && reply.location) return fail(`an initialize was redirected (HTTP ${reply.status}) to ${reply.location}: scan the URL that clients are given, which must answer itself`);
      if (reply.status >= 200 && reply.status < 300) return fail(`an initialize without a token was served (HTTP ${reply.status}): anyone can use this MCP server`);
      return fail(`an initialize without a token got HTTP ${reply.status}, neither 401 nor an MCP answer: is ${ctx.targetText} the MCP endpoint?`);
    },
  },
  {
    id: 'challenge-not-renamed',
    async run(ctx) {
      if (!ctx.authRequired) return skip(NOT_PROTECTED);
      const challenge = ctx.challenge!;
      if (challenge.source === 'renamed') return fail(`the 401 has no WWW-Authenticate, only x-amzn-Remapped-WWW-Authenticate: ${challenge.raw}; clients see no challenge`);
      if (challenge.source === 'none') return skip('the 401 carries no challenge at all (challenge-resource-metadata)');
      return pass(ctx.unauthenticated!.headers.get(RENAMED) ? 'WWW-Authenticate is there (next to a renamed copy, which clients ignore)' : 'the challenge arrives as WWW-Authenticate');
    },
  },
  {
    id: 'challenge-resource-metadata',
    async run(ctx) {
      if (!ctx.authRequired) return skip(NOT_PROTECTED);
      const challenge = ctx.challenge!;
      const from = challenge.source === 'renamed' ? ' (read from the renamed header)' : '';
      if (challenge.source === 'none') return fail('the 401 carries no WWW-Authenticate challenge');
      if (!challenge.bearer) {
        const schemes = parseWwwAuthenticate(challenge.raw ?? '').map((c) => c.scheme);
        return fail(`the challenge has no Bearer scheme (${schemes.join(', ') || 'none readable'}): ${challenge.raw}`);
      }
      const url = challenge.bearer.params.resource_metadata;
      if (url === undefined) return fail(`the Bearer challenge has no resource_metadata${from}: ${challenge.raw}`);
      if (!isAbsoluteHttpUrl(url)) return fail(`resource_metadata is not an absolute http(s) URL${from}: "${url}"`);
      const refused = ctx.hosts.admit(url);
      if (refused) return fail(`resource_metadata="${url}": ${refused}`);
      return pass(`resource_metadata="${url}"${from}`);
    },
  },
  {
    id: 'challenge-scope',
    async run(ctx) {
      if (!ctx.authRequired) return skip(NOT_PROTECTED);
      const bearer = ctx.challenge?.bearer;
      if (!bearer) return skip('there is no Bearer challenge (challenge-resource-metadata)');
      const scope = bearer.params.scope?.trim();
      return scope ? pass(`scope="${scope}"`) : warn('the Bearer challenge names no scope; clients will ask for every scope in scopes_supported');
    },
  },
];

function observeChallenge(headers: Headers): ObservedChallenge {
  const standard = headers.get('www-authenticate');
  if (standard) return { source: 'standard', raw: standard, bearer: bearerChallenge(standard) };
  const renamed = headers.get(RENAMED);
  if (renamed) return { source: 'renamed', raw: renamed, bearer: bearerChallenge(renamed) };
  return { source: 'none' };
}

export function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
