/**
 * The tables' names, the key attribute every table has and the indexes' names, apart from the
 * table definitions (tables.ts, which builds tables with the AWS SDK), so that code that must
 * not load the SDK (the environment reader, the stores the functions run) can name them.
 */
export type TableKey = 'clients' | 'codes' | 'families' | 'revocations' | 'sessions' | 'assertions';

export const TABLE_KEYS: readonly TableKey[] = ['clients', 'codes', 'families', 'revocations', 'sessions', 'assertions'];

/** The physical name of each table: a prefix in local mode and tests, CloudFormation's choice on AWS. */
export type TableNames = Readonly<Record<TableKey, string>>;

export const PARTITION_KEY = 'pk';

export const FAMILIES_BY_SUBJECT_INDEX = 'bySubject';
export const FAMILIES_BY_CLIENT_INDEX = 'byClient';
/** Login sessions and consents carry `subject`; single-use markers do not, so they stay out. */
export const SESSIONS_BY_SUBJECT_INDEX = 'bySubject';
/** Only consents carry `consentClientId` (a name of their own, so nothing else written to the table is ever indexed by client by accident). */
export const SESSIONS_BY_CLIENT_INDEX = 'byClient';
export const SESSIONS_BY_CLIENT_ATTRIBUTE = 'consentClientId';
