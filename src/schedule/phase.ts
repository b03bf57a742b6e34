// The phase of an interval of whole days, weeks, months or years: the wall time of the job's
// anchor (its first scheduled run, set by PUT). Every occurrence is at that wall time; one that a
// DST gap moved (02:30 -> 03:30 on the spring-forward day) stands for it, so the occurrences after
// it are back at 02:30. Pure.
import { hasDatePart, timePartMs, type Duration } from './duration.js';
import type { Job } from './job.js';
import { instantOfWallTime, shiftByDuration, shiftWallDate, wallTimeOf, type WallTime } from './zone.js';

/** Whether the interval has a wall-clock phase to keep: whole days, weeks, months or years, in a zone with DST. */
export function keepsPhase(interval: Duration, location: string): boolean {
  if (!hasDatePart(interval) || timePartMs(interval) !== 0) return false;
  return location !== '' && location !== 'UTC';
}

/** The anchor's wall time when the job has a phase to keep; undefined otherwise (no anchor: a Go Dalga row). */
export function phaseOf(job: Pick<Job, 'schedAnchor' | 'location'>, interval: Duration): WallTime | undefined {
  const anchor = job.schedAnchor;
  if (anchor === undefined || anchor === null || !keepsPhase(interval, job.location)) return undefined;
  return wallTimeOf(anchor, job.location);
}

/**
 * The wall time occurrence `t` stands for. `inPhase`: `t` shows the phase's time of day (wall is
 * then undefined: `t` reads as it is), or a DST gap moved it off that time, on its date or past
 * midnight (wall is the time it stands for). Not in phase: off the phase for another reason (set
 * by Go Dalga, or while fixed intervals were off), or no phase; `t` reads as it is.
 */
export function nominalWallTime(t: number, phase: WallTime | undefined, location: string): { wall: WallTime | undefined; inPhase: boolean } {
  if (phase === undefined) return { wall: undefined, inPhase: false };
  const shown = wallTimeOf(t, location);
  if (sameTimeOfDay(phase, shown)) return { wall: undefined, inPhase: true };
  // A gap moves a time forward by less than a day: on its own date, or past midnight.
  for (const daysBack of [0, 1]) {
    const date = shiftWallDate(shown, { years: 0, months: 0, weeks: 0, days: -daysBack, hours: 0, minutes: 0, seconds: 0 });
    const wall: WallTime = { ...date, hour: phase.hour, minute: phase.minute, second: phase.second, millisecond: phase.millisecond };
    if (instantOfWallTime(wall, location) === t) return { wall, inPhase: true };
  }
  return { wall: undefined, inPhase: false };
}

/** The occurrence one interval after occurrence `t`, counted from the wall time `t` stands for. */
export function shiftInPhase(t: number, interval: Duration, location: string, phase: WallTime | undefined): number {
  const { wall } = nominalWallTime(t, phase, location);
  if (wall === undefined) return shiftByDuration(t, interval, location);
  return instantOfWallTime(shiftWallDate(wall, interval), location);
}

function sameTimeOfDay(a: WallTime, b: WallTime): boolean {
  return a.hour === b.hour && a.minute === b.minute && a.second === b.second && a.millisecond === b.millisecond;
}
