/**
 * Remembered consent: per user, client and resource, which scopes the user approved.
 * A later request for the same or fewer scopes goes through without asking again; a
 * different client never inherits it (the key includes the client_id: docs/security.md, case 13).
 */
import type { Config } from '../config';
import { nowSeconds } from '../ports';
import { findResource, scopeNamesOf } from '../resources';
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
  for (const resource of resources) {
    const consent = await deps.sessions.getConsent(subject, clientId, resource);
    if (!consent || consent.expiresAt <= now) return false;
    const approved = new Set(consent.scope);
    if (!scopeForResource(deps.config, resource, scope).every((s) => approved.has(s))) return false;
  }
  return true;
}

export async function rememberConsent(deps: AuthorizationServerDeps, subject: string, clientId: string, resources: readonly string[], scope: readonly string[]): Promise<void> {
  const now = nowSeconds(deps);
  for (const resource of resources) {
    const existing = await deps.sessions.getConsent(subject, clientId, resource);
    const earlier = existing && existing.expiresAt > now ? existing.scope : [];
    const approved = [...new Set([...earlier, ...scopeForResource(deps.config, resource, scope)])];
    await deps.sessions.putConsent({ subject, clientId, resource, scope: approved, grantedAt: now, expiresAt: now + deps.config.tokens.consentSeconds });
  }
  deps.audit.emit({ type: 'consent_granted', subject, clientId });
}
