/**
 * The guard's audit lines: one structured record per tool decision (allowed or denied) and
 * per route the authorizer refused, with who asked (`sub`, `client_id`), for what (the tool
 * or the route) and the scopes that decided it. Never a tool's arguments, a body or a token:
 * what the records hold is what an operator may read in the logs ("who called which tool",
 * "denials by client", "step-ups": the saved queries of lib/constructs/protected-api-monitoring.ts).
 */
import type { ToolCallDecision } from './mcp-request-rules';

/** The `audit` field of each kind of record; the saved queries filter on it. */
export const AUDIT_RECORD_KINDS = { toolDecision: 'mcp_tool_decision', routeDenied: 'mcp_route_denied' } as const;

export interface ToolDecisionRecord {
  readonly audit: typeof AUDIT_RECORD_KINDS.toolDecision;
  readonly resource: string;
  readonly sub: string;
  readonly client_id: string;
  readonly tool: string;
  readonly decision: 'allowed' | 'denied';
  /** Every scope the call needs (its route's and its tool's), space-separated. */
  readonly required_scopes: string;
  /** The ones the token lacked: non-empty exactly when the client must step up. */
  readonly missing_scopes: string;
  /** False when another call of the same batch was refused, so none ran. */
  readonly forwarded: boolean;
}

export interface RouteDeniedRecord {
  readonly audit: typeof AUDIT_RECORD_KINDS.routeDenied;
  readonly resource: string;
  readonly sub: string;
  readonly client_id: string;
  readonly method: string;
  /** The REST resource API Gateway matched. */
  readonly route: string;
  readonly required_scopes: string;
  readonly missing_scopes: string;
}

export type GuardAuditRecord = ToolDecisionRecord | RouteDeniedRecord;

/** Where the records go: a structured log line each. */
export type GuardAudit = (record: GuardAuditRecord) => void;

export interface AuditedCaller {
  readonly resource: string;
  readonly subject: string;
  readonly clientId: string;
}

export function toolDecisionRecords(caller: AuditedCaller, calls: readonly ToolCallDecision[], forwarded: boolean): ToolDecisionRecord[] {
  return calls.map((call) => ({
    audit: AUDIT_RECORD_KINDS.toolDecision,
    resource: caller.resource,
    sub: caller.subject,
    client_id: caller.clientId,
    tool: call.tool,
    decision: forwarded && call.missingScopes.length === 0 ? 'allowed' : 'denied',
    required_scopes: call.requiredScopes.join(' '),
    missing_scopes: call.missingScopes.join(' '),
    forwarded,
  }));
}

export function routeDeniedRecord(caller: AuditedCaller, route: { readonly method: string; readonly resourcePath: string }, requiredScopes: readonly string[], missingScopes: readonly string[]): RouteDeniedRecord {
  return {
    audit: AUDIT_RECORD_KINDS.routeDenied,
    resource: caller.resource,
    sub: caller.subject,
    client_id: caller.clientId,
    method: route.method,
    route: route.resourcePath,
    required_scopes: requiredScopes.join(' '),
    missing_scopes: missingScopes.join(' '),
  };
}
