/**
 * Local mode's audit sink: one short line per event on the console, so a developer sees
 * logins, tokens and rejections go by without EMF noise. Never a token.
 */
import type { AuditEvent, AuditSink } from '../../core/ports';

export class ConsoleAuditSink implements AuditSink {
  constructor(private readonly log: (line: string) => void) {}

  emit(event: AuditEvent): void {
    this.log(`audit ${describe(event)}`);
  }
}

function describe(event: AuditEvent): string {
  switch (event.type) {
    case 'token_issued':
      return `token issued: ${event.grantType} for ${event.subject} via ${event.clientId}`;
    case 'refresh_reuse_detected':
      return `REFRESH TOKEN REUSE: family ${event.familyId} of ${event.clientId} revoked`;
    case 'refresh_forged':
      return `forged refresh token refused: family ${event.familyId}, presented by ${event.clientId} (nothing revoked)`;
    case 'code_replay_detected':
      return `AUTHORIZATION CODE REPLAY by ${event.clientId}`;
    case 'client_registered':
      return `client registered (${event.source}): ${event.clientId}`;
    case 'token_revoked':
      return `${event.what} revoked for ${event.clientId}`;
    case 'request_rejected':
      return `rejected at ${event.endpoint}: ${event.error}`;
    case 'login_completed':
      return `login: ${event.subject}`;
    case 'consent_granted':
      return `consent: ${event.subject} -> ${event.clientId}`;
    case 'access_revoked':
      return `ACCESS REVOKED: ${event.kind} ${event.value} (${event.reason}): ${event.sessionsEnded} sessions ended, ${event.consentsForgotten} consents forgotten, ${event.familiesRevoked} families revoked`;
  }
}
