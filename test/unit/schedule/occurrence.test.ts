import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseIntervalParam } from '../../../src/schedule/duration.js';
import type { Job } from '../../../src/schedule/job.js';
import {
  disableChange,
  enableChange,
  isOneOff,
  nextOccurrence,
  type SchedulingConfig,
} from '../../../src/schedule/occurrence.js';
import { initialSchedule } from '../../../src/schedule/params.js';
import { formatInstant, storedLocation } from '../../../src/schedule/zone.js';

const LA = 'America/Los_Angeles';
const FIXED: SchedulingConfig = { fixedIntervals: true, randomizationFactor: 0 };
const DEFAULT: SchedulingConfig = { fixedIntervals: false, randomizationFactor: 0 };
const HOUR = 3_600_000;

/** Epoch ms of `2020-Jan-13 14:09`-style wall time in a zone, via luxon. */
function wall(text: string, zone: string): number {
  const dt = DateTime.fromFormat(text, 'yyyy-LLL-dd HH:mm', { zone });
  if (!dt.isValid) throw new Error(`bad test time ${text}`);
  return dt.toMillis();
}

function job(fields: Partial<Job> & Pick<Job, 'interval' | 'nextSched'>): Job {
  return {
    id: 1,
    path: 'what',
    body: 'body',
    location: '',
    nextRun: fields.nextSched,
    instanceId: null,
    claimToken: null,
    lastRun: null,
    lastStatus: null,
    failures: 0,
    ...fields,
  };
}

// Spec §2 recurrence vectors, as Go Dalga's recur_test.go runs them: the job is scheduled with
// first-run = start + 5 s; at each checkpoint it has not run yet and is due at checkpoint + 5 s;
// the clock moves to checkpoint + 6 s, the job runs, and fixed intervals give the next one.
const VECTORS = [
  { name: 'daily', location: LA, start: '2020-Jan-13 14:09', interval: 'P1D', checkpoints: ['2020-Jan-14 14:09', '2020-Jan-15 14:09', '2020-Jan-16 14:09'] },
  { name: 'daily across DST', location: LA, start: '2020-Mar-05 14:09', interval: 'P1D', checkpoints: ['2020-Mar-06 14:09', '2020-Mar-07 14:09', '2020-Mar-08 14:09', '2020-Mar-09 14:09'] },
  { name: 'daily across DST, location UTC', location: 'UTC', start: '2020-Mar-05 14:09', interval: 'P1D', checkpoints: ['2020-Mar-06 14:09', '2020-Mar-07 14:09', '2020-Mar-08 14:09', '2020-Mar-09 14:09'] },
  { name: '24-hourly across DST', location: LA, start: '2020-Mar-05 14:09', interval: 'PT24H', checkpoints: ['2020-Mar-06 14:09', '2020-Mar-07 14:09', '2020-Mar-08 15:09', '2020-Mar-09 15:09'] },
  { name: 'weekly', location: LA, start: '2020-Jan-13 14:09', interval: 'P1W', checkpoints: ['2020-Jan-20 14:09', '2020-Jan-27 14:09', '2020-Feb-03 14:09'] },
  {
    name: 'monthly',
    location: LA,
    start: '2020-Jan-20 14:09',
    interval: 'P1M',
    checkpoints: ['Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
      .map((month) => `2020-${month}-20 14:09`)
      .concat('2021-Jan-20 14:09'),
  },
  { name: 'monthly with roll-over', location: LA, start: '2020-Jul-31 14:09', interval: 'P1M', checkpoints: ['2020-Aug-31 14:09', '2020-Oct-01 14:09', '2020-Nov-01 14:09'] },
  { name: 'yearly across leap year', location: LA, start: '2020-Jan-20 14:09', interval: 'P1Y', checkpoints: ['2021', '2022', '2023', '2024', '2025'].map((year) => `${year}-Jan-20 14:09`) },
];

describe('recurrence vectors (spec §2, fixed intervals)', () => {
  it.each(VECTORS)('$name', ({ location, start, interval, checkpoints }) => {
    const startMs = wall(start, location);
    const first = initialSchedule(
      { oneOff: false, immediate: false, interval: parseIntervalParam(interval), firstRun: startMs + 5000, location: storedLocation(location) },
      startMs,
    );
    let current = job({ interval: first.interval, nextSched: first.nextSched, location: storedLocation(location) });
    expect(current.interval).toBe(interval);

    for (const checkpoint of [start, ...checkpoints]) {
      const at = wall(checkpoint, location);
      // Not before the checkpoint + 5 s, and exactly then.
      expect(formatInstant(current.nextRun ?? Number.NaN, location), checkpoint).toBe(formatInstant(at + 5000, location));
      expect(current.nextRun).toBeGreaterThan(at);
      const now = at + 6000;
      const next = nextOccurrence(current, now, FIXED);
      expect(next).toBeGreaterThan(now);
      current = { ...current, nextRun: next, nextSched: next, lastRun: now };
    }
  });
});

// Fixed intervals when the clock passes over occurrences (a pause, a stopped daemon): the next
// one after `now`, counted in wall-clock time from the last scheduled one, in bounded work.
const PASS_OVER_VECTORS = [
  // 2020-03-08 has no 02:30 in New York: that day's run is at 03:30, the next day's at 02:30 again.
  { name: 'daily 02:30 across spring-forward, run on the gap day', location: 'America/New_York', last: '2020-Mar-07 02:30', interval: 'P1D', now: '2020-Mar-07 02:31', next: '2020-03-08T03:30:00-04:00' },
  { name: 'daily 02:30 across spring-forward, gap day passed over', location: 'America/New_York', last: '2020-Mar-07 02:30', interval: 'P1D', now: '2020-Mar-09 01:00', next: '2020-03-09T02:30:00-04:00' },
  { name: 'daily 02:30 a week after spring-forward', location: 'America/New_York', last: '2020-Mar-07 02:30', interval: 'P1D', now: '2020-Mar-14 12:00', next: '2020-03-15T02:30:00-04:00' },
  { name: 'monthly with roll-over, a month passed over', location: LA, last: '2020-Jul-31 14:09', interval: 'P1M', now: '2020-Sep-15 00:00', next: '2020-10-01T14:09:00-07:00' },
  { name: 'daily since year 1 in Istanbul (local mean time then)', location: 'Europe/Istanbul', last: '0001-Jan-01 01:55', interval: 'P1D', now: '2026-Jun-01 12:00', next: '2026-06-02T01:55:00+03:00' },
];

describe('pass-over vectors (fixed intervals)', () => {
  it.each(PASS_OVER_VECTORS)('$name', ({ location, last, interval, now, next }) => {
    const meter = { steps: 0 };
    const j = job({ interval, nextSched: wall(last, location), location: storedLocation(location) });
    expect(formatInstant(nextOccurrence(j, wall(now, location), FIXED, Math.random, meter), location)).toBe(next);
    expect(meter.steps).toBeLessThan(64);
  });
});

describe('nextOccurrence, fixed intervals', () => {
  it('skips missed runs and keeps the phase', () => {
    const sched = Date.UTC(2020, 0, 1, 0, 0, 0);
    const j = job({ interval: 'PT1H', nextSched: sched });
    expect(nextOccurrence(j, sched + 5 * HOUR + 17, FIXED)).toBe(sched + 6 * HOUR);
    expect(nextOccurrence(j, sched + 10, FIXED)).toBe(sched + HOUR);
  });

  it('a run exactly at next_sched moves to the next interval (never runs twice)', () => {
    const sched = Date.UTC(2020, 0, 1);
    expect(nextOccurrence(job({ interval: 'PT60S', nextSched: sched }), sched, FIXED)).toBe(sched + 60_000);
    expect(nextOccurrence(job({ interval: 'PT60S', nextSched: sched }), sched + 60_000, FIXED)).toBe(sched + 120_000);
  });

  it('jumps a long pause of a short interval in one step', () => {
    const sched = Date.UTC(2000, 0, 1);
    const now = Date.UTC(2020, 0, 1) + 400;
    expect(nextOccurrence(job({ interval: 'PT1S', nextSched: sched }), now, FIXED)).toBe(Date.UTC(2020, 0, 1) + 1000);
  });

  it('steps calendar intervals in the location, with sticky roll-over', () => {
    const j = job({ interval: 'P1M', nextSched: wall('2020-Jul-31 14:09', LA), location: LA });
    const now = wall('2020-Sep-15 00:00', LA);
    expect(formatInstant(nextOccurrence(j, now, FIXED), LA)).toBe('2020-10-01T14:09:00-07:00');
  });

  it('ignores the randomization factor', () => {
    const sched = Date.UTC(2020, 0, 1);
    const j = job({ interval: 'PT1H', nextSched: sched });
    expect(nextOccurrence(j, sched + 1, { fixedIntervals: true, randomizationFactor: 1 }, () => 0)).toBe(sched + HOUR);
  });
});

describe('nextOccurrence, default', () => {
  const now = Date.UTC(2020, 2, 7, 22, 9, 6, 789);

  it('is now + interval, shifted in the location, whatever next_sched was', () => {
    const j = job({ interval: 'P1D', nextSched: 0, location: LA });
    expect(formatInstant(nextOccurrence(j, now, DEFAULT), LA)).toBe('2020-03-08T14:09:06.789-07:00');
    expect(nextOccurrence(job({ interval: 'PT24H', nextSched: 0, location: LA }), now, DEFAULT)).toBe(now + 24 * HOUR);
  });

  it('is randomised uniformly over [d(1−f), d(1+f)]', () => {
    const j = job({ interval: 'PT100S', nextSched: 0 });
    const cfg = { fixedIntervals: false, randomizationFactor: 0.5 };
    expect(nextOccurrence(j, now, cfg, () => 0)).toBe(now + 50_000);
    expect(nextOccurrence(j, now, cfg, () => 0.5)).toBe(now + 100_000);
    expect(nextOccurrence(j, now, cfg, () => 0.999_999_999)).toBe(now + 149_999);
    expect(nextOccurrence(j, now, { fixedIntervals: false, randomizationFactor: 1 }, () => 0)).toBe(now);
  });

  it('stays within bounds for any random value', () => {
    const j = job({ interval: 'PT1H', nextSched: 0 });
    const cfg = { fixedIntervals: false, randomizationFactor: 0.1 };
    for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999_999]) {
      const delay = nextOccurrence(j, now, cfg, () => r) - now;
      expect(delay).toBeGreaterThanOrEqual(0.9 * HOUR);
      expect(delay).toBeLessThanOrEqual(1.1 * HOUR);
      expect(Number.isInteger(delay)).toBe(true);
    }
  });

  it('refuses a one-off job and an unreadable interval', () => {
    expect(() => nextOccurrence(job({ interval: 'P0D', nextSched: 0 }), now, FIXED)).toThrow(/one-off/);
    expect(() => nextOccurrence(job({ interval: 'P-5S', nextSched: 0 }), now, DEFAULT)).toThrow(/invalid ISO 8601/);
  });
});

describe('isOneOff', () => {
  it('is true for the zero interval only', () => {
    expect(isOneOff({ interval: 'P0D' })).toBe(true);
    expect(isOneOff({ interval: 'PT60S' })).toBe(false);
  });

  it("reads Go Dalga's one-off interval '' as the zero interval", () => {
    expect(isOneOff({ interval: '' })).toBe(true);
  });
});

describe('disableChange', () => {
  const sched = Date.UTC(2020, 0, 1);
  const retrying = job({ interval: 'PT5H', nextSched: sched, nextRun: sched + 60_000 });

  it('without fixed intervals, next_sched takes the old next_run (resets back-off)', () => {
    expect(disableChange(retrying, DEFAULT)).toEqual({ nextRun: null, nextSched: sched + 60_000 });
  });

  it('with fixed intervals, next_sched is kept', () => {
    expect(disableChange(retrying, FIXED)).toEqual({ nextRun: null, nextSched: sched });
  });

  it('changes nothing on a disabled job', () => {
    expect(disableChange({ ...retrying, nextRun: null }, DEFAULT)).toBeNull();
    expect(disableChange({ ...retrying, nextRun: null }, FIXED)).toBeNull();
  });
});

describe('enableChange', () => {
  const sched = Date.UTC(2020, 0, 1);
  const disabled = job({ interval: 'PT5H', nextSched: sched, nextRun: null });

  it('without fixed intervals, next_run = next_sched, even in the past', () => {
    expect(enableChange(disabled, sched + 10 * HOUR, DEFAULT)).toEqual({ nextRun: sched, nextSched: sched });
  });

  it('with fixed intervals, next_sched advances past now by whole intervals', () => {
    expect(enableChange(disabled, sched + 7 * HOUR, FIXED)).toEqual({ nextRun: sched + 10 * HOUR, nextSched: sched + 10 * HOUR });
    expect(enableChange(disabled, sched - HOUR, FIXED)).toEqual({ nextRun: sched, nextSched: sched });
    // An occurrence due exactly now was not missed: it runs now.
    expect(enableChange(disabled, sched + 5 * HOUR, FIXED)).toEqual({ nextRun: sched + 5 * HOUR, nextSched: sched + 5 * HOUR });
  });

  it('a disabled one-off job keeps its time (and does not loop on a zero interval)', () => {
    const oneOff = job({ interval: 'P0D', nextSched: sched, nextRun: null });
    expect(enableChange(oneOff, sched + HOUR, FIXED)).toEqual({ nextRun: sched, nextSched: sched });
  });

  it('changes nothing on an enabled job', () => {
    expect(enableChange({ ...disabled, nextRun: sched }, sched + HOUR, FIXED)).toBeNull();
    expect(enableChange({ ...disabled, nextRun: sched }, sched + HOUR, DEFAULT)).toBeNull();
  });
});
