/**
 * Remembered consent: per user, client and resource, which scopes the user approved.
 * A later request for the same or fewer scopes goes through without asking again; a
 * different client never inherits it (the key includes the client_id: docs/security.md, case 13).
 * A consent given at or before an operator revoked its user or its client is forgotten,
 * even when its row survived the revocation (docs/security.md, cases 58 and 59).
 */
import type { Config } from '../config';
import type { ConsentRecord, ConsentWrite, RevocationKey, RevocationRecord } from '../ports';
import { findResource, scopeNamesOf } from '../resources';
import { grantRevocationKeys, isRevoked } from '../tokens/revocation-check';
import type { AuthorizationServerDeps } from './deps';

/** The part of a grant that concerns one resource. */
export function scopeForResource(config: Config, resource: string, scope: readonly string[]): string[] {
  const target = findResource(config, resource);
  if (!target) return [];
  const names = new Set(scopeNamesOf(target));
  return scope.filter((s) => names.has(s));
}

/** The consent rows of a user and client for these resources, in their order (undefined where none). */
export function readConsents(deps: AuthorizationServerDeps, subject: string, clientId: string, resources: readonly string[]): Promise<(ConsentRecord | undefined)[]> {
  return Promise.all(resources.map((resource) => deps.sessions.getConsent(subject, clientId, resource)));
}

/** A consent row that still counts: not expired, and given after any revocation of its user or client. */
function liveConsent(consent: ConsentRecord | undefined, revocations: readonly RevocationRecord[], now: number): consent is ConsentRecord {
  return consent !== undefined && consent.expiresAt > now && !isRevoked(grantRevocationsOf(revocations, consent), consent.grantedAt);
}

/** Whether the user's live consents cover every requested scope of every resource. `consents` is in the order of `resources`. */
export function consentCovers(
  config: Config,
  grant: { readonly resources: readonly string[]; readonly scope: readonly string[] },
  consents: readonly (ConsentRecord | undefined)[],
  revocations: readonly RevocationRecord[],
  now: number,
): boolean {
  return grant.resources.every((resource, i) => {
    const consent = consents[i];
    if (!liveConsent(consent, revocations, now)) return false;
    const approved = new Set(consent.scope);
    return scopeForResource(config, resource, grant.scope).every((s) => approved.has(s));
  });
}

/**
 * The consent rows to write for an approval: each merges the scopes of a live earlier
 * consent (as read, or none when `earlier` is undefined: a first consent needs no read, and
 * the commit's condition reports a row it did not expect).
 */
export function consentWrites(
  deps: AuthorizationServerDeps,
  grant: { readonly subject: string; readonly clientId: string; readonly resources: readonly string[]; readonly scope: readonly string[] },
  revocations: readonly RevocationRecord[],
  now: number,
  earlier: readonly (ConsentRecord | undefined)[] | undefined,
): ConsentWrite[] {
  const revokedAt = Math.max(0, ...grantRevocationsOf(revocations, grant).map((record) => record.revokedAt));
  return grant.resources.map((resource, i) => {
    const existing = earlier?.[i];
    const merged = liveConsent(existing, revocations, now) ? existing : undefined;
    const scope = [...new Set([...(merged?.scope ?? []), ...scopeForResource(deps.config, resource, grant.scope)])];
    return {
      record: { subject: grant.subject, clientId: grant.clientId, resource, scope, grantedAt: now, expiresAt: now + deps.config.tokens.consentSeconds },
      revokedAt,
      ...(merged ? { replacesGrantedAt: merged.grantedAt } : {}),
    };
  });
}

/** The revocation keys a consent or code of this grant answers to. */
export function consentRevocationKeys(grant: { readonly subject: string; readonly clientId: string }): RevocationKey[] {
  return grantRevocationKeys(grant);
}

function grantRevocationsOf(revocations: readonly RevocationRecord[], grant: { readonly subject: string; readonly clientId: string }): RevocationRecord[] {
  return revocations.filter(
    (record) => (record.key.kind === 'subject' && record.key.value === grant.subject) || (record.key.kind === 'client' && record.key.value === grant.clientId),
  );
}
