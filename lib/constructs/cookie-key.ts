import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { administrationWithoutSigning, noGrants, onlyAdministratorsChangeThePolicy } from './signing-keys';

export interface CookieKeyProps {
  /** e.g. `alias/mcp-oauth/dev`; the key is `<aliasPrefix>/cookies`. */
  readonly aliasPrefix: string;
  /** Roles that may replace the key policy or delete the key (SigningKeys' administrators). */
  readonly administratorRoleArns: readonly string[];
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The KMS HMAC_256 key (GENERATE_VERIFY_MAC) the sealed browser cookies' AES key derives
 * from (lambda/adapters/kms/kms-cookie-keys.ts): one GenerateMac per Lambda container over
 * a fixed, versioned label, then HKDF. Its material never leaves KMS and nothing is
 * stored. KMS does not rotate HMAC keys automatically; rotation is a new label version
 * (docs/key-rotation.md). As with the signing keys, the account administers it but its key
 * policy lets no one but the browser function compute a MAC: a broad IAM policy elsewhere
 * must not be able to mint cookies.
 */
export class CookieKey extends Construct {
  readonly key: kms.Key;
  private macRoleArn?: string;

  constructor(scope: Construct, id: string, props: CookieKeyProps) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'mcp-oauth sealed browser cookies (HMAC key: the AES-256-GCM cookie key derives from it)',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      alias: `${props.aliasPrefix}/cookies`,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(7),
      policy: new iam.PolicyDocument({ statements: [administrationWithoutSigning(), onlyAdministratorsChangeThePolicy(props.administratorRoleArns), noGrants()] }),
    });
  }

  /** Lets `role`, and no other principal, compute MACs with the key: in the key policy and the role's policy. */
  allowGeneratingMac(role: iam.IRole): void {
    if (this.macRoleArn) throw new Error('CookieKey: only one role may use the cookie key');
    this.macRoleArn = role.roleArn;
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'SealBrowserCookies',
      principals: [new iam.ArnPrincipal(role.roleArn)],
      actions: ['kms:GenerateMac'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateMac'], resources: [this.key.keyArn] }));
  }
}
