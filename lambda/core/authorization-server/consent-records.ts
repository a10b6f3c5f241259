/**
 * Remembered consent: per user, client and resource, which scopes the user approved.
 * A later request for the same or fewer scopes goes through without asking again; a
 * different client never inherits it (the key includes the client_id: docs/security.md, case 13).
 * A consent given at or before an operator revoked its user or its client is forgotten,
 * even when its row survived the revocation (docs/security.md, cases 58 and 59).
 */
import type { Config } from '../config';
import { nowSeconds, type RevocationRecord } from '../ports';
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

export async function consentCovers(deps: AuthorizationServerDeps, subject: string, clientId: string, resources: readonly string[], scope: readonly string[]): Promise<boolean> {
  const now = nowSeconds(deps);
  const [revocations, consents] = await Promise.all([
    deps.revocations.find(grantRevocationKeys({ subject, clientId })),
    Promise.all(resources.map((resource) => deps.sessions.getConsent(subject, clientId, resource))),
  ]);
  return resources.every((resource, i) => {
    const consent = consents[i];
    if (!consent || consent.expiresAt <= now || isRevoked(revocations, consent.grantedAt)) return false;
    const approved = new Set(consent.scope);
    return scopeForResource(deps.config, resource, scope).every((s) => approved.has(s));
  });
}

export async function rememberConsent(deps: AuthorizationServerDeps, subject: string, clientId: string, resources: readonly string[], scope: readonly string[]): Promise<void> {
  const now = nowSeconds(deps);
  let revocations: readonly RevocationRecord[] | undefined;
  for (const resource of resources) {
    const existing = await deps.sessions.getConsent(subject, clientId, resource);
    const live = existing !== undefined && existing.expiresAt > now;
    // Only an earlier consent that would be merged needs the revocation read (a first consent does not).
    if (live) revocations ??= await deps.revocations.find(grantRevocationKeys({ subject, clientId }));
    const earlier = live && !isRevoked(revocations ?? [], existing.grantedAt) ? existing.scope : [];
    const approved = [...new Set([...earlier, ...scopeForResource(deps.config, resource, scope)])];
    await deps.sessions.putConsent({ subject, clientId, resource, scope: approved, grantedAt: now, expiresAt: now + deps.config.tokens.consentSeconds });
  }
  deps.audit.emit({ type: 'consent_granted', subject, clientId });
}
