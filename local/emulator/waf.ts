/**
 * The WAF web ACL in front of an emulated API: it counts (and blocks) before API Gateway
 * runs anything. Rate-based rules per source address, or, behind an edge that stamps the
 * viewer's address, per stamped address, as the deployed web ACL's CUSTOM_KEYS rules do;
 * a request the edge should have stamped and did not is refused, as the ViewerIpStamped
 * rule does.
 */
import type { OutgoingReply } from './gateway-responses';
import type { EmulatedEdge, EmulatedRateLimit } from './types';

export class EmulatedWebAcl {
  private readonly rateWindows = new Map<string, { windowStartMs: number; count: number }>();

  constructor(
    private readonly rateLimits: readonly EmulatedRateLimit[],
    private readonly edge: EmulatedEdge | undefined,
  ) {}

  /** WAF's answer to a request it blocks; undefined for a request it lets through. */
  block(headerPairs: readonly [string, string][], sourceIp: string, path: string): OutgoingReply | undefined {
    const client = this.rateLimitKey(headerPairs, sourceIp);
    // The deployed web ACL's ViewerIpStamped rule: WAF's plain block.
    if (client === undefined) return { status: 403, headers: { 'Content-Type': 'text/plain' }, body: 'Forbidden' };
    const limited = this.rateLimited(client, path);
    if (!limited) return undefined;
    return { status: 429, headers: { 'Content-Type': 'application/json', 'Retry-After': String(limited.windowSeconds) }, body: '{"message":"Too Many Requests"}' };
  }

  /** Whom a rate limit counts: the address the edge stamped, or the connection's; undefined for a request the edge should have stamped and did not. */
  private rateLimitKey(pairs: readonly [string, string][], sourceIp: string): string | undefined {
    const header = this.edge?.viewerIpHeader;
    if (!header) return sourceIp;
    const values = pairs.filter(([name]) => name.toLowerCase() === header.toLowerCase()).map(([, value]) => value);
    return values.length ? values.join(',') : undefined;
  }

  private rateLimited(client: string, path: string): EmulatedRateLimit | undefined {
    const now = Date.now();
    for (const [index, rule] of this.rateLimits.entries()) {
      if (!path.startsWith(rule.pathPrefix)) continue;
      const key = `${index}|${client}`;
      const window = this.rateWindows.get(key);
      if (!window || now - window.windowStartMs >= rule.windowSeconds * 1000) {
        this.rateWindows.set(key, { windowStartMs: now, count: 1 });
        continue;
      }
      window.count++;
      if (window.count > rule.limit) return rule;
    }
    return undefined;
  }
}
