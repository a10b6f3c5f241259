/**
 * The tables' names and the key attribute every table has, apart from the table definitions
 * (tables.ts, which builds tables with the AWS SDK), so that code that must not load the SDK
 * (the environment reader, the authorizer's revocation reader) can name them.
 */
export type TableKey = 'clients' | 'codes' | 'families' | 'revocations' | 'sessions' | 'assertions';

export const TABLE_KEYS: readonly TableKey[] = ['clients', 'codes', 'families', 'revocations', 'sessions', 'assertions'];

/** The physical name of each table: a prefix in local mode and tests, CloudFormation's choice on AWS. */
export type TableNames = Readonly<Record<TableKey, string>>;

export const PARTITION_KEY = 'pk';
