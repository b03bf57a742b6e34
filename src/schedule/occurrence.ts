// Next occurrence of a periodic job, and what enabling or disabling a job changes (spec §5).
import {
  DurationError,
  hasDatePart,
  isZeroDuration,
  isZeroInterval,
  parseIsoDuration,
  readStoredInterval,
  timePartMs,
  type Duration,
} from './duration.js';
import type { Job } from './job.js';
import { isCronJob, occurrenceAfter } from './misfire.js';
import { keepsPhase, nominalWallTime, phaseOf } from './phase.js';
import { formatInstant, instantOfWallTime, shiftByDuration, shiftWallDate, wallTimeOf, type WallTime } from './zone.js';

export interface SchedulingConfig {
  /** Keep the phase: advance next_sched by whole intervals instead of counting from the run. */
  readonly fixedIntervals: boolean;
  /** f in [0, 1]: spread each delay uniformly over [d·(1−f), d·(1+f)]. */
  readonly randomizationFactor: number;
}

/**
 * A job whose interval is the zero duration runs once (a cron job never); Go Dalga's '' is that
 * too. Throws DurationError for a bad interval.
 */
export function isOneOff(job: Pick<Job, 'interval' | 'cron'>): boolean {
  if (isCronJob(job)) return false;
  return isZeroInterval(readStoredInterval(job.interval));
}

function periodicInterval(job: Job): Duration {
  const interval = parseIsoDuration(job.interval);
  if (isZeroDuration(interval)) {
    throw new DurationError(`one-off job ${JSON.stringify(job.path)} has no next occurrence`);
  }
  return interval;
}

/** Counts the steps `advance` takes (tests prove the work per job is bounded). */
export interface StepMeter {
  steps: number;
}

/** More intervals behind than this: a calendar interval jumps even where stepping is exact. */
const STEP_AT_MOST = 1000;

function scaled(d: Duration, k: number): Duration {
  return {
    years: d.years * k,
    months: d.months * k,
    weeks: d.weeks * k,
    days: d.days * k,
    hours: d.hours * k,
    minutes: d.minutes * k,
    seconds: d.seconds * k,
  };
}

/** An upper bound of one interval's length (31-day months, 366-day years, a DST hour). */
function longestMs(d: Duration): number {
  const days = d.years * 366 + d.months * 31 + d.weeks * 7 + d.days;
  return days * 86_400_000 + 3_600_000 + timePartMs(d);
}

/**
 * Whether `from + k·interval` (one shift by k intervals) can differ from k shifts by one
 * interval: years or months added to day 29–31 roll over into the next month, and Go Dalga's
 * roll-over is sticky (Jul 31 → Aug 31 → Oct 1 → Nov 1), as is a month plus days.
 */
function rollOverMatters(dayOfMonth: number, d: Duration): boolean {
  if (d.years === 0 && d.months === 0) return false;
  if (d.weeks !== 0 || d.days !== 0) return true;
  return dayOfMonth > 28;
}

function dayOfMonth(ms: number, location: string): number {
  return Number(formatInstant(ms, location).slice(8, 10));
}

/**
 * The first of `from`, from + interval, from + 2·interval, … that is after `now` (or, with
 * `keepNow`, not before it). A pure time interval jumps there in one step, so a PT1S job paused
 * for a year costs nothing. A calendar interval counts occurrences from `from` in wall-clock time
 * (the k-th is `from` shifted by k intervals; without a time part, on the wall clock even when
 * stepping), so a time that fell into a DST gap on one day is back at its wall time the next day
 * (the phase is kept), and it jumps over whole intervals with
 * a bound of their length, then steps: a P1D job from year 1 takes a few dozen shifts, not
 * 740,000. Where month roll-over makes a single shift differ from repeated ones, it steps one by
 * one as Go Dalga does (sticky roll-over), unless it is more than 1000 intervals behind.
 */
function advance(
  from: number,
  interval: Duration,
  location: string,
  now: number,
  keepNow: boolean,
  meter?: StepMeter,
  /** The wall-clock time `from` stands for, when a DST gap moved it (nominalWallTime). */
  fromWall?: WallTime,
): number {
  // After a run the occurrence due exactly now is spent; on enable it is kept.
  const past = (t: number): boolean => (keepNow ? t < now : t <= now);
  if (!past(from)) return from;
  if (!hasDatePart(interval)) {
    const step = timePartMs(interval);
    let t = from + Math.floor((now - from) / step) * step;
    while (past(t)) t += step;
    return t;
  }
  let anchor = from;
  // Without a time part an occurrence is a wall-clock time: counted on the wall clock, one that a
  // DST gap moved (02:30 → 03:30) does not move those after it, stepping included.
  let anchorWall = timePartMs(interval) === 0 ? (fromWall ?? wallTimeOf(from, location)) : null;
  const shifted = (k: number): number =>
    anchorWall === null
      ? shiftByDuration(anchor, scaled(interval, k), location)
      : instantOfWallTime(shiftWallDate(anchorWall, scaled(interval, k)), location);
  let k = 0;
  let t = from;
  while (past(t)) {
    if (meter) meter.steps++;
    const behind = Math.floor((now - t) / longestMs(interval));
    const day = anchorWall === null ? dayOfMonth(anchor, location) : anchorWall.day;
    if (behind <= STEP_AT_MOST && rollOverMatters(day, interval)) {
      // One interval from the last occurrence, as Go Dalga steps.
      if (anchorWall === null) {
        t = shiftByDuration(t, interval, location);
      } else {
        anchorWall = shiftWallDate(shiftWallDate(anchorWall, scaled(interval, k)), interval);
        t = instantOfWallTime(anchorWall, location);
      }
      anchor = t;
      k = 0;
      continue;
    }
    const jump = Math.max(1, behind);
    const next = shifted(k + jump);
    if (jump > 1 && !past(next)) {
      // Overshot: the zone's offset changed by more than the bound allows (a skipped day).
      k += 1;
      t = shifted(k);
      continue;
    }
    k += jump;
    t = next;
  }
  return t;
}

/**
 * Fixed intervals: next_sched when it is still ahead, else the first occurrence after `now` (or
 * at it, with `keepNow`). `reanchor` is set when it advanced from a next_sched off the anchor's
 * time of day (or without an anchor), for an interval with a phase to keep: the new next_sched
 * is the job's new anchor.
 */
function advanceFixed(job: Job, interval: Duration, now: number, keepNow: boolean, meter?: StepMeter): { at: number; reanchor: boolean } {
  const ahead = keepNow ? job.nextSched >= now : job.nextSched > now;
  if (ahead) return { at: job.nextSched, reanchor: false };
  const { wall, inPhase } = nominalWallTime(job.nextSched, phaseOf(job, interval), job.location);
  const at = advance(job.nextSched, interval, job.location, now, keepNow, meter, wall);
  return { at, reanchor: !inPhase && keepsPhase(interval, job.location) };
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
 * `now` (missed runs are skipped, the phase is kept: src/schedule/phase.ts). A cron job: its first occurrence after
 * `now`, neither randomised nor depending on fixed intervals.
 */
export function nextOccurrence(
  job: Job,
  now: number,
  cfg: SchedulingConfig,
  random: () => number = Math.random,
  meter?: StepMeter,
): number {
  if (isCronJob(job)) return occurrenceAfter(job, now);
  const interval = periodicInterval(job);
  if (cfg.fixedIntervals) return advanceFixed(job, interval, now, false, meter).at;
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
 * A one-off job keeps its next_sched. null = already enabled. `schedAnchor` is present when the
 * job re-anchors: fixed intervals advanced it from a next_sched off its anchor's occurrences (or
 * without an anchor), so its phase from now on is the new next_sched's (see src/schedule/phase.ts).
 */
export function enableChange(
  job: Job,
  now: number,
  cfg: SchedulingConfig,
  meter?: StepMeter,
): { nextRun: number; nextSched: number; schedAnchor?: number } | null {
  if (job.nextRun !== null) return null;
  if (isCronJob(job)) {
    // Like an interval job: kept, or with fixed intervals moved to the first occurrence not before now.
    const keepCron = !cfg.fixedIntervals || job.nextSched >= now;
    const next = keepCron ? job.nextSched : occurrenceAfter(job, now - 1);
    return { nextRun: next, nextSched: next };
  }
  const interval = parseIsoDuration(job.interval);
  if (!cfg.fixedIntervals || isZeroDuration(interval)) return { nextRun: job.nextSched, nextSched: job.nextSched };
  const { at, reanchor } = advanceFixed(job, interval, now, true, meter);
  return reanchor ? { nextRun: at, nextSched: at, schedAnchor: at } : { nextRun: at, nextSched: at };
}
