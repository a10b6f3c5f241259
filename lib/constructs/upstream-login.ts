import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { UpstreamConfig } from '../../lambda/core/config';

export type UpstreamLoginProps =
  | {
      readonly kind: 'cognito';
      /** The authorization server's callback URL, `<issuer>/callback`. */
      readonly callbackUrl: string;
      /** Prefix of the managed login domain: <prefix>.auth.<region>.amazoncognito.com */
      readonly domainPrefix: string;
      /** Group name -> scopes; one Cognito group per name, its scopes in the description. */
      readonly groupScopes: Readonly<Record<string, readonly string[]>>;
      /** @default true: RETAIN the user pool and turn its deletion protection on */
      readonly retainData?: boolean;
      /** @default true: every user enrols a TOTP authenticator at first login */
      readonly requireMfa?: boolean;
    }
  | {
      readonly kind: 'external';
      /** The upstream section of the product configuration: issuer, clientId, clientSecretArn. */
      readonly upstream: UpstreamConfig;
    };

/**
 * Where users log in. By default a Cognito user pool: its groups carry the scope policy
 * (group -> scopes in the configuration), its managed login pages do passwords, MFA and
 * recovery, and the authorization server is its only app client. Or any external OIDC IdP
 * (Okta, Entra ID, Google...) whose client secret sits in Secrets Manager.
 *
 * The Cognito app client is public and uses PKCE: the authorization server redeems codes
 * from its own backend with a verifier, and there is no secret to store, leak or rotate.
 */
export class UpstreamLogin extends Construct {
  /** The upstream section for the handlers, with Cognito's values when Cognito is used. */
  readonly upstreamConfig: UpstreamConfig;
  readonly userPool?: cognito.UserPool;
  readonly userPoolClient?: cognito.UserPoolClient;
  readonly domain?: cognito.UserPoolDomain;
  readonly clientSecret?: secretsmanager.ISecret;

  constructor(scope: Construct, id: string, props: UpstreamLoginProps) {
    super(scope, id);
    if (props.kind === 'external') {
      if (!props.upstream.clientSecretArn) throw new Error('UpstreamLogin: an external IdP needs upstream.clientSecretArn (Secrets Manager)');
      if (props.upstream.clientSecret) throw new Error('UpstreamLogin: upstream.clientSecret must not be in a deployed configuration; use clientSecretArn');
      this.clientSecret = secretsmanager.Secret.fromSecretCompleteArn(this, 'ClientSecret', props.upstream.clientSecretArn);
      this.upstreamConfig = props.upstream;
      return;
    }
    if (!/^https:\/\/[^/]+(\/.*)?\/callback$/.test(props.callbackUrl)) throw new Error(`UpstreamLogin: callbackUrl must be an https URL ending in /callback, got ${props.callbackUrl}`);
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
    this.userPoolClient = this.userPool.addClient('AuthorizationServer', {
      generateSecret: false,
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [props.callbackUrl],
      },
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.minutes(60),
      accessTokenValidity: Duration.minutes(60),
      refreshTokenValidity: Duration.days(1),
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
    });
    this.domain = this.userPool.addDomain('ManagedLogin', {
      cognitoDomain: { domainPrefix: props.domainPrefix },
      managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // Managed login shows nothing until the client has a branding style; Cognito's defaults are enough.
    new cognito.CfnManagedLoginBranding(this, 'Branding', {
      userPoolId: this.userPool.userPoolId,
      clientId: this.userPoolClient.userPoolClientId,
      useCognitoProvidedValues: true,
    });
    this.upstreamConfig = {
      issuer: `https://cognito-idp.${Stack.of(this).region}.amazonaws.com/${this.userPool.userPoolId}`,
      clientId: this.userPoolClient.userPoolClientId,
      scopes: ['openid', 'email', 'profile'],
      groupsClaim: 'cognito:groups',
    };
  }

  /** Lets the function that completes logins read the external IdP's client secret. */
  allowReadingClientSecret(grantee: iam.IGrantable): void {
    this.clientSecret?.grantRead(grantee);
  }
}
