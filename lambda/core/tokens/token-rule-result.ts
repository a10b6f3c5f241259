/** The result of a token rule: the value it read, or the reason it refused (for the log, never for the caller). */
export type TokenRuleResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

export const refused = (reason: string): { readonly ok: false; readonly reason: string } => ({ ok: false, reason });
