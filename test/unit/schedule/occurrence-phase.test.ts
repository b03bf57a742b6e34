import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../../src/schedule/job.js';
import { nextMissed, planClaimed } from '../../../src/schedule/misfire.js';
import { enableChange, nextOccurrence, type SchedulingConfig, type StepMeter } from '../../../src/schedule/occurrence.js';
import { formatInstant } from '../../../src/schedule/zone.js';

// Fixed intervals keep their phase across a DST gap even for a job that RAN in the gap: a daily
// 02:30 New York job runs at 03:30 on the spring-forward day (02:30 does not exist) and is back
// at 02:30 the day after. next_sched alone (07:30Z) cannot tell it from a genuine 03:30 job; the
// job's anchor (its first scheduled occurrence, stored by PUT) can.

const FIXED: SchedulingConfig = { fixedIntervals: true, randomizationFactor: 0 };
const NY = 'America/New_York';
const LORD_HOWE = 'Australia/Lord_Howe';

function local(text: string, zone: string): number {
  const dt = DateTime.fromISO(text, { zone });
  if (!dt.isValid) throw new Error(`bad test time ${text}`);
  return dt.toMillis();
}

function job(interval: string, location: string, anchor: number | null): Job {
  return {
    id: 1, path: 'p', body: 'b', interval, location, nextRun: anchor ?? 0, nextSched: anchor ?? 0,
    schedAnchor: anchor, instanceId: 1, lastRun: null, lastStatus: null, failures: 0, claimToken: 1,
  };
}

/** Runs the job at each of its occurrences (5 s late, as a delivery is) and answers their wall times. */
function runs(start: Job, count: number): string[] {
  let j = start;
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const next = nextOccurrence(j, j.nextSched + 5000, FIXED);
    seen.push(formatInstant(next, j.location));
    j = { ...j, nextRun: next, nextSched: next };
  }
  return seen;
}

describe('fixed intervals: the phase is kept by a job that ran in a DST gap', () => {
  const vectors = [
    {
      name: 'New York daily 02:30',
      interval: 'P1D', zone: NY, first: '2026-03-07T02:30',
      want: ['2026-03-08T03:30:00-04:00', '2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00', '2026-03-11T02:30:00-04:00'],
    },
    {
      name: 'New York weekly Sunday 02:30',
      interval: 'P1W', zone: NY, first: '2026-03-01T02:30',
      want: ['2026-03-08T03:30:00-04:00', '2026-03-15T02:30:00-04:00', '2026-03-22T02:30:00-04:00'],
    },
    {
      name: 'New York monthly on the 8th 02:30',
      interval: 'P1M', zone: NY, first: '2026-02-08T02:30',
      want: ['2026-03-08T03:30:00-04:00', '2026-04-08T02:30:00-04:00', '2026-05-08T02:30:00-04:00'],
    },
    {
      // Day 31: months roll over one step at a time (Go's sticky roll-over); Berlin's gap is on
      // 2024-03-31, the last Sunday of March.
      name: 'Berlin quarterly on the 31st 02:30',
      interval: 'P3M', zone: 'Europe/Berlin', first: '2023-12-31T02:30',
      want: ['2024-03-31T03:30:00+02:00', '2024-07-01T02:30:00+02:00', '2024-10-01T02:30:00+02:00'],
    },
    {
      // Nuuk's gap (23:00 → 00:00) reaches midnight: the gap day's 23:30 runs at 00:30 the next day.
      name: 'Nuuk daily 23:30',
      interval: 'P1D', zone: 'America/Nuuk', first: '2026-03-27T23:30',
      want: ['2026-03-29T00:30:00-01:00', '2026-03-29T23:30:00-01:00', '2026-03-30T23:30:00-01:00'],
    },
    {
      // Lord Howe springs forward by 30 minutes (02:00 → 02:30) on 2026-10-04.
      name: 'Lord Howe daily 02:15',
      interval: 'P1D', zone: LORD_HOWE, first: '2026-10-03T02:15',
      want: ['2026-10-04T02:45:00+11:00', '2026-10-05T02:15:00+11:00', '2026-10-06T02:15:00+11:00'],
    },
  ];
  for (const v of vectors) {
    it(`${v.name} (${v.interval})`, () => {
      expect(runs(job(v.interval, v.zone, local(v.first, v.zone)), v.want.length)).toEqual(v.want);
    });
  }

  it('missing the gap day keeps the phase as well', () => {
    const j = { ...job('P1D', NY, local('2026-03-07T02:30', NY)) };
    const next = nextOccurrence(j, local('2026-03-09T01:00', NY), FIXED);
    expect(formatInstant(next, NY)).toBe('2026-03-09T02:30:00-04:00');
  });

  it('enabling after the gap day counts from the anchor', () => {
    const anchor = local('2026-03-07T02:30', NY);
    const ranInGap = { ...job('P1D', NY, anchor), nextRun: null, nextSched: local('2026-03-08T03:30', NY) };
    const change = enableChange(ranInGap, local('2026-03-08T12:00', NY), FIXED);
    expect(formatInstant(change!.nextSched, NY)).toBe('2026-03-09T02:30:00-04:00');
    // Still ahead: kept as it is.
    expect(enableChange(ranInGap, local('2026-03-08T03:00', NY), FIXED)!.nextSched).toBe(ranInGap.nextSched);
  });

  it('without an anchor (a Go Dalga row, or one from before the column) it steps from next_sched', () => {
    const j = { ...job('P1D', NY, null), nextSched: local('2026-03-08T03:30', NY) };
    expect(formatInstant(nextOccurrence(j, j.nextSched + 5000, FIXED), NY)).toBe('2026-03-09T03:30:00-04:00');
  });

  it("a next_sched off the anchor's time of day is counted from as it shows, not snapped to the anchor", () => {
    // Set by a Go Dalga instance or while fixed intervals were off: its own phase (04:10) is kept.
    const j = { ...job('P1D', NY, local('2026-03-01T02:30', NY)), nextSched: local('2026-03-08T04:10', NY) };
    expect(formatInstant(nextOccurrence(j, j.nextSched + 5000, FIXED), NY)).toBe('2026-03-09T04:10:00-04:00');
  });

  it('a time part is elapsed time: P1DT1H is counted from next_sched as before', () => {
    const j = { ...job('P1DT1H', NY, local('2026-03-06T01:30', NY)), nextSched: local('2026-03-09T04:30', NY) };
    expect(formatInstant(nextOccurrence(j, j.nextSched + 5000, FIXED), NY)).toBe('2026-03-10T05:30:00-04:00');
  });

  it("enabling re-anchors a job whose next_sched is off its anchor's time of day (or that has none); the new phase is then kept", () => {
    // E.g. a row Go Dalga wrote (no anchor), its phase 02:30: enabled before the gap week.
    const goRow = { ...job('P1D', NY, null), nextRun: null, nextSched: local('2026-03-01T02:30', NY) };
    const change = enableChange(goRow, local('2026-03-05T12:00', NY), FIXED);
    expect(change).toEqual({ nextRun: local('2026-03-06T02:30', NY), nextSched: local('2026-03-06T02:30', NY), schedAnchor: local('2026-03-06T02:30', NY) });
    const enabled: Job = { ...goRow, ...change! };
    expect(runs(enabled, 4)).toEqual(['2026-03-07T02:30:00-05:00', '2026-03-08T03:30:00-04:00', '2026-03-09T02:30:00-04:00', '2026-03-10T02:30:00-04:00']);
  });

  it('enabling does not re-anchor a job on its anchor, in UTC, with a time part, or still ahead', () => {
    const now = local('2026-03-05T12:00', NY);
    const onAnchor = { ...job('P1D', NY, local('2026-03-01T02:30', NY)), nextRun: null };
    expect(enableChange(onAnchor, now, FIXED)).not.toHaveProperty('schedAnchor');
    const utc = { ...job('P1D', '', null), nextRun: null, nextSched: Date.parse('2026-03-01T02:30:00Z') };
    expect(enableChange(utc, now, FIXED)).not.toHaveProperty('schedAnchor');
    const timePart = { ...job('PT24H', NY, null), nextRun: null, nextSched: local('2026-03-01T02:30', NY) };
    expect(enableChange(timePart, now, FIXED)).not.toHaveProperty('schedAnchor');
    const ahead = { ...job('P1D', NY, null), nextRun: null, nextSched: local('2026-03-06T02:30', NY) };
    expect(enableChange(ahead, now, FIXED)).toEqual({ nextRun: ahead.nextSched, nextSched: ahead.nextSched });
    expect(enableChange({ ...ahead, nextSched: local('2026-03-01T02:30', NY) }, now, { fixedIntervals: false, randomizationFactor: 0 })).not.toHaveProperty('schedAnchor');
  });

  it('an anchor in year 1 costs a bounded number of shifts', () => {
    const anchor = Date.parse('0001-01-01T07:30:00Z');
    const nextSched = nextOccurrence(job('P1D', NY, anchor), local('2026-03-08T01:00', NY), FIXED);
    const meter: StepMeter = { steps: 0 };
    const j = { ...job('P1D', NY, anchor), nextSched };
    const next = nextOccurrence(j, nextSched + 5000, FIXED, Math.random, meter);
    expect(next).toBeGreaterThan(nextSched);
    expect(meter.steps).toBeGreaterThan(0);
    expect(meter.steps).toBeLessThan(128);
  });

  it('missed runs through the gap day keep the phase too: misfire=skip and misfire=all', () => {
    const anchor = local('2026-03-07T02:30', NY);
    const down = { ...job('P1D', NY, anchor), instanceId: null, claimToken: null };
    // Down from before 03-07 02:30 until 03-10 12:00: skip moves to 03-11 02:30 (stepped through 03-08 03:30).
    const skip = planClaimed({ ...down, misfire: 'skip' }, local('2026-03-10T12:00', NY), 7);
    expect(skip.kind).toBe('skip');
    if (skip.kind === 'skip' && skip.outcome.kind === 'update') expect(formatInstant(skip.outcome.nextSched, NY)).toBe('2026-03-11T02:30:00-04:00');
    // all with a 3-day window delivers 03-08 03:30 first, then 03-09 02:30 and 03-10 02:30.
    const all = planClaimed({ ...down, misfire: 'all', catchup: 'P3D' }, local('2026-03-10T12:00', NY), 7);
    expect(all.kind).toBe('deliver');
    if (all.kind !== 'deliver') return;
    expect(formatInstant(all.job.nextSched, NY)).toBe('2026-03-08T03:30:00-04:00');
    const second = nextMissed(all.job, local('2026-03-10T12:00', NY));
    expect(second === null ? null : formatInstant(second, NY)).toBe('2026-03-09T02:30:00-04:00');
  });
});
