import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { isEdgeCertificate, type CustomDomainDeployConfig } from '../config';
import { EDGE_FUNCTIONS } from './handler-entries';

export interface ChallengeRestoringEdgeProps {
  /** The REST API behind the edge; its stage URL becomes the origin. */
  readonly api: apigateway.RestApi;
  /** Shown in the CloudFront console; cut to CloudFront's 128 characters. */
  readonly comment: string;
  /** The distribution's own domain; its certificate must be in us-east-1. @default the cloudfront.net name */
  readonly customDomain?: CustomDomainDeployConfig;
}

/**
 * A CloudFront distribution in front of a REST API whose only job is to undo one API
 * Gateway behaviour: an integration's WWW-Authenticate header arrives at clients renamed to
 * x-amzn-remapped-www-authenticate. The viewer-response function
 * (lambda/edge/restore-www-authenticate.js, which local mode runs too) puts it back. The
 * MCP API needs it for tool-level 403 challenges, the authorization server for the
 * `WWW-Authenticate: Basic` of a 401 invalid_client (RFC 6749 5.2).
 *
 * Nothing is cached: OAuth and MCP answers depend on credentials, cookies and bodies. With
 * caching off, the AllViewerExceptHostHeader policy forwards Authorization, Cookie, Origin,
 * Content-Type, Mcp-* and every other viewer header, all cookies and the query string;
 * Host is left out because API Gateway routes on its own host name.
 */
export class ChallengeRestoringEdge extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly restoreFunction: cloudfront.Function;
  /** https://<custom domain> or https://<id>.cloudfront.net, without a trailing slash. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: ChallengeRestoringEdgeProps) {
    super(scope, id);
    const { customDomain } = props;
    if (customDomain && !isEdgeCertificate(customDomain.certificateArn)) {
      throw new Error(`ChallengeRestoringEdge: the certificate of ${customDomain.domainName} must be in us-east-1 (CloudFront takes its certificates from there)`);
    }
    this.restoreFunction = new cloudfront.Function(this, 'RestoreWwwAuthenticate', {
      code: cloudfront.FunctionCode.fromFile({ filePath: EDGE_FUNCTIONS.restoreWwwAuthenticate }),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'Restores the WWW-Authenticate header API Gateway renames on integration responses',
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: props.comment.slice(0, 128),
      defaultBehavior: {
        origin: new origins.RestApiOrigin(props.api),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        functionAssociations: [{ function: this.restoreFunction, eventType: cloudfront.FunctionEventType.VIEWER_RESPONSE }],
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
