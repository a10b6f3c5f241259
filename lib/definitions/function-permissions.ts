/**
 * What each deployed function may do in DynamoDB, KMS and Secrets Manager, as plain data
 * (no CDK import): the constructs grant exactly this and nothing else, and
 * test/infra/least-privilege.test.ts compares it with the SDK commands each function's
 * bundled code can issue, table by table, so a grant the code does not need, or a call
 * the grants do not cover, fails the build.
 *
 * Transactions have no IAM action of their own: a Put inside TransactWriteItems needs
 * dynamodb:PutItem on its table ("Using IAM with DynamoDB transactions").
 */
import type { TableKey } from '../../lambda/adapters/dynamodb/tables';
import type { EndpointGroup } from './rest-routes';

export type DynamoDbAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchGetItem' | 'Query' | 'ConditionCheckItem';

export interface FunctionPermissions {
  /** DynamoDB actions per table, on the table itself (never an index). */
  readonly tables: Partial<Readonly<Record<TableKey, readonly DynamoDbAction[]>>>;
  /** kms:Sign on the signing keys that may sign (SigningKeys.signingKeys). */
  readonly sign: boolean;
  /** kms:GetPublicKey on every published signing key (the JWKS, and verifying our own tokens). */
  readonly readPublicKeys: boolean;
  /** kms:GenerateMac on the cookie key only (CookieKey): the sealed cookies' AES key derives from it once per container. */
  readonly deriveCookieKey: boolean;
  /** secretsmanager:GetSecretValue on the external IdP's client secret (and kms:Decrypt through Secrets Manager when it has its own key). */
  readonly readUpstreamClientSecret: boolean;
  /** cognito-idp:AdminListGroupsForUser on the Cognito user pool, when the upstream is one: a refresh re-reads the user's groups (docs/operations.md, "Groups at refresh"). */
  readonly readUpstreamGroups: boolean;
  /** secretsmanager:GetSecretValue on the shared secret the MCP step sends to an HTTP backend (resources[].backend.sharedSecret.secretArn). */
  readonly readBackendSharedSecret: boolean;
}

const NONE: FunctionPermissions = { tables: {}, sign: false, readPublicKeys: false, deriveCookieKey: false, readUpstreamClientSecret: false, readUpstreamGroups: false, readBackendSharedSecret: false };

/** The authorization server's functions, one per endpoint group (AUTHORIZATION_SERVER_ROUTES). */
export const ENDPOINT_GROUP_PERMISSIONS: Readonly<Record<EndpointGroup, FunctionPermissions>> = {
  // /authorize, /consent, /callback: look clients up, seal and open the browser cookies, issue codes (with the
  // single-use marker, session listing and consent in one transaction), finish the upstream login; read an
  // operator's revocations of the user, client or session before honouring any of them; "not you?" writes the
  // session's own revocation and drops its listing.
  browser: {
    ...NONE,
    tables: { clients: ['GetItem'], codes: ['PutItem'], sessions: ['GetItem', 'PutItem', 'DeleteItem'], revocations: ['BatchGetItem', 'PutItem'] },
    readUpstreamClientSecret: true,
    deriveCookieKey: true,
  },
  // /token, /revoke, /introspect: redeem codes, rotate and revoke refresh families, check and write revocations
  // (a ConditionCheck on the user's row inside the redemption or rotation transaction),
  // record each client assertion's and ID-JAG's jti once, sign, re-read a user's groups at refresh.
  token: {
    ...NONE,
    tables: {
      clients: ['GetItem'],
      codes: ['GetItem', 'UpdateItem'],
      families: ['GetItem', 'PutItem', 'UpdateItem'],
      revocations: ['BatchGetItem', 'PutItem', 'ConditionCheckItem'],
      assertions: ['PutItem'],
    },
    sign: true,
    readPublicKeys: true,
    readUpstreamGroups: true,
  },
  // Metadata, JWKS, dynamic registration: create clients, publish the public keys.
  public: { ...NONE, tables: { clients: ['PutItem'] }, readPublicKeys: true },
};

/** The guard's REQUEST authorizer: one BatchGetItem of a token's revocation keys; it verifies with the public JWKS, never KMS. */
export const AUTHORIZER_PERMISSIONS: FunctionPermissions = { ...NONE, tables: { revocations: ['BatchGetItem'] } };

/** The MCP step in front of an HTTP backend: it reads the backend's shared secret once per container, and nothing else. */
export const MCP_STEP_PERMISSIONS: FunctionPermissions = { ...NONE, readBackendSharedSecret: true };

/** Functions that call no AWS service: the protected resource metadata and the demo MCP server. */
export const NO_AWS_PERMISSIONS: FunctionPermissions = NONE;
