import { Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** The qualifier `cdk bootstrap` uses unless told otherwise. */
const DEFAULT_BOOTSTRAP_QUALIFIER = 'hnb659fds';

export interface SigningKeysProps {
  /** Short stable names of every key to publish; each becomes one KMS key and alias. */
  readonly keyNames: readonly string[];
  /** The name of the key that signs now; one of keyNames. */
  readonly activeKeyName: string;
  /**
   * Keys that stay published but may no longer sign: their key policy loses the token
   * role's Sign. @default [] (every published key may sign, so switching `activeKeyName`
   * changes no key policy: docs/key-rotation.md)
   */
  readonly retiredKeyNames?: readonly string[];
  /**
   * Alias prefix; the alias of key `k` is `<aliasPrefix>/k`.
   * @default 'alias/mcp-oauth'
   */
  readonly aliasPrefix?: string;
  /**
   * The only principals that may change a key's policy, create grants or schedule its
   * deletion (an IAM role ARN each). @default the CDK bootstrap's CloudFormation execution
   * role of this account and region, which deploys the stack
   */
  readonly administratorRoleArns?: readonly string[];
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
 * so rotation is publish-then-sign: every key here is in the JWKS, only the active one is
 * used to sign, and every key that is not retired lets the token role sign, so that moving
 * `active` to a key published in an earlier deployment changes no key policy.
 *
 * The key policy is the only thing that grants kms:Sign, and it keeps Sign to the token role
 * even against an edit: the account may administer the keys and read their public halves
 * but not sign; a Deny refuses Sign to every principal but the token role; and another Deny
 * refuses kms:PutKeyPolicy and kms:ScheduleKeyDeletion to every principal but the key
 * administrators (the deploy role and an optional break-glass role), so an IAM policy that
 * hands someone kms:PutKeyPolicy cannot be used to rewrite those Denies. Grants (which could
 * hand out Sign) are refused to everyone. ("AWS KMS key policies", "Default key policy":
 * the account statement delegates to IAM; "AWS global condition context keys":
 * aws:PrincipalArn is the role's ARN for a role session.)
 */
export class SigningKeys extends Construct {
  /** Every key by name, in the order given. */
  readonly keys: ReadonlyMap<string, kms.Key>;
  readonly activeKey: kms.Key;
  /** The keys that are published but not active. */
  readonly publishedOnlyKeys: readonly kms.Key[];
  /** The keys the token role may sign with: every key but the retired ones. */
  readonly signingKeys: readonly kms.Key[];
  /** The roles named in the administration condition. */
  readonly administratorRoleArns: readonly string[];
  private signerRoleArn?: string;

  constructor(scope: Construct, id: string, props: SigningKeysProps) {
    super(scope, id);
    if (props.keyNames.length === 0) throw new Error('SigningKeys: keyNames must name at least one key');
    if (new Set(props.keyNames).size !== props.keyNames.length) throw new Error('SigningKeys: keyNames must not repeat');
    if (!props.keyNames.includes(props.activeKeyName)) throw new Error(`SigningKeys: activeKeyName "${props.activeKeyName}" is not in keyNames`);
    for (const name of props.keyNames) if (!/^[A-Za-z0-9-]{1,32}$/.test(name)) throw new Error(`SigningKeys: key name "${name}" must be 1-32 letters, digits or dashes`);
    const retired = props.retiredKeyNames ?? [];
    for (const name of retired) if (!props.keyNames.includes(name) || name === props.activeKeyName) throw new Error(`SigningKeys: retired key "${name}" must be a published key other than the active one`);
    const aliasPrefix = props.aliasPrefix ?? 'alias/mcp-oauth';
    this.administratorRoleArns = props.administratorRoleArns?.length ? props.administratorRoleArns : [bootstrapDeployRoleArn(this)];

    const keys = new Map<string, kms.Key>();
    for (const name of props.keyNames) {
      const key = new kms.Key(this, `Key-${name}`, {
        description: `mcp-oauth access token signing key "${name}" (RS256, publish-then-sign rotation)`,
        keySpec: kms.KeySpec.RSA_2048,
        keyUsage: kms.KeyUsage.SIGN_VERIFY,
        alias: `${aliasPrefix}/${name}`,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
        pendingWindow: props.pendingWindow ?? Duration.days(30),
        policy: new iam.PolicyDocument({ statements: [administrationWithoutSigning(), onlyAdministratorsChangeThePolicy(this.administratorRoleArns), noGrants()] }),
      });
      keys.set(name, key);
    }
    this.keys = keys;
    this.activeKey = keys.get(props.activeKeyName) as kms.Key;
    this.publishedOnlyKeys = [...keys.values()].filter((k) => k !== this.activeKey);
    this.signingKeys = [...keys.entries()].filter(([name]) => !retired.includes(name)).map(([, key]) => key);
  }

  /** The role allowSigning named; every other principal is denied Sign. */
  get signerArn(): string | undefined {
    return this.signerRoleArn;
  }

  /** Lets `role`, and no other principal, sign with every key that is not retired: in the key policies and the role's policy. */
  allowSigning(role: iam.IRole): void {
    if (this.signerRoleArn) throw new Error('SigningKeys: only one role may sign');
    this.signerRoleArn = role.roleArn;
    for (const key of this.keys.values()) {
      key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'OnlyTheTokenFunctionSigns',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Sign'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } },
      }));
    }
    for (const key of this.signingKeys) {
      key.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'SignAccessTokens',
        principals: [new iam.ArnPrincipal(role.roleArn)],
        actions: ['kms:Sign'],
        resources: ['*'],
      }));
    }
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Sign'], resources: this.signingKeys.map((k) => k.keyArn) }));
  }

  /** Lets `grantee` read the public keys for the JWKS (the account statement delegates GetPublicKey to IAM). */
  allowReadingPublicKeys(grantee: iam.IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:GetPublicKey'],
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

/** The role `cdk deploy` hands CloudFormation: `cdk-<qualifier>-cfn-exec-role-<account>-<region>`. */
function bootstrapDeployRoleArn(scope: Construct): string {
  const qualifier = String(scope.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') ?? DEFAULT_BOOTSTRAP_QUALIFIER);
  const stack = Stack.of(scope);
  const account = Token.isUnresolved(stack.account) ? '${AWS::AccountId}' : stack.account;
  const region = Token.isUnresolved(stack.region) ? '${AWS::Region}' : stack.region;
  return Fn.sub(`arn:\${AWS::Partition}:iam::${account}:role/cdk-${qualifier}-cfn-exec-role-${account}-${region}`);
}

/**
 * The account may manage the key (or it becomes unmanageable) and read its public half, but
 * kms:Sign, kms:Verify and grant creation are absent: those would let any principal with a
 * broad IAM policy sign tokens.
 */
export function administrationWithoutSigning(): iam.PolicyStatement {
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

/** The Denies above hold only while the policy does: only the key administrators may replace it or delete the key. */
export function onlyAdministratorsChangeThePolicy(administratorRoleArns: readonly string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'OnlyKeyAdministratorsChangeThePolicy',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion'],
    resources: ['*'],
    conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...administratorRoleArns] } },
  });
}

/** A grant could hand Sign to anyone; nothing in this product needs one. */
export function noGrants(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'NoGrants',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
  });
}
