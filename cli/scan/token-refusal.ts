/**
 * How the MCP endpoint answered a token it must refuse. MCP: "Invalid or expired tokens
 * MUST receive a HTTP 401 response"; RFC 6750 §3.1 names the error invalid_token. A
 * refusal with another status is wrong but not dangerous (warn); an answer that served the
 * request is the vulnerability (fail).
 */
import { jsonOf, isJsonObject, type HttpReply, type ProbeHttp } from './http';
import { initializePost, LEGACY_PROTOCOL_VERSION, postMcp } from './mcp-session';
import { fail, pass, warn, type Outcome } from './probe';
import { bearerChallenge } from './www-authenticate';

/** POSTs an initialize with this bearer token. */
export async function presentToken(http: ProbeHttp, mcpUrl: string, token: string): Promise<HttpReply> {
  return (await postMcp(http, mcpUrl, initializePost(), { protocolVersion: LEGACY_PROTOCOL_VERSION, token })).reply;
}

export function judgeRefusal(reply: HttpReply, what: string): Outcome {
  if (reply.status === 401) {
    const where = invalidTokenCodeIn(reply);
    if (where === 'challenge') return pass(`${what}: 401 with error="invalid_token"`);
    if (where === 'body') return pass(`${what}: 401, invalid_token in the body (not in the challenge)`);
    return warn(`${what}: 401 without the invalid_token error code`);
  }
  if (reply.status >= 200 && reply.status < 300) return fail(`${what}: accepted (HTTP ${reply.status}), the request was served`);
  if (reply.status === 400 || reply.status === 403) return warn(`${what}: refused with ${reply.status}; an invalid token must get 401`);
  return warn(`${what}: answered HTTP ${reply.status}, not 401`);
}

function invalidTokenCodeIn(reply: HttpReply): 'challenge' | 'body' | undefined {
  const challenge = bearerChallenge(reply.headers.get('www-authenticate')) ?? bearerChallenge(reply.headers.get('x-amzn-remapped-www-authenticate'));
  if (challenge?.params.error === 'invalid_token') return 'challenge';
  const body = jsonOf(reply);
  return isJsonObject(body) && body.error === 'invalid_token' ? 'body' : undefined;
}
