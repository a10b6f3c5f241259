import type { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type { Construct } from 'constructs';
import type { CustomDomainDeployConfig } from '../config';
import type { StageThrottling } from '../definitions/rate-rules';

export interface StageSettings {
  readonly stageName: string;
  readonly throttling: StageThrottling;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * The stage every API of the product gets: throttling, JSON access logs (request ids,
 * status, latency, never a header or body, so never a token), execution logs at ERROR
 * without data tracing (data tracing would log request bodies: codes, secrets, tokens),
 * detailed per-method metrics for the latency dashboard, and X-Ray. Execution logs need the
 * account's API Gateway CloudWatch role (ApiGatewayAccountStack, or the account's own).
 */
export function stageOptions(scope: Construct, settings: StageSettings): apigateway.StageOptions {
  const accessLogs = new logs.LogGroup(scope, 'AccessLogs', { retention: settings.logRetention, removalPolicy: settings.logRemovalPolicy });
  return {
    stageName: settings.stageName,
    throttlingRateLimit: settings.throttling.ratePerSecond,
    throttlingBurstLimit: settings.throttling.burst,
    tracingEnabled: true,
    metricsEnabled: true,
    loggingLevel: apigateway.MethodLoggingLevel.ERROR,
    dataTraceEnabled: false,
    accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
    accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify({
      requestId: '$context.requestId',
      extendedRequestId: '$context.extendedRequestId',
      ip: '$context.identity.sourceIp',
      requestTime: '$context.requestTimeEpoch',
      httpMethod: '$context.httpMethod',
      resourcePath: '$context.resourcePath',
      status: '$context.status',
      responseLength: '$context.responseLength',
      responseLatency: '$context.responseLatency',
      integrationLatency: '$context.integrationLatency',
      authorizerLatency: '$context.authorizer.latency',
      authorizerStatus: '$context.authorizer.status',
      errorType: '$context.error.responseType',
      wafStatus: '$context.waf.status',
      xrayTraceId: '$context.xrayTraceId',
    })),
  };
}

/** A regional custom domain on TLS 1.2, mapped at the root so the issuer has no path; plus an alias record when a zone is given. */
export function addCustomDomain(scope: Construct, api: apigateway.RestApi, domain: CustomDomainDeployConfig): apigateway.DomainName {
  const domainName = new apigateway.DomainName(scope, 'CustomDomain', {
    domainName: domain.domainName,
    certificate: acm.Certificate.fromCertificateArn(scope, 'Certificate', domain.certificateArn),
    endpointType: apigateway.EndpointType.REGIONAL,
    securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
  });
  domainName.addBasePathMapping(api, { stage: api.deploymentStage });
  if (domain.hostedZoneId && domain.hostedZoneName) {
    const zone = route53.HostedZone.fromHostedZoneAttributes(scope, 'Zone', { hostedZoneId: domain.hostedZoneId, zoneName: domain.hostedZoneName });
    new route53.ARecord(scope, 'AliasRecord', { zone, recordName: domain.domainName, target: route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(domainName)) });
  }
  return domainName;
}

/** Maps days to the enum CDK wants; the deployment config already restricted the values. */
export function retentionDays(days: number): logs.RetentionDays {
  return days as logs.RetentionDays;
}
