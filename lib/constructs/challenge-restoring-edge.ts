import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { ORIGIN_VERIFY_HEADER, VIEWER_IP_HEADER } from '../../lambda/edge/edge-headers';
import { isEdgeCertificate, type CustomDomainDeployConfig } from '../config';
import { FUNCTION_SETTINGS } from '../definitions/function-settings';
import { EDGE_FUNCTIONS } from './handler-entries';
import type { RateLimitEdge } from './rate-limit-web-acl';

/** Two years, the max-age browsers' HSTS preload lists ask for. */
export const HSTS_MAX_AGE = Duration.days(730);

export interface OriginVerifyRotation {
  /** The secret's generation; raising it creates a new secret that the edge sends from then on. */
  readonly generation: number;
  /** While true, the web ACL also accepts the previous generation's secret (the switch is not atomic across CloudFront's edge locations). */
  readonly acceptPrevious: boolean;
}

export interface ChallengeRestoringEdgeProps {
  /** The REST API behind the edge; its stage URL becomes the origin. */
  readonly api: apigateway.RestApi;
  /** Shown in the CloudFront console; cut to CloudFront's 128 characters. */
  readonly comment: string;
  /** The distribution's own domain; its certificate must be in us-east-1. @default the cloudfront.net name */
  readonly customDomain?: CustomDomainDeployConfig;
  /** @default generation 1, nothing previous to accept */
  readonly originVerify?: OriginVerifyRotation;
}

/**
 * A CloudFront distribution in front of a REST API. It undoes one API Gateway behaviour: an
 * integration's WWW-Authenticate header arrives at clients renamed to
 * x-amzn-remapped-www-authenticate. A Lambda@Edge origin-response function
 * (lambda/edge/restore-challenge.js) puts it back; CloudFront runs origin-response
 * functions for every origin response, the 401s and 403s included, and viewer-response
 * functions only for responses below 400 ("Restrictions on all edge functions"), so a
 * viewer-response function would never see the challenges it exists for. The MCP API needs
 * it for tool-level 403 challenges, the authorization server for the `WWW-Authenticate:
 * Basic` of a 401 invalid_client (RFC 6749 5.2). Lambda@Edge functions live in us-east-1:
 * `cloudfront.experimental.EdgeFunction` puts it in a small stack there when the API's
 * stack is elsewhere. Every response also gets Strict-Transport-Security.
 *
 * It also gives the stage's web ACL (RateLimitWebAcl, `rateLimitEdge`) what it needs to
 * count clients that nobody can impersonate: the viewer-request CloudFront Function
 * (lambda/edge/stamp-viewer-ip.js) writes the address CloudFront saw (an IPv6 viewer's /64)
 * into x-mcp-oauth-viewer-ip, over anything the client sent, and the origin custom header
 * x-origin-verify carries a generated secret, without which the web ACL blocks a request:
 * so the stage URL, which must stay enabled as the origin, answers only through the edge.
 * CloudFront overwrites a viewer's own x-origin-verify with the configured value ("Add
 * custom headers to origin requests": if the header is present, CloudFront overwrites it).
 *
 * Nothing is cached: OAuth and MCP answers depend on credentials, cookies and bodies. With
 * caching off, the AllViewerExceptHostHeader policy forwards Authorization, Cookie, Origin,
 * Content-Type, Mcp-* and every other viewer header, all cookies and the query string;
 * Host is left out because API Gateway routes on its own host name.
 */
export class ChallengeRestoringEdge extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly restoreFunction: cloudfront.experimental.EdgeFunction;
  readonly stampViewerIpFunction: cloudfront.Function;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** The value of the x-origin-verify header the edge sends; CloudFormation resolves it into the distribution and the web ACL. */
  readonly originVerifySecret: secretsmanager.Secret;
  /** The previous generation's secret, still accepted by the web ACL during a rotation. */
  readonly previousOriginVerifySecret?: secretsmanager.Secret;
  /** What the stage's RateLimitWebAcl needs to count by the stamped address and to refuse requests from around the edge. */
  readonly rateLimitEdge: RateLimitEdge;
  /** https://<custom domain> or https://<id>.cloudfront.net, without a trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ChallengeRestoringEdgeProps) {
    super(scope, id);
    const { customDomain } = props;
    if (customDomain && !isEdgeCertificate(customDomain.certificateArn)) {
      throw new Error(`ChallengeRestoringEdge: the certificate of ${customDomain.domainName} must be in us-east-1 (CloudFront takes its certificates from there)`);
    }
    const rotation = props.originVerify ?? { generation: 1, acceptPrevious: false };
    if (!Number.isInteger(rotation.generation) || rotation.generation < 1) throw new Error('ChallengeRestoringEdge: originVerify.generation must be a whole number >= 1');

    const settings = FUNCTION_SETTINGS.restoreChallenge;
    this.restoreFunction = new cloudfront.experimental.EdgeFunction(this, 'RestoreChallenge', {
      description: 'mcp-oauth: restores the WWW-Authenticate header API Gateway renames on integration responses (origin response)',
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      // Inline: the function is one small file with no dependencies, and the template then shows exactly what runs.
      code: lambda.Code.fromInline(readFileSync(EDGE_FUNCTIONS.restoreChallenge, 'utf8')),
      memorySize: settings.memoryMb,
      timeout: Duration.seconds(settings.timeoutSeconds),
    });
    // A header this function adds reaches the origin under AllViewerExceptHostHeader: the
    // function returns the viewer request, which CloudFront "converts back into an HTTP
    // request" ("CloudFront Functions event structure"), and the policy forwards "all HTTP
    // headers in viewer requests" ("Understand origin request policies"); AWS's own example
    // "Add an origin header to a CloudFront Functions viewer request event" relies on it. No
    // page says it in one sentence, so the web ACL also blocks (403) any request that arrives
    // without the stamp (RateLimitWebAcl, ViewerIpStamped): if it ever did not arrive, the
    // API would refuse every request instead of silently leaving it uncounted.
    this.stampViewerIpFunction = new cloudfront.Function(this, 'StampViewerIp', {
      code: cloudfront.FunctionCode.fromFile({ filePath: EDGE_FUNCTIONS.stampViewerIp }),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Sets x-mcp-oauth-viewer-ip to the viewer address (IPv6: its /64) for the WAF rate rules',
    });
    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'mcp-oauth: HSTS on every response through the edge',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: HSTS_MAX_AGE, includeSubdomains: false, preload: false, override: true },
        contentTypeOptions: { override: false },
      },
    });

    // A new construct id per generation: CloudFormation creates a new secret with a new value,
    // and because its ARN changes, the dynamic references below change too, so the
    // distribution and the web ACL are updated in the same deployment. Merely changing the
    // secret's value would not reach them: CloudFormation resolves a dynamic reference only
    // when it updates the resource that holds it ("Get a secret or secret value from Secrets
    // Manager"). The previous generation's secret stays while the web ACL still accepts it.
    this.originVerifySecret = originVerifySecret(this, rotation.generation);
    this.previousOriginVerifySecret = rotation.acceptPrevious && rotation.generation > 1 ? originVerifySecret(this, rotation.generation - 1) : undefined;
    // unsafeUnwrap() gives the `{{resolve:secretsmanager:<arn>:SecretString:::}}` token, not the
    // value: that reference is what lands in the template, and CloudFormation resolves it when
    // it creates or updates the resource (a secretsmanager dynamic reference "can be used in all
    // resource properties"). The value is visible to whoever may read the distribution's or the
    // web ACL's configuration, as that page warns; it is a shared secret between our own
    // resources, not a credential of anyone's.
    const originVerifyValue = this.originVerifySecret.secretValue.unsafeUnwrap();
    this.rateLimitEdge = {
      viewerIpHeader: VIEWER_IP_HEADER,
      originVerifyHeader: ORIGIN_VERIFY_HEADER,
      originVerifySecrets: [originVerifyValue, ...(this.previousOriginVerifySecret ? [this.previousOriginVerifySecret.secretValue.unsafeUnwrap()] : [])],
    };
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: props.comment.slice(0, 128),
      defaultBehavior: {
        origin: new origins.RestApiOrigin(props.api, { customHeaders: { [ORIGIN_VERIFY_HEADER]: originVerifyValue } }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: this.responseHeadersPolicy,
        functionAssociations: [{ function: this.stampViewerIpFunction, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        edgeLambdas: [{ functionVersion: this.restoreFunction.currentVersion, eventType: cloudfront.LambdaEdgeEventType.ORIGIN_RESPONSE }],
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      ...(customDomain
        ? { domainNames: [customDomain.domainName], certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', customDomain.certificateArn) }
        : {}),
    });
    if (customDomain?.hostedZoneId && customDomain.hostedZoneName) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: customDomain.hostedZoneId, zoneName: customDomain.hostedZoneName });
      new route53.ARecord(this, 'AliasRecord', { zone, recordName: customDomain.domainName, target: route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution)) });
    }
    this.url = customDomain ? `https://${customDomain.domainName}` : `https://${this.distribution.distributionDomainName}`;
  }
}

function originVerifySecret(scope: Construct, generation: number): secretsmanager.Secret {
  return new secretsmanager.Secret(scope, generation === 1 ? 'OriginVerifySecret' : `OriginVerifySecretG${generation}`, {
    description: `mcp-oauth: the ${ORIGIN_VERIFY_HEADER} header the CloudFront edge sends to the API stage, which blocks requests without it (generation ${generation})`,
    generateSecretString: { excludePunctuation: true, passwordLength: 48 },
  });
}
