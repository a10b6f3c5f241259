/**
 * A stage's throttling as API Gateway applies it ("Throttle requests to your REST APIs for
 * better throughput in API Gateway"): a token bucket per stage, `burst` tokens deep and
 * refilled at `ratePerSecond`, one token per request; a request that finds the bucket empty
 * gets 429 (the THROTTLED gateway response). AWS applies it on a best-effort basis and also
 * has an account-wide bucket per Region; the emulator keeps only the stage's, exactly.
 */
import type { StageThrottling } from '../../lib/definitions/rate-rules';

export class StageTokenBucket {
  private tokens: number;
  private refilledAtMs: number;

  constructor(
    private readonly settings: StageThrottling,
    private readonly now: () => number,
  ) {
    this.tokens = settings.burst;
    this.refilledAtMs = now();
  }

  /** Takes a token for one request; false when there is none (the request is throttled). */
  take(): boolean {
    const now = this.now();
    const elapsedSeconds = Math.max(0, now - this.refilledAtMs) / 1000;
    this.tokens = Math.min(this.settings.burst, this.tokens + elapsedSeconds * this.settings.ratePerSecond);
    this.refilledAtMs = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
