/**
 * The probes that need a real access token (--token, or what --login got), and the one that
 * needs a token for another resource (--other-resource-token). The tokens go into the
 * Authorization header and nowhere else.
 *
 * No tool is meant to run: every tools/call carries `arguments` that the MCP schema forbids (a
 * string, where an object is required), so a server that checks scope first answers 403 and
 * one that reaches the tool refuses the call as invalid. Only tools/list is answered for real.
 */
import { readableClaims, tamperedToken } from '../forged-tokens';
import { isJsonObject, type HttpReply } from '../http';
import { McpSession, type McpReply } from '../mcp-session';
import { fail, NOT_PROTECTED, pass, resourceOf, skip, warn, type Outcome, type Probe, type ScanContext } from '../probe';
import { judgeRefusal, presentToken } from '../token-refusal';
import { bearerChallenge } from '../www-authenticate';

const UNUSABLE_ARGUMENTS = 'mcp-oauth-scan: not arguments';
const NO_SUCH_TOOL = 'mcp-oauth-scan-no-such-tool';
const OTHER_NO_SUCH_TOOL = 'mcp-oauth-scan-other-tool';
const MAX_TOOLS_PROBED = 4;
const NO_SESSION = 'the access token was not accepted (token-accepted)';

export const accessTokenProbes: readonly Probe[] = [
  {
    id: 'token-accepted',
    async run(ctx, http) {
      if (!ctx.authRequired) return skip(NOT_PROTECTED);
      if (!ctx.accessToken) return skip(ctx.settings.login ? 'the --login flow got no token (login-flow)' : 'no access token');
      const { session, initialize } = await McpSession.open(http, ctx.targetText, ctx.accessToken);
      if (!session) return warn(`the token was refused or the server did not answer as MCP (HTTP ${initialize.reply.status}); the token probes need a fresh token issued for ${resourceOf(ctx)}`);
      ctx.session = session;
      return pass(`initialize answered ${initialize.reply.status}; the server speaks MCP ${session.protocolVersion}${session.sessionId ? ', with a session' : ''}`);
    },
  },
  {
    id: 'token-tampered',
    async run(ctx, http) {
      if (!ctx.session) return skip(ctx.authRequired ? NO_SESSION : NOT_PROTECTED);
      const tampered = tamperedToken(ctx.accessToken!);
      return judgeRefusal(await presentToken(http, ctx.targetText, tampered.token), `the token with one character ${tampered.where} changed`);
    },
  },
  {
    id: 'token-audience-bound',
    async run(ctx, http) {
      if (!ctx.authRequired) return skip(NOT_PROTECTED);
      const token = ctx.settings.otherResourceToken!;
      const claims = readableClaims(token);
      const now = ctx.settings.nowSeconds();
      if (claims && typeof claims.exp === 'number' && claims.exp <= now) return skip('the other-resource token has expired, so its refusal would prove nothing: pass a live one');
      const audiences = claims ? [claims.aud].flat() : [];
      if (audiences.includes(resourceOf(ctx))) return skip(`the other-resource token names this server (${resourceOf(ctx)}) in aud: pass a token issued for another resource`);
      const about = claims ? (audiences.length ? `a live token for ${audiences.join(', ')}` : 'a live token without aud') : 'a token for another resource (opaque: check that it is live)';
      return judgeRefusal(await presentToken(http, ctx.targetText, token), about);
    },
  },
  {
    id: 'step-up-insufficient-scope',
    async run(ctx, http) {
      const session = ctx.session;
      if (!session) return skip(ctx.authRequired ? NO_SESSION : NOT_PROTECTED);
      const listed = await session.post(http, { method: 'tools/list', params: {} });
      if (listed.reply.status === 403) return judgeScopeChallenge(listed.reply, 'tools/list', ctx.challenge?.source === 'renamed');
      const tools = toolNames(listed);
      if (!tools) return warn(`tools/list under the token got HTTP ${listed.reply.status} without a list of tools`);
      if (tools.length === 0) return skip('tools/list is empty: there is no tool to call beyond the scope');
      const refusals = new Map<string, boolean>();
      ctx.toolRefusals = refusals;
      for (const tool of tools.slice(0, MAX_TOOLS_PROBED)) {
        const called = await session.post(http, { method: 'tools/call', params: { name: tool, arguments: UNUSABLE_ARGUMENTS } });
        const { status } = called.reply;
        refusals.set(tool, status === 401 || status === 403);
        if (status === 403) return judgeScopeChallenge(called.reply, `tools/call ${tool}`, ctx.challenge?.source === 'renamed');
        if (status === 401) return fail(`tools/call ${tool} under a token that opens the server got 401; a token lacking scope gets 403 insufficient_scope`);
      }
      const probed = tools.slice(0, MAX_TOOLS_PROBED);
      return skip(`the token was not refused for any of the ${probed.length} tools tried (${probed.join(', ')}): pass a token that lacks a tool's scope to see the step-up challenge`);
    },
  },
  {
    id: 'mcp-header-mismatch',
    async run(ctx, http) {
      const session = ctx.session;
      if (!session) return skip(ctx.authRequired ? NO_SESSION : NOT_PROTECTED);
      const { allowed, refused } = toolsForMismatch(ctx);
      const attempts = [
        { what: 'Mcp-Method: tools/list on a tools/call', post: { method: 'tools/call', params: { name: refused, arguments: UNUSABLE_ARGUMENTS }, headers: { 'mcp-method': 'tools/list', 'mcp-name': undefined } } },
        { what: `Mcp-Name: ${allowed} on a call of ${refused}`, post: { method: 'tools/call', params: { name: refused, arguments: UNUSABLE_ARGUMENTS }, headers: { 'mcp-name': allowed } } },
      ];
      const accepted: string[] = [];
      const refusedWith400: string[] = [];
      const inconclusive: string[] = [];
      for (const attempt of attempts) {
        const { reply, answer } = await session.post(http, attempt.post);
        if (reply.status === 400) refusedWith400.push(`${attempt.what}: 400${answer?.error?.code === -32020 ? ' HeaderMismatch' : ''}`);
        else if (reply.status === 401 || reply.status === 403) inconclusive.push(`${attempt.what}: ${reply.status} before the headers were compared`);
        else accepted.push(`${attempt.what}: HTTP ${reply.status}${answer?.error ? ` with JSON-RPC error ${String(answer.error.code)}` : ''}`);
      }
      if (accepted.length) {
        const judged = session.requiresRequestMetadata ? fail : warn;
        const era = session.requiresRequestMetadata ? '' : `; the server speaks MCP ${session.protocolVersion}, which defines no such headers, but a gateway that routes or authorizes by them in front of it can be shown one tool while another runs`;
        return judged(`not refused: ${accepted.join('; ')}${era}`);
      }
      if (refusedWith400.length === 0) return skip(`refused for authorization first, so header/body agreement could not be seen: ${inconclusive.join('; ')}`);
      return pass([...refusedWith400, ...inconclusive].join('; '));
    },
  },
];

function toolNames(listed: McpReply): string[] | undefined {
  const result = listed.answer?.result;
  if (!isJsonObject(result) || !Array.isArray(result.tools)) return undefined;
  return result.tools.flatMap((t) => (isJsonObject(t) && typeof t.name === 'string' ? [t.name] : []));
}

/**
 * The challenge of a 403 to a call beyond the token's scope (MCP "Runtime Insufficient Scope
 * Errors"). A renamed 403 challenge behind a correct 401 is the API Gateway pitfall of an
 * integration's own 403 (the authorizer's 401 comes from a gateway response, intact); when
 * the 401 was renamed too, challenge-not-renamed has already failed for it.
 */
function judgeScopeChallenge(reply: HttpReply, request: string, renamedAlready: boolean): Outcome {
  const renamed = reply.headers.get('x-amzn-remapped-www-authenticate');
  let standard = reply.headers.get('www-authenticate');
  let from = '';
  if (!standard && renamed) {
    if (!renamedAlready) return fail(`${request} got 403, but its challenge arrived as x-amzn-Remapped-WWW-Authenticate, which clients ignore: ${renamed}`);
    standard = renamed;
    from = ' (read from the renamed header, see challenge-not-renamed)';
  }
  const challenge = bearerChallenge(standard);
  if (!challenge) return fail(`${request} got 403 without a Bearer challenge${standard ? `: ${standard}` : ''}; the client cannot learn what to step up to`);
  const problems = [
    ...(challenge.params.error === 'insufficient_scope' ? [] : [`error is ${challenge.params.error ? `"${challenge.params.error}"` : 'absent'}, not "insufficient_scope"`]),
    ...(challenge.params.scope?.trim() ? [] : ['no scope names what the call needs']),
  ];
  if (problems.length) return fail(`${request} got 403 with ${standard}: ${problems.join('; ')}`);
  const metadata = challenge.params.resource_metadata ? '' : ' (no resource_metadata, which MCP asks for, for consistency with the 401)';
  return pass(`${request} got 403 insufficient_scope, scope="${challenge.params.scope!.trim()}"${metadata}${from}`);
}

/** A tool the token may call for the header, and one it may not (or none at all) for the body. */
function toolsForMismatch(ctx: ScanContext): { allowed: string; refused: string } {
  const entries = [...(ctx.toolRefusals ?? new Map<string, boolean>()).entries()];
  const allowed = entries.find(([, refused]) => !refused)?.[0] ?? NO_SUCH_TOOL;
  const refused = entries.find(([, isRefused]) => isRefused)?.[0] ?? OTHER_NO_SUCH_TOOL;
  return { allowed, refused };
}
