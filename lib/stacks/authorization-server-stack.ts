import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../config';
import type { AuthorizationServerApi } from '../constructs/authorization-server-api';
import { McpAuthorizationServer, type McpAuthorizationServerProps, type UpstreamLoginChoice } from '../constructs/mcp-authorization-server';
import type { OAuthMonitoring } from '../constructs/oauth-monitoring';
import type { OAuthTables } from '../constructs/oauth-tables';
import type { SigningKeyWatch } from '../constructs/signing-key-watch';
import type { SigningKeys } from '../constructs/signing-keys';
import type { UpstreamLogin } from '../constructs/upstream-login';

export interface AuthorizationServerStackProps extends StackProps {
  readonly deployment: DeploymentConfig;
  /** @default lambda/handlers/authorization-server.ts */
  readonly entry?: string;
}

/** McpAuthorizationServer's props from the validated deployment configuration (lib/config.ts). */
export function authorizationServerPropsOf(deployment: DeploymentConfig, entry?: string): McpAuthorizationServerProps {
  const upstreamLogin: UpstreamLoginChoice =
    deployment.upstreamLogin === 'cognito'
      ? { kind: 'cognito', domainPrefix: deployment.cognitoDomainPrefix }
      : deployment.upstreamLogin === 'cognito-existing'
        ? { kind: 'cognito-existing', userPoolId: deployment.cognitoUserPool!.userPoolId, appClientId: deployment.cognitoUserPool!.appClientId, appClientSecretArn: deployment.cognitoUserPool!.appClientSecretArn }
        : { kind: 'oidc', clientSecretKmsKeyArn: deployment.upstreamClientSecretKmsKeyArn };
  return {
    config: deployment.product,
    stage: deployment.stage,
    upstreamLogin,
    retainData: deployment.retainData,
    signingKeys: deployment.signingKeys,
    keyAdministratorRoleArns: [deployment.keyAdministrators.deployRoleArn, deployment.keyAdministrators.breakGlassRoleArn].filter((arn): arn is string => arn !== undefined),
    rateLimits: deployment.rateLimits,
    stageThrottling: deployment.stageThrottling.authorizationServer,
    alarmEmails: deployment.alarmEmails,
    logRetentionDays: deployment.logRetentionDays,
    customDomain: deployment.customDomain,
    edge: deployment.edge,
    originVerify: deployment.originVerify,
    entry,
  };
}

/** The authorization server of one stage: McpAuthorizationServer and the outputs operators and the CLI read. */
export class AuthorizationServerStack extends Stack {
  readonly server: McpAuthorizationServer;
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
    this.server = new McpAuthorizationServer(this, 'AuthorizationServer', authorizationServerPropsOf(deployment, props.entry));
    ({ tables: this.tables, signingKeys: this.signingKeys, upstreamLogin: this.upstreamLogin, api: this.authorizationServer, monitoring: this.monitoring, signingKeyWatch: this.signingKeyWatch, revocationsTable: this.revocationsTable, alarmTopic: this.alarmTopic } = this.server);
    const aliasPrefix = `alias/mcp-oauth/${deployment.stage}`;

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
    const userPool = this.upstreamLogin.userPool ?? this.upstreamLogin.existingUserPool;
    if (userPool) new CfnOutput(this, 'UserPoolId', { value: userPool.userPoolId, description: 'Add users and put them in groups here' });
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
