import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface PathRateLimit {
  /** The rule name, also the CloudWatch metric name. */
  readonly name: string;
  /** Requests whose URI path ends with this, with or without a stage prefix in front. */
  readonly pathSuffix: string;
  /** Requests per client IP per 5 minutes; WAF's minimum is 10. */
  readonly limitPer5Minutes: number;
}

export interface RateLimitWebAclProps {
  readonly limits: readonly PathRateLimit[];
  /** The stage ARN to protect. */
  readonly resourceArn: string;
  /** Name of the web ACL's metrics. */
  readonly metricName: string;
  /**
   * Count clients by the first X-Forwarded-For address instead of the connection's: needed
   * behind CloudFront, where every connection comes from an edge server. A client can put
   * its own X-Forwarded-For first, so this limits honest clients per IP, not a determined
   * attacker (a CloudFront-scoped web ACL in us-east-1 would). @default false
   */
  readonly clientIpFromForwardedFor?: boolean;
}

/**
 * A regional WAF web ACL for an API stage: one rate-based rule per sensitive path (the
 * brute-force and registration-flood defences of SECURITY-CASES 46 and 55), then AWS's
 * known-bad-inputs rules. Blocked requests get 429 so clients back off instead of retrying.
 */
export class RateLimitWebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: RateLimitWebAclProps) {
    super(scope, id);
    if (props.limits.length === 0) throw new Error('RateLimitWebAcl: give at least one path limit');
    for (const limit of props.limits) {
      if (!Number.isInteger(limit.limitPer5Minutes) || limit.limitPer5Minutes < 10) throw new Error(`RateLimitWebAcl: ${limit.name} limit must be a whole number >= 10`);
      if (!limit.pathSuffix.startsWith('/')) throw new Error(`RateLimitWebAcl: ${limit.name} pathSuffix must start with /`);
    }
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    const rateRules: wafv2.CfnWebACL.RuleProperty[] = props.limits.map((limit, i) => ({
      name: limit.name,
      priority: i,
      action: { block: { customResponse: { responseCode: 429 } } },
      statement: {
        rateBasedStatement: {
          limit: limit.limitPer5Minutes,
          evaluationWindowSec: 300,
          aggregateKeyType: props.clientIpFromForwardedFor ? 'FORWARDED_IP' : 'IP',
          forwardedIpConfig: props.clientIpFromForwardedFor ? { headerName: 'X-Forwarded-For', fallbackBehavior: 'MATCH' } : undefined,
          scopeDownStatement: {
            byteMatchStatement: {
              fieldToMatch: { uriPath: {} },
              positionalConstraint: 'ENDS_WITH',
              searchString: limit.pathSuffix,
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
        },
      },
      visibilityConfig: visibility(limit.name),
    }));
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(props.metricName),
      rules: [
        ...rateRules,
        {
          name: 'KnownBadInputs',
          priority: rateRules.length,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
          visibilityConfig: visibility('KnownBadInputs'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: props.resourceArn, webAclArn: this.webAcl.attrArn });
  }
}
