import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { cognitoUserPoolOf } from '../../lambda/adapters/upstream-oidc/cognito-issuer';
import type { BrandingConfig, UpstreamConfig } from '../../lambda/core/config';
import { managedLoginStyle } from './managed-login-branding';

export type UpstreamLoginProps =
  | {
      readonly kind: 'cognito';
      /** The authorization server's callback URL, `<issuer>/callback`. */
      readonly callbackUrl: string;
      /**
       * Prefix of the managed login domain, <prefix>.auth.<region>.amazoncognito.com. Prefixes
       * are unique per region across all AWS accounts, so a constant one collides with the
       * next user of this product. @default `mcp-oauth-<stage>-` and the first 8 characters of
       * the stack's id (a UUID CloudFormation assigns), known only at deploy time
       */
      readonly domainPrefix?: string;
      /** The stage, for the default domain prefix. */
      readonly stage: string;
      /** Group name -> scopes; one Cognito group per name, its scopes in the description. */
      readonly groupScopes: Readonly<Record<string, readonly string[]>>;
      /** @default true: RETAIN the user pool and turn its deletion protection on */
      readonly retainData?: boolean;
      /** @default true: every user enrols a TOTP authenticator at first login */
      readonly requireMfa?: boolean;
      /** The product's branding, applied to the managed login page too (lib/constructs/managed-login-branding.ts). @default Cognito's own style */
      readonly branding?: BrandingConfig;
    }
  | {
      /** A Cognito user pool you already run (its users, groups and managed login domain). */
      readonly kind: 'cognito-existing';
      /** e.g. eu-west-1_AbCdEf123; the pool must be in the stack's region and have a managed login (or hosted UI) domain. */
      readonly userPoolId: string;
      /** The authorization server's callback URL, `<issuer>/callback`, for the app client created here. */
      readonly callbackUrl: string;
      /**
       * An app client of the pool you created for the authorization server: authorization code
       * grant, scopes openid email profile, callback `<issuer>/callback`. @default a public
       * app client (PKCE, no secret) is created in the pool
       */
      readonly appClientId?: string;
      /** The Secrets Manager ARN of that app client's secret, when it has one. @default the app client has no secret */
      readonly appClientSecretArn?: string;
    }
  | {
      readonly kind: 'external';
      /** The upstream section of the product configuration: issuer, clientId, clientSecretArn. */
      readonly upstream: UpstreamConfig;
      /**
       * The customer-managed KMS key the client secret is encrypted with, if not Secrets
       * Manager's own (aws/secretsmanager): reading the secret then needs kms:Decrypt on it,
       * through Secrets Manager only. @default the AWS managed key, which needs no grant
       */
      readonly clientSecretKmsKeyArn?: string;
    };

/**
 * Where users log in. By default a new Cognito user pool: its groups carry the scope policy
 * (group -> scopes in the configuration), its managed login pages do passwords, MFA and
 * recovery, and the authorization server is its only app client. Or a Cognito pool you
 * already run (an app client is created in it, or yours is used), or any external OIDC IdP
 * (Okta, Entra ID, Google...) whose client secret sits in Secrets Manager.
 *
 * The Cognito app client is public and uses PKCE: the authorization server redeems codes
 * from its own backend with a verifier, and there is no secret to store, leak or rotate.
 * Its only explicit auth flow is refresh: every sign-in goes through managed login and the
 * authorization code flow, never through InitiateAuth with a password (SRP or otherwise),
 * which Cognito would allow by default ("App client authentication flows").
 */
export class UpstreamLogin extends Construct {
  /** The upstream section for the handlers, with Cognito's values when Cognito is used. */
  readonly upstreamConfig: UpstreamConfig;
  /** The pool created here; an existing pool is `existingUserPool`. */
  readonly userPool?: cognito.UserPool;
  readonly existingUserPool?: cognito.IUserPool;
  readonly userPoolClient?: cognito.UserPoolClient;
  readonly domain?: cognito.UserPoolDomain;
  readonly clientSecret?: secretsmanager.ISecret;
  private readonly clientSecretKmsKeyArn?: string;

  constructor(scope: Construct, id: string, props: UpstreamLoginProps) {
    super(scope, id);
    if (props.kind === 'external') {
      if (!props.upstream.clientSecretArn) throw new Error('UpstreamLogin: an external IdP needs upstream.clientSecretArn (Secrets Manager)');
      if (props.upstream.clientSecret) throw new Error('UpstreamLogin: upstream.clientSecret must not be in a deployed configuration; use clientSecretArn');
      this.clientSecret = secretsmanager.Secret.fromSecretCompleteArn(this, 'ClientSecret', props.upstream.clientSecretArn);
      this.clientSecretKmsKeyArn = props.clientSecretKmsKeyArn;
      this.upstreamConfig = props.upstream;
      return;
    }
    if (!/^https:\/\/[^/]+(\/.*)?\/callback$/.test(props.callbackUrl)) throw new Error(`UpstreamLogin: callbackUrl must be an https URL ending in /callback, got ${props.callbackUrl}`);
    if (props.kind === 'cognito-existing') {
      if (!/^[\w-]+_[0-9a-zA-Z]+$/.test(props.userPoolId)) throw new Error(`UpstreamLogin: userPoolId must look like <region>_<id>, got ${props.userPoolId}`);
      if (props.appClientSecretArn && !props.appClientId) throw new Error('UpstreamLogin: appClientSecretArn needs the appClientId it belongs to');
      this.existingUserPool = cognito.UserPool.fromUserPoolId(this, 'UserPool', props.userPoolId);
      if (!props.appClientId) this.userPoolClient = addAuthorizationServerClient(this, this.existingUserPool, props.callbackUrl);
      if (props.appClientSecretArn) this.clientSecret = secretsmanager.Secret.fromSecretCompleteArn(this, 'ClientSecret', props.appClientSecretArn);
      this.upstreamConfig = {
        issuer: `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${props.userPoolId}`,
        clientId: props.appClientId ?? this.userPoolClient!.userPoolClientId,
        ...(props.appClientSecretArn ? { clientSecretArn: props.appClientSecretArn } : {}),
        scopes: ['openid', 'email', 'profile'],
        groupsClaim: 'cognito:groups',
      };
      return;
    }
    const retain = props.retainData ?? true;

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      mfa: props.requireMfa ?? true ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      passwordPolicy: { minLength: 12, requireDigits: true, requireLowercase: true, requireUppercase: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: retain,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const [group, scopes] of Object.entries(props.groupScopes)) {
      new cognito.CfnUserPoolGroup(this, `Group-${group.replace(/[^A-Za-z0-9]/g, '')}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: group,
        description: `Grants scopes: ${scopes.join(' ')}`.slice(0, 2048),
      });
    }
    this.userPoolClient = addAuthorizationServerClient(this, this.userPool, props.callbackUrl);
    this.domain = this.userPool.addDomain('ManagedLogin', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? uniqueDomainPrefix(this, props.stage) },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // Managed login shows nothing until the client has a branding style: ours, or Cognito's defaults.
    new cognito.CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.userPoolClient.userPoolClientId,
      ...managedLoginStyle(props.branding),
    });
    this.upstreamConfig = {
      issuer: `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`,
      clientId: this.userPoolClient.userPoolClientId,
      scopes: ['openid', 'email', 'profile'],
      groupsClaim: 'cognito:groups',
    };
  }

  /**
   * Lets a refresh re-read a user's groups (AdminListGroupsForUser) when the upstream is a
   * Cognito user pool: the one this construct made or was given by id, or one named by an external Cognito issuer
   * (in this account). Any other IdP offers no such read, and nothing is granted.
   */
  allowReadingGroups(grantee: iam.IGrantable): void {
    const pool = this.userPool?.userPoolArn ?? this.existingUserPool?.userPoolArn ?? externalCognitoPoolArn(this, this.upstreamConfig.issuer);
    if (!pool) return;
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cognito-idp:AdminListGroupsForUser'], resources: [pool] }));
  }

  /** Lets the function that completes logins read the external IdP's client secret (GetSecretValue, and Decrypt through Secrets Manager when it has its own key). */
  allowReadingClientSecret(grantee: iam.IGrantable): void {
    if (!this.clientSecret) return;
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.clientSecret.secretArn] }));
    if (this.clientSecretKmsKeyArn) {
      // "Secret encryption and decryption in AWS Secrets Manager": Secrets Manager calls Decrypt on the caller's behalf; kms:ViaService keeps the grant to that path.
      grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.clientSecretKmsKeyArn],
        conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
      }));
    }
  }
}

/** The pool's app client for the authorization server: public (PKCE, no secret), code grant only, no password flows. */
function addAuthorizationServerClient(scope: Construct, userPool: cognito.IUserPool, callbackUrl: string): cognito.UserPoolClient {
  const client = new cognito.UserPoolClient(scope, 'UserPoolAuthorizationServer', {
    userPool,
    generateSecret: false,
    authFlows: {},
    oAuth: {
      flows: { authorizationCodeGrant: true },
      scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
      callbackUrls: [callbackUrl],
    },
    preventUserExistenceErrors: true,
    idTokenValidity: Duration.minutes(60),
    accessTokenValidity: Duration.minutes(60),
    refreshTokenValidity: Duration.days(1),
    supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
  });
  // ALLOW_REFRESH_TOKEN_AUTH only: CDK leaves ExplicitAuthFlows out for an empty authFlows, and Cognito then enables SRP and custom auth too.
  (client.node.defaultChild as cognito.CfnUserPoolClient).explicitAuthFlows = ['ALLOW_REFRESH_TOKEN_AUTH'];
  return client;
}

/** `mcp-oauth-<stage>-<first 8 hex of the stack id's UUID>`: unique per stack, the same on every update of it. */
function uniqueDomainPrefix(scope: Construct, stage: string): string {
  const stackUuid = Fn.select(2, Fn.split('/', Stack.of(scope).stackId));
  return `mcp-oauth-${stage}-${Fn.select(0, Fn.split('-', stackUuid))}`;
}

function externalCognitoPoolArn(scope: Construct, issuer: string): string | undefined {
  const pool = cognitoUserPoolOf(issuer);
  return pool && Stack.of(scope).formatArn({ service: 'cognito-idp', region: pool.region, resource: 'userpool', resourceName: pool.userPoolId });
}
