// Next occurrence of a periodic job, and what enabling or disabling a job changes (spec §5).
import {
  DurationError,
  hasDatePart,
  isZeroDuration,
  parseIsoDuration,
  timePartMs,
  type Duration,
} from './duration.js';
import type { Job } from './job.js';
import { shiftByDuration } from './zone.js';

export interface SchedulingConfig {
  /** Keep the phase: advance next_sched by whole intervals instead of counting from the run. */
  readonly fixedIntervals: boolean;
  /** f in [0, 1]: spread each delay uniformly over [d·(1−f), d·(1+f)]. */
  readonly randomizationFactor: number;
}

/** A job whose interval is the zero duration runs once. Throws DurationError for a bad interval. */
export function isOneOff(job: Pick<Job, 'interval'>): boolean {
  return isZeroDuration(parseIsoDuration(job.interval));
}

function periodicInterval(job: Job): Duration {
  const interval = parseIsoDuration(job.interval);
  if (isZeroDuration(interval)) {
    throw new DurationError(`one-off job ${JSON.stringify(job.path)} has no next occurrence`);
  }
  return interval;
}

/**
 * The first of `from`, from + interval, from + 2·interval, … that is after `now` (or, with
 * `keepNow`, not before it). A pure time interval jumps there in one step, so a PT1S job paused
 * for a year costs nothing; a calendar interval is stepped one by one as Go Dalga does, which
 * keeps month roll-over sticky (Jul 31 → Aug 31 → Oct 1 → Nov 1).
 */
function advance(from: number, interval: Duration, location: string, now: number, keepNow: boolean): number {
  // After a run the occurrence due exactly now is spent; on enable it is kept.
  const past = (t: number): boolean => (keepNow ? t < now : t <= now);
  if (!hasDatePart(interval)) {
    const step = timePartMs(interval);
    if (!past(from)) return from;
    let t = from + Math.floor((now - from) / step) * step;
    while (past(t)) t += step;
    return t;
  }
  let t = from;
  while (past(t)) t = shiftByDuration(t, interval, location);
  return t;
}

function randomize(delay: number, factor: number, random: () => number): number {
  if (factor <= 0 || delay <= 0) return delay;
  const low = Math.ceil(delay * (1 - factor));
  const high = Math.floor(delay * (1 + factor));
  const value = Math.floor(delay * (1 - factor) + 2 * factor * delay * random());
  return Math.min(high, Math.max(low, value));
}

/**
 * next_sched after a successful run at `now`. Default: `now + interval` in the job's location,
 * then randomised. Fixed intervals: next_sched advances by whole intervals until it is after
 * `now` (missed runs are skipped, the phase is kept).
 */
export function nextOccurrence(
  job: Job,
  now: number,
  cfg: SchedulingConfig,
  random: () => number = Math.random,
): number {
  const interval = periodicInterval(job);
  if (cfg.fixedIntervals) return advance(job.nextSched, interval, job.location, now, false);
  const next = shiftByDuration(now, interval, job.location);
  return now + randomize(next - now, cfg.randomizationFactor, random);
}

/** Disabling: next_run NULL; without fixed intervals next_sched takes the old next_run. null = already disabled. */
export function disableChange(
  job: Job,
  cfg: SchedulingConfig,
): { nextRun: null; nextSched: number } | null {
  if (job.nextRun === null) return null;
  return { nextRun: null, nextSched: cfg.fixedIntervals ? job.nextSched : job.nextRun };
}

/**
 * Enabling: next_run = next_sched; with fixed intervals next_sched first advances by whole
 * intervals while it is before `now` (an occurrence due exactly now is kept, as in Go Dalga).
 * A one-off job keeps its next_sched. null = already enabled.
 */
export function enableChange(
  job: Job,
  now: number,
  cfg: SchedulingConfig,
): { nextRun: number; nextSched: number } | null {
  if (job.nextRun !== null) return null;
  const interval = parseIsoDuration(job.interval);
  const keep = !cfg.fixedIntervals || isZeroDuration(interval);
  const nextSched = keep ? job.nextSched : advance(job.nextSched, interval, job.location, now, true);
  return { nextRun: nextSched, nextSched };
}
