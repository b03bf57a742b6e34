// Retry back-off after a failed delivery (spec §4). Pure arithmetic on epoch milliseconds.

export interface RetryConfig {
  /** I: the first delay. */
  readonly intervalMs: number;
  /** M: how fast the delay grows with the time already spent retrying (1 = constant). */
  readonly multiplier: number;
  /** X: the longest delay. */
  readonly maxIntervalMs: number;
  /** S: give up once a retry would land more than this after next_sched; 0 = never give up. */
  readonly stopAfterMs: number;
}

/**
 * `min(I × ((M − 1) × passed / I + 1), X)`, written as `(M − 1) × passed + I` so that I = 0
 * cannot divide by zero. `passed` (time since next_sched) is taken as at least 0 so a retry
 * never comes sooner than I; the result is whole milliseconds, truncated as Go truncates to ns.
 */
export function retryDelayMs(cfg: RetryConfig, passedMs: number): number {
  const passed = Math.max(0, passedMs);
  const delay = Math.min((cfg.multiplier - 1) * passed + cfg.intervalMs, cfg.maxIntervalMs);
  return Math.max(0, Math.floor(delay));
}

/**
 * When to try again: `now + delay`, or null when retrying should stop (S > 0 and the retry
 * would land more than S after `nextSched`).
 */
export function nextRetry(cfg: RetryConfig, now: number, nextSched: number): number | null {
  const at = now + retryDelayMs(cfg, now - nextSched);
  if (cfg.stopAfterMs > 0 && at - nextSched > cfg.stopAfterMs) return null;
  return at;
}
