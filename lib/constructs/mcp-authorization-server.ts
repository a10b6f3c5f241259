import { Annotations, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Config } from '../../lambda/core/config';
import type { CustomDomainDeployConfig, SigningKeysDeployConfig } from '../config';
import type { RateLimits, StageThrottling } from '../definitions/rate-rules';
import { AUTHORIZATION_SERVER_ROUTES, AuthorizationServerApi } from './authorization-server-api';
import { writeBundledConfig } from './bundled-config';
import type { OriginVerifyRotation } from './challenge-restoring-edge';
import { OAuthMonitoring } from './oauth-monitoring';
import { OAuthTables } from './oauth-tables';
import { retentionDays } from './rest-api-defaults';
import { SigningKeyWatch } from './signing-key-watch';
import { CookieKey } from './cookie-key';
import { SigningKeys } from './signing-keys';
import { UpstreamLogin } from './upstream-login';

/** Where users log in. */
export type UpstreamLoginChoice =
  | {
      /** A new Cognito user pool, one group per `groupScopes` name, TOTP MFA, managed login. */
      readonly kind: 'cognito';
      /** @default `mcp-oauth-<stage>-<8 characters of the stack id>`, unique per stack */
      readonly domainPrefix?: string;
      /** @default true */
      readonly requireMfa?: boolean;
    }
  | {
      /** A Cognito user pool you already run, in the stack's region. */
      readonly kind: 'cognito-existing';
      readonly userPoolId: string;
      /** @default a public app client (PKCE, no secret) is created in the pool */
      readonly appClientId?: string;
      /** @default the given app client has no secret */
      readonly appClientSecretArn?: string;
    }
  | {
      /** Any OIDC IdP: `config.upstream` names its issuer, client id and `clientSecretArn` (Secrets Manager). */
      readonly kind: 'oidc';
      /** The customer-managed KMS key of that secret. @default the AWS managed key, which needs no grant */
      readonly clientSecretKmsKeyArn?: string;
    };

export interface McpAuthorizationServerProps {
  /**
   * The validated product configuration (parseProductConfig, which lets `upstream` be left
   * out for Cognito; or parseDeploymentConfig's `product`).
   * Its `issuer` is the public URL every token carries: the custom domain's, or without one
   * the URL clients reach (the edge's https://<id>.cloudfront.net, or the stage URL with
   * `edge` off). Its `upstream` section is used by the `oidc` upstream login only.
   */
  readonly config: Config;
  /** Names the key aliases, the dashboard and the Cognito domain prefix: 1-20 lower-case letters, digits or dashes. @default 'dev' */
  readonly stage?: string;
  /** @default { kind: 'cognito' }: a new user pool */
  readonly upstreamLogin?: UpstreamLoginChoice;
  /** RETAIN tables, keys, the user pool and log groups, with deletion protection. @default false */
  readonly retainData?: boolean;
  /** @default { keys: ['primary'], active: 'primary', retired: [] } */
  readonly signingKeys?: SigningKeysDeployConfig;
  /** The only principals that may change the signing keys' policy or schedule their deletion. @default the CDK bootstrap's CloudFormation execution role */
  readonly keyAdministratorRoleArns?: readonly string[];
  /** WAF rate rules per viewer. @default DEFAULT_RATE_LIMITS */
  readonly rateLimits?: RateLimits;
  /** @default DEFAULT_STAGE_THROTTLING.authorizationServer */
  readonly stageThrottling?: StageThrottling;
  /** Subscribed to the alarm topic. @default none */
  readonly alarmEmails?: readonly string[];
  /** One of the retention values CloudWatch Logs accepts. @default 30 */
  readonly logRetentionDays?: number;
  /** @default none: see `config.issuer` */
  readonly customDomain?: CustomDomainDeployConfig;
  /** CloudFront in front of the API, restoring the WWW-Authenticate of its 401s (ChallengeRestoringEdge). @default true */
  readonly edge?: boolean;
  /** @default generation 1 */
  readonly originVerify?: OriginVerifyRotation;
  /** @default `McpOAuth-<stage>` */
  readonly dashboardName?: string;
  /** The REST API's name, unique per account and region so its metrics are too. @default `<stack name>-<id>` */
  readonly apiName?: string;
  /** @default lambda/handlers/authorization-server.ts (its prebuilt bundle, installed from the package) */
  readonly entry?: string;
}

const STAGE = /^[a-z][a-z0-9-]{0,19}$/;

/** Every problem of the props at once, before anything is built. */
export function mcpAuthorizationServerProblems(props: McpAuthorizationServerProps): string[] {
  const problems: string[] = [];
  const { config } = props;
  const upstream = props.upstreamLogin ?? { kind: 'cognito' };
  let issuer: URL | undefined;
  try {
    issuer = new URL(config.issuer);
  } catch {
    problems.push(`config.issuer: ${config.issuer} is not a URL`);
  }
  if (issuer && issuer.protocol !== 'https:') problems.push('config.issuer: must be https on AWS');
  if (props.stage !== undefined && !STAGE.test(props.stage)) problems.push('stage: must be 1-20 lower-case letters, digits or dashes, starting with a letter');
  if (issuer && props.customDomain && issuer.host !== props.customDomain.domainName) problems.push(`config.issuer: must be on customDomain.domainName (${props.customDomain.domainName})`);
  if (config.upstream.clientSecret !== undefined) problems.push('config.upstream.clientSecret: must not be in a deployed configuration (it would be bundled into every function); use clientSecretArn');
  if (upstream.kind === 'oidc') {
    if (!config.upstream.issuer.startsWith('https://')) problems.push('config.upstream.issuer: must be https for an OIDC IdP on AWS');
    if (!config.upstream.clientSecretArn) problems.push('config.upstream.clientSecretArn: is required for an OIDC IdP (its client secret, in Secrets Manager)');
  }
  if (upstream.kind === 'cognito-existing') {
    if (!/^[\w-]+_[0-9a-zA-Z]+$/.test(upstream.userPoolId)) problems.push('upstreamLogin.userPoolId: must look like <region>_<id>');
    if (upstream.appClientSecretArn && !upstream.appClientId) problems.push('upstreamLogin.appClientSecretArn: needs the appClientId it belongs to');
  }
  if (props.logRetentionDays !== undefined && !(Object.values(logs.RetentionDays) as unknown[]).includes(props.logRetentionDays)) {
    problems.push('logRetentionDays: must be a retention CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ...)');
  }
  return problems;
}

/**
 * The authorization server, whole: signing keys (KMS), tables (DynamoDB), upstream login
 * (a new Cognito pool, an existing one, or any OIDC IdP), the REST API with one function per
 * endpoint group, the WAF web ACL, the CloudFront edge, the dashboard and alarms, and the
 * signing key watch. The props are checked first, every problem listed at once; nothing is
 * built from props that fail.
 *
 * Without a custom domain the deployment takes two passes, and synth says so (a warning):
 * every token carries the issuer and the functions read it from their bundle at synth, but
 * the edge's *.cloudfront.net name exists only once CloudFormation has created the
 * distribution. Deploy, set `issuer` to the AuthorizationServerUrl this construct's `url`
 * resolves to, deploy again (docs/deploy.md, "Without a custom domain").
 */
export class McpAuthorizationServer extends Construct {
  readonly tables: OAuthTables;
  readonly signingKeys: SigningKeys;
  /** The KMS HMAC key the sealed browser cookies derive their key from. */
  readonly cookieKey: CookieKey;
  readonly upstreamLogin: UpstreamLogin;
  readonly api: AuthorizationServerApi;
  readonly monitoring: OAuthMonitoring;
  readonly signingKeyWatch: SigningKeyWatch;
  /** What McpProtectedApi needs: the authorizers read revocations here. */
  readonly revocationsTable: dynamodb.ITable;
  readonly alarmTopic: sns.ITopic;
  /** The URL clients reach (custom domain, distribution or stage); the issuer must be it. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: McpAuthorizationServerProps) {
    const problems = mcpAuthorizationServerProblems(props);
    if (problems.length) throw new Error(`McpAuthorizationServer ${id}: invalid props:\n  ${problems.join('\n  ')}`);
    super(scope, id);
    const { config } = props;
    const stage = props.stage ?? 'dev';
    const retainData = props.retainData ?? false;
    const removal = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = retentionDays(props.logRetentionDays ?? 30);
    const keys = props.signingKeys ?? { keys: ['primary'], active: 'primary', retired: [] };
    const upstream = props.upstreamLogin ?? { kind: 'cognito' };
    const callbackUrl = `${config.issuer}/callback`;

    this.tables = new OAuthTables(this, 'Tables', { retainData });
    this.signingKeys = new SigningKeys(this, 'SigningKeys', {
      keyNames: keys.keys,
      activeKeyName: keys.active,
      retiredKeyNames: keys.retired,
      aliasPrefix: `alias/mcp-oauth/${stage}`,
      administratorRoleArns: props.keyAdministratorRoleArns,
      // A dev stack may drop its keys; production keeps them, or every unexpired token dies with them.
      removalPolicy: removal,
    });
    // Losing it only signs browsers out and voids pending requests, but production keeps it like the signing keys.
    this.cookieKey = new CookieKey(this, 'CookieKey', { aliasPrefix: `alias/mcp-oauth/${stage}`, administratorRoleArns: this.signingKeys.administratorRoleArns, removalPolicy: removal });
    this.upstreamLogin =
      upstream.kind === 'cognito'
        ? new UpstreamLogin(this, 'UpstreamLogin', { kind: 'cognito', callbackUrl, domainPrefix: upstream.domainPrefix, requireMfa: upstream.requireMfa, stage, groupScopes: config.groupScopes, retainData, branding: config.branding })
        : upstream.kind === 'cognito-existing'
          ? new UpstreamLogin(this, 'UpstreamLogin', { kind: 'cognito-existing', callbackUrl, userPoolId: upstream.userPoolId, appClientId: upstream.appClientId, appClientSecretArn: upstream.appClientSecretArn })
          : new UpstreamLogin(this, 'UpstreamLogin', { kind: 'external', upstream: config.upstream, clientSecretKmsKeyArn: upstream.clientSecretKmsKeyArn });

    this.api = new AuthorizationServerApi(this, 'Api', {
      apiName: props.apiName ?? `${Stack.of(this).stackName}-${id}`,
      issuer: config.issuer,
      bundledConfigFile: writeBundledConfig(config),
      tables: this.tables,
      signingKeys: this.signingKeys,
      cookieKey: this.cookieKey,
      upstreamLogin: this.upstreamLogin,
      rateLimits: props.rateLimits,
      stageThrottling: props.stageThrottling,
      logRetention,
      logRemovalPolicy: removal,
      customDomain: props.customDomain,
      edge: props.edge,
      originVerify: props.originVerify,
      entry: props.entry,
    });
    const { functions } = this.api;
    this.monitoring = new OAuthMonitoring(this, 'Monitoring', {
      authorizationServerApi: this.api.api,
      functions: [
        { label: 'BrowserEndpoints', function: functions.browser.function },
        { label: 'TokenEndpoints', function: functions.token.function },
        { label: 'PublicEndpoints', function: functions.public.function },
      ],
      routes: AUTHORIZATION_SERVER_ROUTES.flatMap((r) => r.methods.filter((m) => m !== 'OPTIONS').map((method) => ({ path: r.path, method }))),
      tables: Object.values(this.tables.tables),
      alarmEmails: props.alarmEmails,
      dashboardName: props.dashboardName ?? `McpOAuth-${stage}`,
    });
    this.signingKeyWatch = new SigningKeyWatch(this, 'SigningKeyWatch', {
      keys: [...this.signingKeys.keys.values()],
      signerRoleArn: functions.token.role.roleArn,
      alarmTopic: this.monitoring.alarmTopic,
    });
    this.revocationsTable = this.tables.tables.revocations;
    this.alarmTopic = this.monitoring.alarmTopic;
    this.url = this.api.url;

    if (!props.customDomain && (props.edge ?? true) && !/\.cloudfront\.net$/.test(new URL(config.issuer).host)) {
      Annotations.of(this).addWarningV2('mcp-oauth:issuerAfterFirstDeploy', [
        `No custom domain: the issuer ${config.issuer} must be the URL clients reach, this edge's https://<id>.cloudfront.net,`,
        'which exists only after the first deployment (tokens carry the issuer, and the functions read it at synth).',
        'Deploy, set issuer to the AuthorizationServerUrl output, and deploy again; until then logins fail.',
      ].join(' '));
    }
  }
}
