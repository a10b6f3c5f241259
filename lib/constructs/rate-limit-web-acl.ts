import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { MIN_RATE_LIMIT, RATE_WINDOWS_SECONDS, type RateRule } from '../definitions/rate-rules';

export interface RateLimitWebAclProps {
  /** The rate-based rules, in priority order (lib/definitions/rate-rules.ts). */
  readonly rules: readonly RateRule[];
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
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default RemovalPolicy.DESTROY */
  readonly logRemovalPolicy?: RemovalPolicy;
}

export interface RateLimitEdge {
  /** The header the edge sets to the viewer's address (lower case, as the edge function writes it). */
  readonly viewerIpHeader: string;
  /** The origin custom header the edge adds to every request it sends to the stage. */
  readonly originVerifyHeader: string;
  /**
   * The values the web ACL accepts: CloudFormation dynamic references to Secrets Manager
   * secrets (`{{resolve:secretsmanager:...}}`), never the values themselves. The first is
   * the one the edge sends; a second one, during a rotation, the previous generation's.
   */
  readonly originVerifySecrets: readonly string[];
}

/** Request headers WAF logs never hold: credentials, session cookies, and the edge's origin secret. */
export const REDACTED_HEADERS = ['authorization', 'cookie'] as const;

/**
 * A regional WAF web ACL for an API stage: the rate-based rules (the brute-force and
 * registration-flood defences of docs/security.md), then AWS's known-bad-inputs rules.
 * Blocked requests get 429 so clients back off instead of retrying. Paths are matched after
 * URL decoding, so `/t%6Fken` counts as `/token` (API Gateway routes it there too).
 * Behind the edge, two rules come first and answer 403: one for requests that did not come
 * through the edge (no origin secret), one for requests the edge did not stamp with the
 * viewer's address. The second makes a broken stamp fail loudly: WAF leaves a request that
 * lacks a custom aggregation key out of a rate rule ("Aggregating rate-based rules"), so an
 * unstamped request would otherwise never be limited.
 *
 * Every request is logged to CloudWatch Logs (`aws-waf-logs-*`, the prefix WAF requires)
 * with the Authorization and Cookie headers and the origin secret redacted: the log is where
 * the real client address of a blocked or allowed request is found behind the edge.
 */
export class RateLimitWebAcl extends Construct {
  readonly webAcl: wafv2.CfnWebACL;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RateLimitWebAclProps) {
    super(scope, id);
    if (props.rules.length === 0) throw new Error('RateLimitWebAcl: give at least one rate rule');
    for (const rule of props.rules) {
      if (!Number.isInteger(rule.limit) || rule.limit < MIN_RATE_LIMIT) throw new Error(`RateLimitWebAcl: ${rule.name} limit must be a whole number >= ${MIN_RATE_LIMIT}`);
      if (rule.pathSuffix !== undefined && !rule.pathSuffix.startsWith('/')) throw new Error(`RateLimitWebAcl: ${rule.name} pathSuffix must start with /`);
      if (!(RATE_WINDOWS_SECONDS as readonly number[]).includes(rule.windowSeconds)) throw new Error(`RateLimitWebAcl: ${rule.name} window must be one of ${RATE_WINDOWS_SECONDS.join(', ')}`);
    }
    const { edge } = props;
    if (edge && !/^[a-z0-9-]+$/.test(edge.viewerIpHeader)) throw new Error('RateLimitWebAcl: edge.viewerIpHeader must be a lower-case header name');
    if (edge && (edge.originVerifySecrets.length < 1 || edge.originVerifySecrets.length > 2)) throw new Error('RateLimitWebAcl: edge.originVerifySecrets holds the current secret and at most the previous one');
    const visibility = (metricName: string) => ({ cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName });
    const none = [{ priority: 0, type: 'NONE' }];
    // WAF's own block answer: a plain 403.
    const forbidden = { block: {} };
    const secretMatch = (secret: string): wafv2.CfnWebACL.StatementProperty => ({
      byteMatchStatement: { fieldToMatch: { singleHeader: { Name: edge!.originVerifyHeader } }, positionalConstraint: 'EXACTLY', searchString: secret, textTransformations: none },
    });
    const edgeRules: wafv2.CfnWebACL.RuleProperty[] = edge
      ? [
        {
          name: 'OnlyThroughEdge',
          priority: 0,
          action: forbidden,
          statement: {
            notStatement: {
              statement: edge.originVerifySecrets.length === 1
                ? secretMatch(edge.originVerifySecrets[0]!)
                : { orStatement: { statements: edge.originVerifySecrets.map(secretMatch) } },
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
              statement: { sizeConstraintStatement: { fieldToMatch: { singleHeader: { Name: edge.viewerIpHeader } }, comparisonOperator: 'GT', size: 0, textTransformations: none } },
            },
          },
          visibilityConfig: visibility('ViewerIpStamped'),
        },
      ]
      : [];
    const rateRules: wafv2.CfnWebACL.RuleProperty[] = props.rules.map((rule, i) => ({
      name: rule.name,
      priority: edgeRules.length + i,
      action: { block: { customResponse: { responseCode: 429 } } },
      statement: {
        rateBasedStatement: {
          limit: rule.limit,
          evaluationWindowSec: rule.windowSeconds,
          ...(edge
            ? { aggregateKeyType: 'CUSTOM_KEYS', customKeys: [{ header: { name: edge.viewerIpHeader, textTransformations: none } }] }
            : { aggregateKeyType: 'IP' }),
          ...(rule.pathSuffix === undefined
            ? {}
            : {
              scopeDownStatement: {
                byteMatchStatement: {
                  fieldToMatch: { uriPath: {} },
                  positionalConstraint: 'ENDS_WITH',
                  searchString: rule.pathSuffix,
                  textTransformations: [{ priority: 0, type: 'URL_DECODE' }],
                },
              },
            }),
        },
      },
      visibilityConfig: visibility(rule.name),
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

    // WAF writes only to log groups whose name starts with aws-waf-logs- ("CloudWatch Logs destination for web ACL traffic logs").
    const logGroupName = `aws-waf-logs-${props.metricName}-${this.node.addr.slice(0, 8)}`;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const redacted = [...REDACTED_HEADERS, ...(edge ? [edge.originVerifyHeader] : [])];
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      // The group's ARN without the `:*` its Arn attribute carries, as WAF wants it.
      logDestinationConfigs: [Stack.of(this).formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      redactedFields: redacted.map((name) => ({ singleHeader: { Name: name } })),
    });
    logging.node.addDependency(this.logGroup);
  }
}
