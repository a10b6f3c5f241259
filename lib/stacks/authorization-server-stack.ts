import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config';
import { AUTHORIZATION_SERVER_ROUTES, AuthorizationServerApi } from '../constructs/authorization-server-api';
import { writeBundledConfig } from '../constructs/bundled-config';
import { OAuthMonitoring } from '../constructs/oauth-monitoring';
import { OAuthTables } from '../constructs/oauth-tables';
import { retentionDays } from '../constructs/rest-api-defaults';
import { SigningKeyWatch } from '../constructs/signing-key-watch';
import { SigningKeys } from '../constructs/signing-keys';
import { UpstreamLogin } from '../constructs/upstream-login';

export interface AuthorizationServerStackProps extends StackProps {
  readonly deployment: DeploymentConfig;
  /** @default lambda/handlers/authorization-server.ts */
  readonly entry?: string;
}

/** The authorization server: keys, tables, upstream login, the API, its monitoring and the signing key watch. */
export class AuthorizationServerStack extends Stack {
  readonly tables: OAuthTables;
  readonly signingKeys: SigningKeys;
  readonly upstreamLogin: UpstreamLogin;
  readonly authorizationServer: AuthorizationServerApi;
  readonly monitoring: OAuthMonitoring;
  readonly signingKeyWatch: SigningKeyWatch;
  readonly revocationsTable: dynamodb.ITable;
  readonly alarmTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: AuthorizationServerStackProps) {
    super(scope, id, props);
    const { deployment } = props;
    const { product } = deployment;
    const removal = deployment.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = retentionDays(deployment.logRetentionDays);
    const aliasPrefix = `alias/mcp-oauth/${deployment.stage}`;

    this.tables = new OAuthTables(this, 'Tables', { retainData: deployment.retainData });
    this.signingKeys = new SigningKeys(this, 'SigningKeys', {
      keyNames: deployment.signingKeys.keys,
      activeKeyName: deployment.signingKeys.active,
      retiredKeyNames: deployment.signingKeys.retired,
      aliasPrefix,
      administratorRoleArns: [deployment.keyAdministrators.deployRoleArn, deployment.keyAdministrators.breakGlassRoleArn].filter((arn): arn is string => arn !== undefined),
      // A dev stack may drop its keys; production keeps them, or every unexpired token dies with them.
      removalPolicy: removal,
    });
    this.upstreamLogin = deployment.upstreamLogin === 'cognito'
      ? new UpstreamLogin(this, 'UpstreamLogin', {
          kind: 'cognito',
          callbackUrl: `${product.issuer}/callback`,
          domainPrefix: deployment.cognitoDomainPrefix,
          stage: deployment.stage,
          groupScopes: product.groupScopes,
          retainData: deployment.retainData,
          branding: product.branding,
        })
      : new UpstreamLogin(this, 'UpstreamLogin', { kind: 'external', upstream: product.upstream, clientSecretKmsKeyArn: deployment.upstreamClientSecretKmsKeyArn });

    this.authorizationServer = new AuthorizationServerApi(this, 'AuthorizationServer', {
      issuer: product.issuer,
      bundledConfigFile: writeBundledConfig(product),
      tables: this.tables,
      signingKeys: this.signingKeys,
      upstreamLogin: this.upstreamLogin,
      rateLimits: deployment.rateLimits,
      stageThrottling: deployment.stageThrottling.authorizationServer,
      logRetention,
      logRemovalPolicy: removal,
      customDomain: deployment.customDomain,
      edge: deployment.edge,
      originVerify: deployment.originVerify,
      entry: props.entry,
    });
    const { functions } = this.authorizationServer;
    this.monitoring = new OAuthMonitoring(this, 'Monitoring', {
      authorizationServerApi: this.authorizationServer.api,
      functions: [
        { label: 'BrowserEndpoints', function: functions.browser.function },
        { label: 'TokenEndpoints', function: functions.token.function },
        { label: 'PublicEndpoints', function: functions.public.function },
      ],
      routes: AUTHORIZATION_SERVER_ROUTES.flatMap((r) => r.methods.filter((m) => m !== 'OPTIONS').map((method) => ({ path: r.path, method }))),
      tables: Object.values(this.tables.tables),
      alarmEmails: deployment.alarmEmails,
      dashboardName: `McpOAuth-${deployment.stage}`,
    });
    this.signingKeyWatch = new SigningKeyWatch(this, 'SigningKeyWatch', {
      keys: [...this.signingKeys.keys.values()],
      signerRoleArn: functions.token.role.roleArn,
      alarmTopic: this.monitoring.alarmTopic,
    });
    this.revocationsTable = this.tables.tables.revocations;
    this.alarmTopic = this.monitoring.alarmTopic;

    new CfnOutput(this, 'Issuer', { value: product.issuer, description: 'The issuer every token carries (from the configuration)' });
    new CfnOutput(this, 'ApiUrl', { value: this.authorizationServer.api.url, description: 'The stage URL of the authorization server API (the edge\'s origin when the edge is on)' });
    new CfnOutput(this, 'AuthorizationServerUrl', { value: this.authorizationServer.url, description: 'The URL clients use; the issuer must be it' });
    if (this.authorizationServer.distribution) {
      new CfnOutput(this, 'EdgeDomainName', { value: this.authorizationServer.distribution.distributionDomainName, description: 'Point the custom domain (CNAME or alias) here' });
    }
    if (this.authorizationServer.domainName) {
      new CfnOutput(this, 'CustomDomainTarget', { value: this.authorizationServer.domainName.domainNameAliasDomainName, description: 'Point the custom domain (CNAME or alias) here' });
    }
    new CfnOutput(this, 'ActiveSigningKeyArn', { value: this.signingKeys.activeKey.keyArn });
    if (this.upstreamLogin.userPool) new CfnOutput(this, 'UserPoolId', { value: this.upstreamLogin.userPool.userPoolId, description: 'Add users and put them in groups here' });
    if (this.upstreamLogin.domain) new CfnOutput(this, 'CognitoDomain', { value: this.upstreamLogin.domain.domainName, description: 'The managed login domain prefix' });
    new CfnOutput(this, 'RevocationsTableName', { value: this.revocationsTable.tableName });
    new CfnOutput(this, 'FamiliesTableName', { value: this.tables.tables.families.tableName });
    // What `mcp-oauth --stack <name>` reads (docs/cli.md): the operator commands' tables, the signing keys, the revocation delay.
    new CfnOutput(this, 'ClientsTableName', { value: this.tables.tables.clients.tableName });
    new CfnOutput(this, 'SessionsTableName', { value: this.tables.tables.sessions.tableName });
    new CfnOutput(this, 'CodesTableName', { value: this.tables.tables.codes.tableName });
    new CfnOutput(this, 'AssertionsTableName', { value: this.tables.tables.assertions.tableName });
    new CfnOutput(this, 'SigningKeyAliases', { value: deployment.signingKeys.keys.map((name) => `${aliasPrefix}/${name}`).join(','), description: 'Every published signing key (docs/key-rotation.md)' });
    new CfnOutput(this, 'ActiveSigningKeyAlias', { value: `${aliasPrefix}/${deployment.signingKeys.active}` });
    // The token lifetimes that size a revocation record, and the guard's caches that bound the revocation delay.
    new CfnOutput(this, 'OperatorSettings', {
      value: JSON.stringify({ tokens: product.tokens, guard: product.guard }),
      description: 'The tokens and guard settings of the deployed config, for mcp-oauth revoke (docs/cli.md)',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
  }
}
