// Missed runs (README "Missed runs"): what a claimed job does with the occurrences that passed
// while no instance ran it, and the next occurrence of a cron or interval job. Pure.
import { parseCron } from './cron.js';
import { DurationError, hasDatePart, isZeroDuration, isZeroInterval, parseIsoDuration, timePartMs } from './duration.js';
import { InstantRangeError } from './instant-range.js';
import type { Job, Misfire, Outcome } from './job.js';
import { phaseOf, shiftInPhase } from './phase.js';

export const DEFAULT_CATCHUP = 'PT1H';

/**
 * An occurrence claimed more than this after its time was missed (nobody ran it on time), not
 * merely picked up a little late: `skip` drops it and `all` starts catching up.
 */
export const MISFIRE_GRACE_MS = 1000;

/** How many skipped occurrences `all` counts one by one before it stops counting. */
const MAX_COUNTED = 100_000;

const DAY_MS = 86_400_000;

/** The catch-up window of `catchup=` in ms: weeks, days (24 h), hours, minutes, seconds; > 0. */
export function parseCatchup(text: string): number {
  const d = parseIsoDuration(text);
  if (d.years !== 0 || d.months !== 0) throw new DurationError(`catchup takes weeks, days, hours, minutes and seconds, not years or months: ${JSON.stringify(text)}`);
  if (isZeroDuration(d)) throw new DurationError(`catchup must be longer than zero: ${JSON.stringify(text)}`);
  return (d.weeks * 7 + d.days) * DAY_MS + timePartMs(d);
}

export function isCronJob(job: Pick<Job, 'cron'>): job is Pick<Job, 'cron'> & { cron: string } {
  return typeof job.cron === 'string' && job.cron !== '';
}

export function misfireOf(job: Pick<Job, 'misfire'>): Misfire {
  return job.misfire ?? 'once';
}

function catchupMsOf(job: Pick<Job, 'catchup'>): number {
  try {
    return parseCatchup(job.catchup ?? DEFAULT_CATCHUP);
  } catch {
    return parseCatchup(DEFAULT_CATCHUP);
  }
}

/**
 * The occurrence of a periodic job after `t` (strictly): the cron expression's next match, or
 * `t` shifted by the interval in the job's location (from the wall time `t` stands for, when a
 * DST gap moved it off the job's phase: src/schedule/phase.ts). Throws InstantRangeError past 9999.
 */
export function occurrenceAfter(job: Pick<Job, 'cron' | 'interval' | 'location' | 'schedAnchor'>, t: number): number {
  if (isCronJob(job)) {
    const next = parseCron(job.cron, job.location).next(t);
    if (next === null) throw new InstantRangeError('the cron expression has no occurrence before 9999-12-31');
    return next;
  }
  const interval = parseIsoDuration(job.interval);
  return shiftInPhase(t, interval, job.location, phaseOf(job, interval));
}

/** The first occurrence at or after `from`, counting those skipped from `start` (exclusive of it). */
function firstFrom(job: Job, start: number, from: number): { at: number; skipped: number } {
  if (isCronJob(job)) {
    const schedule = parseCron(job.cron, job.location);
    let skipped = 1;
    for (let t = schedule.next(start); t !== null && t < from && skipped < MAX_COUNTED; t = schedule.next(t)) skipped += 1;
    const at = schedule.nextFrom(from);
    if (at === null) throw new InstantRangeError('the cron expression has no occurrence before 9999-12-31');
    return { at, skipped };
  }
  const interval = parseIsoDuration(job.interval);
  if (!hasDatePart(interval)) {
    const step = timePartMs(interval);
    const steps = Math.ceil((from - start) / step);
    return { at: start + steps * step, skipped: steps };
  }
  const phase = phaseOf(job, interval);
  let at = start;
  let skipped = 0;
  while (at < from) {
    at = shiftInPhase(at, interval, job.location, phase);
    skipped += 1;
  }
  return { at, skipped };
}

/** What to do with a job just claimed: deliver it (perhaps a later missed occurrence), or skip to a later one. */
export type ClaimPlan =
  | { readonly kind: 'deliver'; readonly job: Job; readonly skipped: number }
  | { readonly kind: 'skip'; readonly outcome: Outcome; readonly skipped: number };

function isRetry(job: Job): boolean {
  return job.nextRun !== null && job.nextRun !== job.nextSched;
}

/**
 * Applies the job's misfire policy to a claimed occurrence. A run-now request, a one-off job,
 * a retry, and an occurrence claimed within MISFIRE_GRACE_MS of its time are delivered as they
 * are. Otherwise the occurrence was missed: `once` delivers it; `skip` moves the job to its first
 * occurrence after now without delivering; `all` delivers it, or — when it is older than the
 * catch-up window — the oldest occurrence inside the window, counting the older ones as skipped.
 */
export function planClaimed(job: Job, now: number, instanceId: number): ClaimPlan {
  const deliver: ClaimPlan = { kind: 'deliver', job, skipped: 0 };
  // Cheapest first: this runs for every claimed job, and most are misfire=once.
  const misfire = misfireOf(job);
  if (misfire === 'once' || (job.runNow !== undefined && job.runNow !== null)) return deliver;
  if (now - job.nextSched <= MISFIRE_GRACE_MS || isRetry(job) || isOneOffJob(job)) return deliver;
  if (misfire === 'skip') {
    const { at, skipped } = firstFrom(job, job.nextSched, now + 1);
    return { kind: 'skip', outcome: skipOutcome(job, at, instanceId, `skipped ${skipped} missed (misfire=skip)`), skipped };
  }
  const windowStart = now - catchupMsOf(job);
  if (job.nextSched >= windowStart) return deliver;
  const { at, skipped } = firstFrom(job, job.nextSched, windowStart);
  if (at > now) {
    return { kind: 'skip', outcome: skipOutcome(job, at, instanceId, `skipped ${skipped} missed older than catchup ${job.catchup ?? DEFAULT_CATCHUP}`), skipped };
  }
  return { kind: 'deliver', job: { ...job, nextRun: at, nextSched: at }, skipped };
}

function skipOutcome(job: Job, at: number, instanceId: number, status: string): Outcome {
  return {
    kind: 'update',
    id: job.id,
    key: { path: job.path, body: job.body },
    instanceId,
    claimToken: job.claimToken,
    nextRun: at,
    nextSched: at,
    lastRun: job.lastRun,
    lastStatus: status,
    failures: job.failures,
  };
}

function isOneOffJob(job: Job): boolean {
  if (isCronJob(job)) return false;
  try {
    return isZeroInterval(job.interval);
  } catch {
    return false;
  }
}

/**
 * With `misfire=all`, the occurrence after the one just delivered when it is already due (a
 * further missed one, delivered next, oldest first); null when the job has caught up.
 */
export function nextMissed(job: Job, now: number): number | null {
  if (misfireOf(job) !== 'all') return null;
  const next = occurrenceAfter(job, job.nextSched);
  return next <= now ? next : null;
}

/**
 * The `interval` column of a cron job. dalga schedules by the expression and never reads it; it
 * is there for Go Dalga, which reads every row: a valid, non-zero duration (a Go client decodes a
 * periodic job), so long that a Go instance that runs a due cron row parks it 1000 years ahead
 * instead of running it again at a wrong time. dalga instances put such a row back on its
 * expression (parkedCronRepair).
 */
export const CRON_INTERVAL = 'P1000Y';

/** A cron row whose next_sched lies this far ahead was rescheduled by a Go instance. */
export const PARKED_AFTER_MS = 500 * 365 * 86_400_000;

/**
 * The schedule of a cron job that a Go instance parked (next_sched 1000 years ahead after
 * running it): its first occurrence after `now`; a disabled job stays disabled. null: not parked.
 */
export function parkedCronRepair(job: Job, now: number): { nextRun: number | null; nextSched: number } | null {
  if (!isCronJob(job) || job.instanceId !== null || job.nextSched <= now + PARKED_AFTER_MS) return null;
  const next = occurrenceAfter(job, now);
  return { nextRun: job.nextRun === null ? null : next, nextSched: next };
}
