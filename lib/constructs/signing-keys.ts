import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export interface SigningKeysProps {
  /** Short stable names of every key to publish; each becomes one KMS key and alias. */
  readonly keyNames: readonly string[];
  /** The name of the key that signs now; one of keyNames. */
  readonly activeKeyName: string;
  /**
   * Alias prefix; the alias of key `k` is `<aliasPrefix>/k`.
   * @default 'alias/mcp-oauth'
   */
  readonly aliasPrefix?: string;
  /**
   * What happens to a key removed from keyNames or from a deleted stack.
   * @default RemovalPolicy.RETAIN (a deleted signing key makes every token it signed unverifiable)
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Waiting period before KMS deletes a key that the stack destroyed.
   * @default Duration.days(30)
   */
  readonly pendingWindow?: Duration;
}

/**
 * The RSA_2048 SIGN_VERIFY keys that sign access tokens. KMS does not rotate asymmetric keys,
 * so rotation is publish-then-sign: every key here is in the JWKS, only the active one signs.
 *
 * The key policy is the only thing that grants kms:Sign: the account root may administer
 * the keys and read their public halves but not sign, so no IAM policy in the account can
 * hand out Sign. allowSigning() names the one role that may.
 */
export class SigningKeys extends Construct {
  /** Every key by name, in the order given. */
  readonly keys: ReadonlyMap<string, kms.Key>;
  readonly activeKey: kms.Key;
  /** The keys that are published but do not sign. */
  readonly publishedOnlyKeys: readonly kms.Key[];

  constructor(scope: Construct, id: string, props: SigningKeysProps) {
    super(scope, id);
    if (props.keyNames.length === 0) throw new Error('SigningKeys: keyNames must name at least one key');
    if (new Set(props.keyNames).size !== props.keyNames.length) throw new Error('SigningKeys: keyNames must not repeat');
    if (!props.keyNames.includes(props.activeKeyName)) throw new Error(`SigningKeys: activeKeyName "${props.activeKeyName}" is not in keyNames`);
    for (const name of props.keyNames) if (!/^[A-Za-z0-9-]{1,32}$/.test(name)) throw new Error(`SigningKeys: key name "${name}" must be 1-32 letters, digits or dashes`);
    const aliasPrefix = props.aliasPrefix ?? 'alias/mcp-oauth';

    const keys = new Map<string, kms.Key>();
    for (const name of props.keyNames) {
      const key = new kms.Key(this, `Key-${name}`, {
        description: `mcp-oauth access token signing key "${name}" (RS256, publish-then-sign rotation)`,
        keySpec: kms.KeySpec.RSA_2048,
        keyUsage: kms.KeyUsage.SIGN_VERIFY,
        alias: `${aliasPrefix}/${name}`,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
        pendingWindow: props.pendingWindow ?? Duration.days(30),
        policy: new iam.PolicyDocument({ statements: [administrationWithoutSigning()] }),
      });
      keys.set(name, key);
    }
    this.keys = keys;
    this.activeKey = keys.get(props.activeKeyName) as kms.Key;
    this.publishedOnlyKeys = [...keys.values()].filter((k) => k !== this.activeKey);
  }

  /** Lets `role` sign with the active key, through both the key policy and the role's policy. */
  allowSigning(role: iam.IRole): void {
    this.activeKey.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'SignAccessTokens',
      principals: [new iam.ArnPrincipal(role.roleArn)],
      actions: ['kms:Sign'],
      resources: ['*'],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Sign'], resources: [this.activeKey.keyArn] }));
    this.allowReadingPublicKeys(role);
  }

  /** Lets `grantee` read the public keys for the JWKS (the root statement delegates GetPublicKey to IAM). */
  allowReadingPublicKeys(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:GetPublicKey', 'kms:DescribeKey'],
      resources: [...this.keys.values()].map((k) => k.keyArn),
    }));
  }

  /** The JSON the handlers read from MCP_OAUTH_SIGNING_KEYS: the active key's ARN and every other published one. */
  environmentValue(): string {
    return Stack.of(this).toJsonString({
      active: this.activeKey.keyArn,
      published: this.publishedOnlyKeys.map((k) => k.keyArn),
    });
  }
}

/**
 * The account may manage the key (or it becomes unmanageable) and read its public half, but
 * kms:Sign, kms:Verify and any grant creation are absent: those would let any principal with
 * a broad IAM policy sign tokens.
 */
function administrationWithoutSigning(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'AccountAdministersButDoesNotSign',
    principals: [new iam.AccountRootPrincipal()],
    actions: [
      'kms:DescribeKey',
      'kms:GetKeyPolicy',
      'kms:GetPublicKey',
      'kms:ListResourceTags',
      'kms:ListKeyPolicies',
      'kms:ListAliases',
      'kms:PutKeyPolicy',
      'kms:EnableKey',
      'kms:DisableKey',
      'kms:TagResource',
      'kms:UntagResource',
      'kms:UpdateKeyDescription',
      'kms:CreateAlias',
      'kms:UpdateAlias',
      'kms:DeleteAlias',
      'kms:ScheduleKeyDeletion',
      'kms:CancelKeyDeletion',
    ],
    resources: ['*'],
  });
}
