import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface PathRateLimit {
  /** The rule name, also the CloudWatch metric name. */
  readonly name: string;
  /** Requests whose URI path ends with this, with or without a stage prefix in front. */
  readonly pathSuffix: string;
  /** Requests per client address per 5 minutes (behind the edge, the address it stamps); WAF's minimum is 10. */
  readonly limitPer5Minutes: number;
}

export interface RateLimitWebAclProps {
  readonly limits: readonly PathRateLimit[];
  /** The stage ARN to protect. */
  readonly resourceArn: string;
  /** Name of the web ACL's metrics. */
  readonly metricName: string;
  /**
   * The CloudFront edge in front of the stage (ChallengeRestoringEdge). Every connection then
   * comes from an edge server, so the rate rules count the viewer address the edge's
   * viewer-request function stamps into `viewerIpHeader` (it overwrites any client value),
   * and a first rule blocks every request that does not carry the edge's origin secret, so
   * nobody reaches the stage URL around the edge (and its stamp). @default none: clients
   * connect to the stage directly and are counted by their connection's address
   */
  readonly edge?: RateLimitEdge;
}

export interface RateLimitEdge {
  /** The header the edge sets to the viewer's address (lower case, as the edge function writes it). */
  readonly viewerIpHeader: string;
  /** The origin custom header the edge adds to every request it sends to the stage. */
  readonly originVerifyHeader: string;
  /**
   * The header's value: a CloudFormation dynamic reference to a Secrets Manager secret
   * (`{{resolve:secretsmanager:...}}`), never the value itself, which would then stand in
   * the template. CloudFormation resolves it when it creates or updates the web ACL.
   */
  readonly originVerifySecret: string;
}

/**
 * A regional WAF web ACL for an API stage: one rate-based rule per sensitive path (the
 * brute-force and registration-flood defences of SECURITY-CASES 46 and 55), then AWS's
 * known-bad-inputs rules. Blocked requests get 429 so clients back off instead of retrying.
 * Behind the edge, two rules come first and answer 403: one for requests that did not come
 * through the edge (no origin secret), one for requests the edge did not stamp with the
 * viewer's address. The second makes a broken stamp fail loudly: WAF leaves a request that
 * lacks a custom aggregation key out of a rate rule, so an unstamped request would otherwise
 * never be limited.
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
    const { edge } = props;
    if (edge && !/^[a-z0-9-]+$/.test(edge.viewerIpHeader)) throw new Error('RateLimitWebAcl: edge.viewerIpHeader must be a lower-case header name');
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    // WAF's own block answer: a plain 403.
    const forbidden = { block: {} };
    const edgeRules: wafv2.CfnWebACL.RuleProperty[] = edge
      ? [
        {
          name: 'OnlyThroughEdge',
          priority: 0,
          action: forbidden,
          statement: {
            notStatement: {
              statement: {
                byteMatchStatement: {
                  fieldToMatch: { singleHeader: { Name: edge.originVerifyHeader } },
                  positionalConstraint: 'EXACTLY',
                  searchString: edge.originVerifySecret,
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          visibilityConfig: visibility('OnlyThroughEdge'),
        },
        {
          name: 'ViewerIpStamped',
          priority: 1,
          action: forbidden,
          statement: {
            notStatement: {
              statement: {
                sizeConstraintStatement: {
                  fieldToMatch: { singleHeader: { Name: edge.viewerIpHeader } },
                  comparisonOperator: 'GT',
                  size: 0,
                  textTransformations: [{ priority: 0, type: 'NONE' }],
                },
              },
            },
          },
          visibilityConfig: visibility('ViewerIpStamped'),
        },
      ]
      : [];
    const rateRules: wafv2.CfnWebACL.RuleProperty[] = props.limits.map((limit, i) => ({
      name: limit.name,
      priority: edgeRules.length + i,
      action: { block: { customResponse: { responseCode: 429 } } },
      statement: {
        rateBasedStatement: {
          limit: limit.limitPer5Minutes,
          evaluationWindowSec: 300,
          ...(edge
            ? { aggregateKeyType: 'CUSTOM_KEYS', customKeys: [{ header: { name: edge.viewerIpHeader, textTransformations: [{ priority: 0, type: 'NONE' }] } }] }
            : { aggregateKeyType: 'IP' }),
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
        ...edgeRules,
        ...rateRules,
        {
          name: 'KnownBadInputs',
          priority: edgeRules.length + rateRules.length,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
          visibilityConfig: visibility('KnownBadInputs'),
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'Association', { resourceArn: props.resourceArn, webAclArn: this.webAcl.attrArn });
  }
}
