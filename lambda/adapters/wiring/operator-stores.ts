/**
 * What an operator's tool (the mcp-oauth CLI) works with: the DynamoDB stores seen as
 * directories, the token lifetimes that size a revocation record, and an audit sink. The
 * same code serves local mode (DynamoDB Local's endpoint, the prefixed table names) and
 * AWS (the region's endpoint, the deployed stack's table names).
 */
import type { AccessRevocationDeps } from '../../core/authorization-server/access-revocation';
import type { Config } from '../../core/config';
import type { AuditSink, ClientDirectory, RefreshFamilyDirectory, RevocationStore, SessionDirectory } from '../../core/ports';
import type { DynamoDbCalls } from '../dynamodb/dynamodb-calls';
import { DynamoDbClientDirectory } from '../dynamodb/dynamodb-client-directory';
import { DynamoDbRefreshFamilyStore } from '../dynamodb/dynamodb-refresh-family-store';
import { DynamoDbRevocationStore } from '../dynamodb/dynamodb-revocation-store';
import { DynamoDbSessionStore } from '../dynamodb/dynamodb-session-store';
import type { TableNames } from '../dynamodb/tables';

export interface OperatorStoreParts {
  readonly dynamodb: DynamoDbCalls;
  readonly tables: TableNames;
  /** The deployment's config: its token lifetimes size the revocation records, its guard TTLs the delay. */
  readonly config: Pick<Config, 'tokens' | 'guard'>;
  /** Where each revocation is reported (the CLI prints it). */
  readonly audit: AuditSink;
}

/** The deps of revokeAccess and of the listings (lambda/core/authorization-server/access-revocation.ts), plus the clients. */
export interface OperatorStores extends AccessRevocationDeps {
  readonly revocations: RevocationStore;
  readonly sessions: SessionDirectory;
  readonly families: RefreshFamilyDirectory;
  readonly clients: ClientDirectory;
}

export function operatorStores(parts: OperatorStoreParts): OperatorStores {
  return {
    config: parts.config,
    audit: parts.audit,
    revocations: new DynamoDbRevocationStore(parts.dynamodb, parts.tables.revocations),
    sessions: new DynamoDbSessionStore(parts.dynamodb, parts.tables.sessions),
    families: new DynamoDbRefreshFamilyStore(parts.dynamodb, parts.tables.families),
    clients: new DynamoDbClientDirectory(parts.dynamodb, parts.tables.clients),
  };
}
