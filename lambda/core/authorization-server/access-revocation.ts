/**
 * Revoking a user, a client or a family at one instant T, as an operator does in an incident
 * (RFC 7009 section 2, RFC 9700 section 4.14, docs/security.md cases 58 and 59). The
 * revocation record is written first: it alone makes every token and family issued before
 * T dead at the guard, /token and /introspect, and every login session that started before
 * T unusable, whatever the listings below miss (they read eventually consistent indexes).
 * Then the records that would let the same browser get new tokens at once go: the user's
 * login sessions and the remembered consents; and the families are marked revoked so an
 * operator's listing shows them so.
 */
import type { GuardConfig, TokenLifetimesConfig } from '../config';
import type { AuditSink, RefreshFamilyDirectory, RefreshFamilyRecord, RevocationStore, SessionDirectory } from '../ports';

export interface RevocationTarget {
  readonly kind: 'subject' | 'client' | 'family';
  readonly value: string;
}

export interface RevocationOptions {
  /** Who revoked and why, kept in the revocation record and the audit event. */
  readonly reason: string;
  /** T, epoch seconds: everything issued at or before it is revoked. */
  readonly now: number;
}

export interface RevocationOutcome {
  readonly revokedAt: number;
  /** Live login sessions of the user deleted (a client or family revocation ends none). */
  readonly sessionsEnded: number;
  /** Live remembered consents deleted (expired ones waiting for TTL go too, uncounted). */
  readonly consentsForgotten: number;
  /** Families that were live and are now marked revoked. */
  readonly familiesRevoked: number;
}

export interface AccessRevocationDeps {
  readonly config: { readonly tokens: TokenLifetimesConfig; readonly guard: GuardConfig };
  readonly revocations: Pick<RevocationStore, 'revoke'>;
  readonly sessions: SessionDirectory;
  readonly families: RefreshFamilyDirectory;
  readonly audit: AuditSink;
}

export type ListingDeps = Pick<AccessRevocationDeps, 'sessions' | 'families'>;

export async function revokeAccess(deps: AccessRevocationDeps, target: RevocationTarget, options: RevocationOptions): Promise<RevocationOutcome> {
  const { now } = options;
  await deps.revocations.revoke({
    key: { kind: target.kind, value: target.value },
    revokedAt: now,
    expiresAt: now + revocationRecordLifetimeSeconds(deps.config.tokens, deps.config.guard),
    reason: options.reason,
  });

  const families = await familiesOf(deps, target);
  const live = families.filter((family) => family.revokedAt === undefined && family.expiresAt > now);
  await forEachInBatches(live, (family) => deps.families.markRevoked(family.familyId, now));

  let sessionsEnded = 0;
  let consentsForgotten = 0;
  if (target.kind !== 'family') {
    const owner = target.kind === 'subject' ? { subject: target.value } : { clientId: target.value };
    const consents = await deps.sessions.listConsents(owner);
    await forEachInBatches(consents, (consent) => deps.sessions.deleteConsent(consent));
    consentsForgotten = consents.filter((consent) => consent.expiresAt > now).length;
  }
  if (target.kind === 'subject') {
    // Only the user's own sessions: a client revocation leaves its users signed in to the
    // AS (their other clients keep working); its consents are gone, so the next
    // authorization of that client asks the user again.
    const sessions = await deps.sessions.listLoginSessions(target.value);
    await forEachInBatches(sessions, (session) => deps.sessions.deleteLoginSession(session.sessionHash));
    sessionsEnded = sessions.filter((session) => session.expiresAt > now).length;
  }

  const outcome: RevocationOutcome = { revokedAt: now, sessionsEnded, consentsForgotten, familiesRevoked: live.length };
  deps.audit.emit({ type: 'access_revoked', kind: target.kind, value: target.value, reason: options.reason, ...outcome });
  return outcome;
}

/** A user's login sessions at the AS, expired ones included (an operator sees what is stored). */
export function listLoginSessions(deps: Pick<ListingDeps, 'sessions'>, subject: string) {
  return deps.sessions.listLoginSessions(subject);
}

export function listFamilies(deps: Pick<ListingDeps, 'families'>, owner: { readonly subject: string } | { readonly clientId: string }) {
  return deps.families.listFamilies(owner);
}

/**
 * The worst case, in seconds, between a revocation and the moment every guard refuses the
 * old tokens: API Gateway may answer from its authorizer cache for its TTL, and the
 * authorizer behind it from its revocation cache for that TTL (docs/guard.md). /token and
 * /introspect read the revocations table directly and refuse at once.
 */
export function worstCaseRevocationDelaySeconds(guard: Pick<GuardConfig, 'authorizerCacheTtlSeconds' | 'revocationCacheTtlSeconds'>): number {
  return guard.authorizerCacheTtlSeconds + guard.revocationCacheTtlSeconds;
}

/**
 * The record must outlive everything it can match: a family created just before T lives
 * at most the absolute refresh lifetime, the access tokens it mints at most one access
 * token lifetime beyond that, and a login session (whose upstream authentication the
 * record also refuses) at most its own lifetime.
 */
function revocationRecordLifetimeSeconds(tokens: TokenLifetimesConfig, guard: GuardConfig): number {
  const longestLived = Math.max(tokens.refreshTokenAbsoluteSeconds, tokens.loginSessionSeconds);
  return longestLived + tokens.accessTokenSeconds + guard.clockSkewSeconds;
}

async function familiesOf(deps: Pick<AccessRevocationDeps, 'families'>, target: RevocationTarget): Promise<readonly RefreshFamilyRecord[]> {
  if (target.kind === 'family') {
    const family = await deps.families.get(target.value);
    return family ? [family] : [];
  }
  return deps.families.listFamilies(target.kind === 'subject' ? { subject: target.value } : { clientId: target.value });
}

/** A client may have thousands of families: a few writes at a time, not thousands at once. */
const WRITES_IN_FLIGHT = 16;

async function forEachInBatches<T>(items: readonly T[], write: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += WRITES_IN_FLIGHT) {
    await Promise.all(items.slice(start, start + WRITES_IN_FLIGHT).map(write));
  }
}
