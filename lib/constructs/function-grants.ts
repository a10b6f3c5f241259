import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { TableKey } from '../../lambda/adapters/dynamodb/tables';
import type { FunctionPermissions } from '../definitions/function-permissions';
import type { CookieKey } from './cookie-key';
import type { SigningKeys } from './signing-keys';
import type { UpstreamLogin } from './upstream-login';

export interface GrantTargets {
  readonly tables?: Partial<Readonly<Record<TableKey, dynamodb.ITable>>>;
  readonly signingKeys?: SigningKeys;
  readonly cookieKey?: CookieKey;
  readonly upstreamLogin?: UpstreamLogin;
  /** The shared secret an MCP step sends to its HTTP backend. */
  readonly backendSharedSecret?: secretsmanager.ISecret;
}

/**
 * Grants a function's role exactly its FunctionPermissions: named DynamoDB actions on each
 * table (never its indexes, never a wildcard action), Sign and GetPublicKey on the signing
 * keys, GenerateMac on the cookie key, the upstream client secret. CDK's grantReadWriteData and friends are not used: each
 * hands out a dozen actions the code never calls.
 */
export function grantFunctionPermissions(role: iam.IRole, permissions: FunctionPermissions, targets: GrantTargets): void {
  for (const [key, actions] of Object.entries(permissions.tables) as [TableKey, readonly string[]][]) {
    const table = targets.tables?.[key];
    if (!table) throw new Error(`grantFunctionPermissions: no ${key} table to grant ${actions.join(', ')} on`);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }));
  }
  if (permissions.sign || permissions.readPublicKeys) {
    if (!targets.signingKeys) throw new Error('grantFunctionPermissions: no signing keys to grant on');
    if (permissions.sign) targets.signingKeys.allowSigning(role);
    if (permissions.readPublicKeys) targets.signingKeys.allowReadingPublicKeys(role);
  }
  if (permissions.deriveCookieKey) {
    if (!targets.cookieKey) throw new Error('grantFunctionPermissions: no cookie key to grant on');
    targets.cookieKey.allowGeneratingMac(role);
  }
  if (permissions.readUpstreamClientSecret) targets.upstreamLogin?.allowReadingClientSecret(role);
  if (permissions.readUpstreamGroups) targets.upstreamLogin?.allowReadingGroups(role);
  // Only when one is configured: a backend without a shared secret needs no read at all.
  if (permissions.readBackendSharedSecret && targets.backendSharedSecret) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [targets.backendSharedSecret.secretArn] }));
  }
}
