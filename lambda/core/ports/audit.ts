/** Observability: the core names what happened; adapters turn it into EMF metrics and logs. */
import type { ClientRecord } from './clients';

export type AuditEvent =
  | { readonly type: 'token_issued'; readonly grantType: string; readonly clientId: string; readonly subject: string }
  | { readonly type: 'refresh_reuse_detected'; readonly clientId: string; readonly familyId: string }
  /** A refresh token naming a real family with a secret this server never issued for it: refused, nothing revoked. */
  | { readonly type: 'refresh_forged'; readonly clientId: string; readonly familyId: string }
  | { readonly type: 'code_replay_detected'; readonly clientId: string }
  | { readonly type: 'client_registered'; readonly clientId: string; readonly source: ClientRecord['source'] }
  | { readonly type: 'token_revoked'; readonly clientId: string; readonly what: 'access_token' | 'refresh_token' }
  | { readonly type: 'request_rejected'; readonly endpoint: string; readonly error: string }
  | { readonly type: 'login_completed'; readonly subject: string }
  | { readonly type: 'consent_granted'; readonly subject: string; readonly clientId: string }
  | {
      /** An operator revoked a user, a client or a family (lambda/core/authorization-server/access-revocation.ts). */
      readonly type: 'access_revoked';
      readonly kind: 'subject' | 'client' | 'family';
      readonly value: string;
      /** The operator's words: who and why. */
      readonly reason: string;
      readonly sessionsEnded: number;
      readonly consentsForgotten: number;
      readonly familiesRevoked: number;
    };

export interface AuditSink {
  emit(event: AuditEvent): void;
}
