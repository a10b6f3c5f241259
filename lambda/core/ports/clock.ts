/** The clock port: the core never reads the time itself, so every rule can be tested at any instant. */

export interface Clock {
  /** Milliseconds since the epoch. */
  nowMs(): number;
}

/** The clock's time in whole epoch seconds, the unit of every record and claim. */
export function nowSeconds(deps: { readonly clock: Clock }): number {
  return Math.floor(deps.clock.nowMs() / 1000);
}
