/**
 * The grants of lib/definitions/function-permissions.ts against what the code can call.
 * Each handler entry is bundled with esbuild as the CDK app bundles it (FUNCTION_BUNDLING:
 * the AWS SDK left external, so every client the code uses stays a `require` of its
 * package), and the `*Command` classes each SDK client's import is used for are read from
 * the bundle; each table's store module is bundled alone the same way. Then:
 *
 * - no function is granted an action its bundle cannot issue;
 * - every action a bundle can issue is granted to a function built from it, unless it is
 *   listed below with the reason no deployed function calls it;
 * - on each table, no function is granted an action that table's store cannot issue.
 *
 * mcp-oauth-app.test.ts proves the synthesized roles hold exactly these definitions.
 * Transactions have no IAM action of their own ("Using IAM with DynamoDB transactions"):
 * a TransactWriteItems needs the item actions of what it writes.
 */
import { buildSync } from 'esbuild';
import { join } from 'node:path';
import type { TableKey } from '../../lambda/adapters/dynamodb/tables';
import { FUNCTION_BUNDLING } from '../../lib/definitions/bundling';
import { AUTHORIZER_PERMISSIONS, ENDPOINT_GROUP_PERMISSIONS, MCP_STEP_PERMISSIONS, NO_AWS_PERMISSIONS, type FunctionPermissions } from '../../lib/definitions/function-permissions';
import { HANDLER_ENTRIES } from '../../lib/constructs/handler-entries';

const ROOT = join(__dirname, '..', '..');
const SERVICE_OF_CLIENT: Readonly<Record<string, string>> = { 'client-dynamodb': 'dynamodb', 'client-kms': 'kms', 'client-secrets-manager': 'secretsmanager', 'client-cognito-identity-provider': 'cognito-idp' };
const TRANSACTION_ITEM_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

/** The IAM actions the bundled code of `entry` can call: `service:Name` for each `NameCommand` used on an AWS SDK client import, and each operation the DynamoDB JSON client is called with. */
function actionsInBundle(entry: string): Set<string> {
  const { outputFiles } = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: FUNCTION_BUNDLING.platform,
    target: FUNCTION_BUNDLING.target,
    format: FUNCTION_BUNDLING.format,
    minify: FUNCTION_BUNDLING.minify,
    external: [...FUNCTION_BUNDLING.external],
    write: false,
    logLevel: 'silent',
  });
  const code = outputFiles[0]!.text;
  const actions = new Set<string>();
  // A package is required at the top (`v=require(...)`, used as `v.NameCommand`) or at first use
  // (sdk-packages.ts: `f=()=>require(...)`, used as `(f()).NameCommand`).
  for (const [, variable, atFirstUse, client] of code.matchAll(/([\w$]+)=(\(\)=>)?(?:[\w$]+\()?require\("@aws-sdk\/(client-[\w-]+)"\)/g)) {
    const service = SERVICE_OF_CLIENT[client!];
    if (!service) throw new Error(`${entry} uses @aws-sdk/${client}: map it to its IAM service here, and grant what it calls`);
    const name = variable!.replace('$', '\\$');
    const used = atFirstUse ? `\\(${name}\\(\\)\\)` : `(?<![\\w$])${name}`;
    for (const [, command] of code.matchAll(new RegExp(`${used}\\.(\\w+)Command\\b`, 'g'))) actions.add(`${service}:${command}`);
  }
  // The stores call DynamoDB by operation name (dynamodb/dynamodb-calls.ts: `client.call("PutItem", ...)`),
  // which the functions' JSON client sends as `X-Amz-Target: DynamoDB_20120810.<operation>`, without the SDK.
  for (const [, operation] of code.matchAll(/\.call\("([A-Z]\w+)",/g)) actions.add(`dynamodb:${operation}`);
  return actions;
}

/** What granting `actions` covers, a transaction counting as covered by any of its item actions. */
function covers(granted: ReadonlySet<string>, action: string): boolean {
  if (action === 'dynamodb:TransactWriteItems') return TRANSACTION_ITEM_ACTIONS.some((a) => granted.has(a));
  return granted.has(action);
}

/** What an action of the code may be granted as. */
function grantable(codeActions: ReadonlySet<string>): Set<string> {
  const out = new Set(codeActions);
  if (codeActions.has('dynamodb:TransactWriteItems')) for (const a of TRANSACTION_ITEM_ACTIONS) out.add(a);
  out.delete('dynamodb:TransactWriteItems');
  return out;
}

function grantedActions(permissions: FunctionPermissions): Set<string> {
  const actions = new Set<string>();
  for (const list of Object.values(permissions.tables)) for (const a of list ?? []) actions.add(`dynamodb:${a}`);
  if (permissions.sign) actions.add('kms:Sign');
  if (permissions.readPublicKeys) actions.add('kms:GetPublicKey');
  if (permissions.deriveCookieKey) actions.add('kms:GenerateMac');
  if (permissions.readUpstreamClientSecret || permissions.readBackendSharedSecret) actions.add('secretsmanager:GetSecretValue');
  if (permissions.readUpstreamGroups) actions.add('cognito-idp:AdminListGroupsForUser');
  return actions;
}

/** The deployed functions, by the bundle they run. */
const FUNCTIONS_BY_ENTRY: readonly { entry: string; functions: Readonly<Record<string, FunctionPermissions>>; notCalledWhenDeployed: Readonly<Record<string, string>> }[] = [
  {
    entry: HANDLER_ENTRIES.authorizationServer,
    functions: ENDPOINT_GROUP_PERMISSIONS,
    notCalledWhenDeployed: {
      'dynamodb:Query': 'DynamoDbRefreshFamilyStore lists a user\'s or a client\'s families by index for the operator CLI (bin/mcp-oauth.ts); no endpoint queries an index',
    },
  },
  {
    entry: HANDLER_ENTRIES.authorizer,
    functions: { authorizer: AUTHORIZER_PERMISSIONS },
    notCalledWhenDeployed: {},
  },
  { entry: HANDLER_ENTRIES.protectedResourceMetadata, functions: { protectedResourceMetadata: NO_AWS_PERMISSIONS }, notCalledWhenDeployed: {} },
  { entry: HANDLER_ENTRIES.demoMcpServer, functions: { demoMcpServer: NO_AWS_PERMISSIONS }, notCalledWhenDeployed: {} },
  { entry: HANDLER_ENTRIES.mcpStep, functions: { mcpStep: MCP_STEP_PERMISSIONS }, notCalledWhenDeployed: {} },
];

/** The stores that read and write each table (createDynamoDbStores); the end of a browser authorization writes sessions and codes in one transaction, and /token's grant writer codes, families and revocations in one. */
const STORE_OF_TABLE: Readonly<Record<TableKey, readonly string[]>> = {
  clients: ['dynamodb-client-store.ts'],
  codes: ['dynamodb-authorization-code-store.ts', 'dynamodb-authorization-commits.ts', 'dynamodb-grant-writer.ts'],
  families: ['dynamodb-refresh-family-store.ts', 'dynamodb-grant-writer.ts'],
  revocations: ['dynamodb-revocation-store.ts', 'dynamodb-grant-writer.ts'],
  sessions: ['dynamodb-session-store.ts', 'dynamodb-authorization-commits.ts'],
  assertions: ['dynamodb-used-assertion-store.ts'],
};

describe('least privilege, from the commands the bundled code issues', () => {
  const bundles = new Map(FUNCTIONS_BY_ENTRY.map(({ entry }) => [entry, actionsInBundle(entry)]));

  it('finds the SDK commands in the bundles (the analysis itself works)', () => {
    expect([...bundles.get(HANDLER_ENTRIES.authorizationServer)!]).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:TransactWriteItems', 'kms:Sign', 'kms:GetPublicKey', 'secretsmanager:GetSecretValue']));
    expect([...bundles.get(HANDLER_ENTRIES.authorizer)!].sort()).toEqual(['dynamodb:BatchGetItem']);
  });

  it.each(FUNCTIONS_BY_ENTRY.flatMap(({ entry, functions }) => Object.entries(functions).map(([name, permissions]) => [name, entry, permissions] as const)))(
    'grants %s nothing its bundle cannot call',
    (_name, entry, permissions) => {
      const possible = grantable(bundles.get(entry)!);
      expect([...grantedActions(permissions)].filter((a) => !possible.has(a))).toEqual([]);
    },
  );

  it.each(FUNCTIONS_BY_ENTRY.map((f) => [f.entry.replace(`${ROOT}/`, ''), f] as const))('grants every call of %s to a function that runs it, or says why none does', (_entry, { entry, functions, notCalledWhenDeployed }) => {
    const granted = new Set(Object.values(functions).flatMap((p) => [...grantedActions(p)]));
    const ungranted = [...bundles.get(entry)!].filter((a) => !covers(granted, a));
    expect(ungranted.sort()).toEqual(Object.keys(notCalledWhenDeployed).sort());
  });

  it('grants on each table only what that table\'s store can call', () => {
    const storeActions = Object.fromEntries(
      Object.entries(STORE_OF_TABLE).map(([table, files]) => [table, new Set(files.flatMap((file) => [...grantable(actionsInBundle(join(ROOT, 'lambda', 'adapters', 'dynamodb', file)))]))]),
    );
    const beyond: string[] = [];
    for (const { functions } of FUNCTIONS_BY_ENTRY) {
      for (const [name, permissions] of Object.entries(functions)) {
        for (const [table, actions] of Object.entries(permissions.tables)) {
          for (const action of actions ?? []) if (!storeActions[table]!.has(`dynamodb:${action}`)) beyond.push(`${name}: ${action} on ${table}`);
        }
      }
    }
    expect(beyond).toEqual([]);
    // The stores issue what the grants name, and no table is granted an action of another store's.
    expect([...storeActions.clients!].sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
  });
});
