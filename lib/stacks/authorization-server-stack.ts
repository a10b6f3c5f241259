import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config';
import { AUTHORIZATION_SERVER_ROUTES, AuthorizationServerApi } from '../constructs/authorization-server-api';
import { OAuthMonitoring } from '../constructs/oauth-monitoring';
import { OAuthTables } from '../constructs/oauth-tables';
import { retentionDays } from '../constructs/rest-api-defaults';
import { SigningKeys } from '../constructs/signing-keys';
import { UpstreamLogin } from '../constructs/upstream-login';
import { suppressAuthorizationServerFindings } from './nag-suppressions';

export interface AuthorizationServerStackProps extends StackProps {
  readonly deployment: DeploymentConfig;
  /** @default lambda/handlers/authorization-server.ts */
  readonly entry?: string;
}

/** The authorization server: keys, tables, upstream login, the API and its monitoring. */
export class AuthorizationServerStack extends Stack {
  readonly tables: OAuthTables;
  readonly signingKeys: SigningKeys;
  readonly upstreamLogin: UpstreamLogin;
  readonly authorizationServer: AuthorizationServerApi;
  readonly monitoring: OAuthMonitoring;
  readonly revocationsTable: dynamodb.ITable;
  readonly alarmTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: AuthorizationServerStackProps) {
    super(scope, id, props);
    const { deployment } = props;
    const { product } = deployment;
    const removal = deployment.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const logRetention = retentionDays(deployment.logRetentionDays);

    this.tables = new OAuthTables(this, 'Tables', { retainData: deployment.retainData });
    this.signingKeys = new SigningKeys(this, 'SigningKeys', {
      keyNames: deployment.signingKeys.keys,
      activeKeyName: deployment.signingKeys.active,
      aliasPrefix: `alias/mcp-oauth/${deployment.stage}`,
      // A dev stack may drop its keys; production keeps them, or every unexpired token dies with them.
      removalPolicy: removal,
    });
    this.upstreamLogin = deployment.upstreamLogin === 'cognito'
      ? new UpstreamLogin(this, 'UpstreamLogin', {
          kind: 'cognito',
          callbackUrl: `${product.issuer}/callback`,
          domainPrefix: deployment.cognitoDomainPrefix,
          groupScopes: product.groupScopes,
          retainData: deployment.retainData,
        })
      : new UpstreamLogin(this, 'UpstreamLogin', { kind: 'external', upstream: product.upstream });

    this.authorizationServer = new AuthorizationServerApi(this, 'AuthorizationServer', {
      config: product,
      tables: this.tables,
      signingKeys: this.signingKeys,
      upstreamLogin: this.upstreamLogin,
      rateLimits: deployment.rateLimits,
      logRetention,
      customDomain: deployment.customDomain,
      edge: deployment.edge,
      entry: props.entry,
    });
    this.monitoring = new OAuthMonitoring(this, 'Monitoring', {
      authorizationServerApi: this.authorizationServer.api,
      routes: AUTHORIZATION_SERVER_ROUTES.flatMap((r) => r.methods.filter((m) => m !== 'OPTIONS').map((method) => ({ path: r.path, method }))),
      tables: Object.values(this.tables.tables),
      alarmEmail: deployment.alarmEmail,
      dashboardName: `McpOAuth-${deployment.stage}`,
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
    new CfnOutput(this, 'RevocationsTableName', { value: this.revocationsTable.tableName });
    new CfnOutput(this, 'FamiliesTableName', { value: this.tables.tables.families.tableName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    suppressAuthorizationServerFindings(this);
  }
}
