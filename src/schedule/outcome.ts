// What to do with a job after one delivery attempt (spec §4).
import type { Job, Outcome } from './job.js';
import { nextMissed } from './misfire.js';
import { isOneOff, nextOccurrence, type SchedulingConfig } from './occurrence.js';
import { checkInstant } from './instant-range.js';
import { nextRetry, type RetryConfig } from './retry.js';

/** An HTTP status from the endpoint, or why there was none (`timeout`, `connection refused`, …). */
export type DeliveryResult = { readonly status: number } | { readonly error: string };

export interface OutcomeConfig {
  readonly scheduling: SchedulingConfig;
  readonly retry: RetryConfig;
}

function statusText(result: DeliveryResult): string {
  return 'status' in result ? String(result.status) : result.error;
}

function statusOf(result: DeliveryResult): number | undefined {
  return 'status' in result ? result.status : undefined;
}

/**
 * 200: a one-off job is deleted, a periodic one gets its next occurrence (failures back to 0).
 * 204 ("job is invalid"): deleted. Anything else (other 2xx included), a timeout or a connection
 * error: retried at nextRetry, next_sched unchanged, failures + 1. When retries are exhausted a
 * periodic job gives this occurrence up and moves to its next regular one, and a one-off job is
 * disabled (next_run null) and kept for someone to look at; failures keeps counting in both, as
 * no attempt succeeded. Throws DurationError if the job's interval cannot be read, and
 * InstantRangeError when the next run falls outside the representable range (year 9999): no
 * store can hold it, and the caller disables the job with that reason.
 */
export function decideOutcome(
  job: Job,
  result: DeliveryResult,
  now: number,
  instanceId: number,
  cfg: OutcomeConfig,
  random: () => number = Math.random,
): Outcome {
  const claim = { id: job.id, key: { path: job.path, body: job.body }, instanceId, claimToken: job.claimToken };
  const status = statusOf(result);
  const oneOff = isOneOff(job);
  if (status === 204 || (status === 200 && oneOff)) return { kind: 'delete', ...claim };
  const attempt = { lastRun: now, lastStatus: statusText(result) };
  if (isManualRun(job)) {
    // A run now leaves the schedule as it is, succeeded or not; it is never retried.
    return { kind: 'update', ...claim, ...attempt, nextRun: job.nextRun, nextSched: job.nextSched, failures: status === 200 ? 0 : job.failures };
  }
  if (status === 200) {
    // misfire=all: a further missed occurrence is next (oldest first), until caught up.
    const next = checkInstant(nextMissed(job, now) ?? nextOccurrence(job, now, cfg.scheduling, random), 'next run');
    return { kind: 'update', ...claim, ...attempt, nextRun: next, nextSched: next, failures: 0 };
  }
  const failures = job.failures + 1;
  const retryAt = nextRetry(cfg.retry, now, job.nextSched);
  if (retryAt !== null) {
    checkInstant(retryAt, 'next retry');
    return { kind: 'update', ...claim, ...attempt, nextRun: retryAt, nextSched: job.nextSched, failures };
  }
  if (oneOff) {
    return { kind: 'update', ...claim, ...attempt, nextRun: null, nextSched: job.nextSched, failures };
  }
  const next = checkInstant(nextOccurrence(job, now, cfg.scheduling, random), 'next run');
  return { kind: 'update', ...claim, ...attempt, nextRun: next, nextSched: next, failures };
}

function isManualRun(job: Job): boolean {
  return job.runNow !== undefined && job.runNow !== null;
}
