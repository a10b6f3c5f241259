import type { Clock } from '../../core/ports';

/** The host's wall clock: the one Clock outside tests. */
export const systemClock: Clock = { nowMs: () => Date.now() };
