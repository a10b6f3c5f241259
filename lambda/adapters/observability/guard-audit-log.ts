/**
 * Where the guard's audit records (core/guard/decision-audit.ts) are written: on Lambda, one
 * Powertools log line each, so every field is a top-level key that CloudWatch Logs Insights
 * discovers (the saved queries filter on `audit`, `decision`, `client_id`, `tool`); locally,
 * one console line each. The records hold no token and no tool arguments by construction.
 *
 * The Logger is loaded and built at the first record, not with the bundle: the authorizer
 * writes one only when it refuses a route, and building it at init took about 1.4 ms of CPU of
 * every cold start in a profile (docs/performance.md, "Cold starts", step 6); the line is
 * Powertools' own either way.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a require at first use is what defers the package's load; an import would load it with the bundle */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { GuardAudit } from '../../core/guard/decision-audit';

export function lambdaGuardAudit(serviceName: string, logger?: Logger): GuardAudit {
  let built = logger;
  return (record) => {
    built ??= new (require('@aws-lambda-powertools/logger') as typeof import('@aws-lambda-powertools/logger')).Logger({ serviceName });
    built.info(record.audit, { ...record });
  };
}

export function consoleGuardAudit(log: (line: string) => void): GuardAudit {
  return (record) => log(`audit ${JSON.stringify(record)}`);
}
