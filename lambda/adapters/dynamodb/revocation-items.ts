/**
 * A revocation as a DynamoDB item: its key and how an item reads back. Apart from the store
 * (dynamodb-revocation-store.ts), so that the authorizer's reader, which does not load the
 * AWS SDK (revocation-reader.ts), reads the very same items.
 */
import type { RevocationKey, RevocationRecord } from '../../core/ports';
import { ItemReader, type Item } from './attribute-values';

/** Every kind, as a record so that a kind added to RevocationKey fails to compile until it is read here too. */
const KIND_NAMES: Readonly<Record<RevocationKey['kind'], true>> = { jti: true, family: true, subject: true, client: true, session: true };
const KINDS = Object.keys(KIND_NAMES) as RevocationKey['kind'][];

/**
 * Revocations keyed by what they name. The kinds contain no `#`, so `<kind>#<value>` is
 * unambiguous whatever the value holds.
 */
export function revocationPartitionKey(key: RevocationKey): string {
  return `${key.kind}#${key.value}`;
}

export function revocationFromItem(item: Item): RevocationRecord {
  const read = new ItemReader(item, 'revocation');
  return {
    key: { kind: read.oneOf('kind', KINDS), value: read.string('value') },
    revokedAt: read.number('revokedAt'),
    expiresAt: read.number('expiresAt'),
    reason: read.string('reason'),
  };
}
