/**
 * The WAF web ACL on an emulated stage: it decides before API Gateway runs anything. Its
 * rules are the deployed web ACL's (RateLimitWebAcl, built from lib/definitions/rate-rules.ts):
 *
 * - behind an edge that stamps the viewer's address, the ViewerIpStamped rule refuses a
 *   request without the stamp with WAF's default block (API Gateway then answers with its
 *   WAF_FILTERED gateway response, 403);
 * - then the rate-based rules in priority order, each counting the requests whose
 *   URL-decoded path ends with its suffix (or every request), per stamped viewer address
 *   behind the edge (CUSTOM_KEYS on the header) or per connection address without one (IP),
 *   over a sliding window of its evaluation window. A rule that blocks answers with the
 *   deployed custom response: status 429, no body and no Retry-After header (the deployed
 *   rule sets none; "Custom responses for Block actions": headers only if configured).
 *
 * AWS WAF estimates each rate every so often and keeps its decision in between ("Rate-based
 * rule caveats"): a client is blocked some time after passing the limit, not at limit + 1,
 * and unblocked some time after falling below it. `estimateIntervalMs` models that lag; a
 * blocked request still counts towards the rate, so a client that keeps sending stays blocked.
 */
import { MIN_RATE_LIMIT, RATE_WINDOWS_SECONDS, type RateRule } from '../../lib/definitions/rate-rules';
import type { OutgoingReply } from './gateway-responses';
import type { EmulatedEdge, EmulatedWebAclSpec } from './types';

/** What the web ACL does with a request. */
export type WafVerdict =
  | { readonly action: 'allow' }
  /** WAF's default block: the protected API Gateway answers it with its WAF_FILTERED response. */
  | { readonly action: 'block'; readonly rule: string }
  /** A block with a custom response, which takes precedence over API Gateway's gateway responses. */
  | { readonly action: 'custom'; readonly rule: string; readonly reply: OutgoingReply };

/** The deployed rate rules' action: block with a custom response of status 429 and nothing else. */
const RATE_LIMITED: OutgoingReply = { status: 429, headers: {}, body: '' };

interface RateCounter {
  /** Arrival times (ms) within the window, oldest first. */
  readonly arrivals: number[];
  blocked: boolean;
  estimatedAtMs?: number;
}

export class EmulatedWebAcl {
  private readonly counters = new Map<string, RateCounter>();
  private readonly rules: readonly RateRule[];
  private readonly estimateIntervalMs: number;

  constructor(
    spec: EmulatedWebAclSpec | undefined,
    private readonly edge: EmulatedEdge | undefined,
    private readonly now: () => number,
  ) {
    this.rules = spec?.rules ?? [];
    this.estimateIntervalMs = spec?.estimateIntervalMs ?? 0;
    // What AWS WAF accepts: a rule it would refuse cannot pass locally either.
    for (const rule of this.rules) {
      if (!Number.isInteger(rule.limit) || rule.limit < MIN_RATE_LIMIT) throw new Error(`WAF rule ${rule.name}: the limit must be a whole number >= ${MIN_RATE_LIMIT}`);
      if (!(RATE_WINDOWS_SECONDS as readonly number[]).includes(rule.windowSeconds)) throw new Error(`WAF rule ${rule.name}: the window must be one of ${RATE_WINDOWS_SECONDS.join(', ')} s`);
    }
  }

  evaluate(headerPairs: readonly [string, string][], sourceIp: string, path: string): WafVerdict {
    const client = this.aggregationKey(headerPairs, sourceIp);
    if (client === undefined) return { action: 'block', rule: 'ViewerIpStamped' };
    const decodedPath = urlDecoded(path);
    const now = this.now();
    for (const [priority, rule] of this.rules.entries()) {
      if (rule.pathSuffix !== undefined && !decodedPath.endsWith(rule.pathSuffix)) continue;
      if (this.overRate(`${priority}|${client}`, rule, now)) return { action: 'custom', rule: rule.name, reply: RATE_LIMITED };
    }
    return { action: 'allow' };
  }

  /** The value the rate rules aggregate on: the address the edge stamped, or the connection's; undefined for a request the edge should have stamped and did not. */
  private aggregationKey(pairs: readonly [string, string][], sourceIp: string): string | undefined {
    const header = this.edge?.viewerIpHeader;
    if (!header) return sourceIp;
    const values = pairs.filter(([name]) => name.toLowerCase() === header.toLowerCase()).map(([, value]) => value);
    return values.length && values.join(',') !== '' ? values.join(',') : undefined;
  }

  /** Counts this request and says whether the client is blocked, as of the latest estimate. */
  private overRate(key: string, rule: RateRule, now: number): boolean {
    let counter = this.counters.get(key);
    if (!counter) {
      counter = { arrivals: [], blocked: false };
      this.counters.set(key, counter);
    }
    const windowStart = now - rule.windowSeconds * 1000;
    let expired = 0;
    while (expired < counter.arrivals.length && counter.arrivals[expired]! <= windowStart) expired++;
    counter.arrivals.splice(0, expired);
    counter.arrivals.push(now);
    if (counter.estimatedAtMs === undefined || now - counter.estimatedAtMs >= this.estimateIntervalMs) {
      counter.blocked = counter.arrivals.length > rule.limit;
      counter.estimatedAtMs = now;
    }
    return counter.blocked;
  }
}

/** The path after WAF's URL_DECODE text transformation (a malformed escape stays as it is). */
function urlDecoded(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
