import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { CustomDomainDeployConfig } from '../config';
import type { RateRule } from '../definitions/rate-rules';
import { ChallengeRestoringEdge, type OriginVerifyRotation } from './challenge-restoring-edge';
import { RateLimitWebAcl } from './rate-limit-web-acl';
import { addCustomDomain } from './rest-api-defaults';

export interface PublicEntranceOptions {
  /** CloudFront in front of the stage (ChallengeRestoringEdge). */
  readonly edge: boolean;
  /** The distribution's comment in the CloudFront console. */
  readonly edgeComment: string;
  /** On the distribution with the edge, else a regional API Gateway domain. */
  readonly customDomain?: CustomDomainDeployConfig;
  readonly webAclMetricName: string;
  readonly rateRules: readonly RateRule[];
  readonly originVerify?: OriginVerifyRotation;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

export interface PublicEntrance {
  readonly edge?: ChallengeRestoringEdge;
  readonly domainName?: apigateway.DomainName;
  readonly webAcl: RateLimitWebAcl;
  /** The URL clients reach: the custom domain, the distribution, or the stage. */
  readonly url: string;
}

/**
 * How clients reach a REST API (through the edge, a regional custom domain, or the stage
 * URL), and the web ACL on its stage. The two are made together because the web ACL
 * depends on the edge: behind it, the rate rules count the address the edge stamps, and
 * requests that did not come through it are refused.
 */
export function addPublicEntrance(scope: Construct, api: apigateway.RestApi, options: PublicEntranceOptions): PublicEntrance {
  const edge = options.edge
    ? new ChallengeRestoringEdge(scope, 'Edge', { api, comment: options.edgeComment, customDomain: options.customDomain, originVerify: options.originVerify })
    : undefined;
  const domainName = !edge && options.customDomain ? addCustomDomain(scope, api, options.customDomain) : undefined;
  const url = edge?.url ?? (options.customDomain ? `https://${options.customDomain.domainName}` : api.url.replace(/\/$/, ''));
  const webAcl = new RateLimitWebAcl(scope, 'Waf', {
    resourceArn: api.deploymentStage.stageArn,
    metricName: options.webAclMetricName,
    rules: options.rateRules,
    edge: edge?.rateLimitEdge,
    logRetention: options.logRetention,
    logRemovalPolicy: options.logRemovalPolicy,
  });
  return { edge, domainName, webAcl, url };
}
