/**
 * Where the guard's audit records (core/guard/decision-audit.ts) are written: on Lambda, one
 * Powertools log line each, so every field is a top-level key that CloudWatch Logs Insights
 * discovers (the saved queries filter on `audit`, `decision`, `client_id`, `tool`); locally,
 * one console line each. The records hold no token and no tool arguments by construction.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { GuardAudit } from '../../core/guard/decision-audit';

export function lambdaGuardAudit(serviceName: string, logger: Logger = new Logger({ serviceName })): GuardAudit {
  return (record) => logger.info(record.audit, { ...record });
}

export function consoleGuardAudit(log: (line: string) => void): GuardAudit {
  return (record) => log(`audit ${JSON.stringify(record)}`);
}
