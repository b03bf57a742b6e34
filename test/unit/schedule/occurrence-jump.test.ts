import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseIsoDuration } from '../../../src/schedule/duration.js';
import type { Job } from '../../../src/schedule/job.js';
import { enableChange, nextOccurrence, type SchedulingConfig, type StepMeter } from '../../../src/schedule/occurrence.js';
import { formatInstant, shiftByDuration } from '../../../src/schedule/zone.js';

// Fixed intervals advance next_sched by whole intervals. The work is bounded: a job far behind
// jumps over whole intervals (counted by a StepMeter, not timed), and lands where stepping one
// interval at a time from the same occurrence would.

const FIXED: SchedulingConfig = { fixedIntervals: true, randomizationFactor: 0 };

function job(interval: string, location: string, nextSched: number): Job {
  return { id: 1, path: 'p', body: 'b', interval, location, nextRun: nextSched, nextSched, instanceId: 1, lastRun: null, lastStatus: null, failures: 0, claimToken: 1 };
}

/** Go Dalga's way: one interval at a time. Only for spans short enough to step. */
function stepped(from: number, interval: string, location: string, now: number): number {
  const d = parseIsoDuration(interval);
  let t = from;
  while (t <= now) t = shiftByDuration(t, d, location);
  return t;
}

describe('fixed intervals: bounded work per job', () => {
  it('P1D from 0001-01-01 in Europe/Istanbul takes a few dozen shifts, not 740,000', () => {
    const from = Date.parse('0001-01-01T00:00:00Z');
    const now = Date.parse('2026-06-01T12:00:00Z');
    const meter: StepMeter = { steps: 0 };
    const next = nextOccurrence(job('P1D', 'Europe/Istanbul', from), now, FIXED, Math.random, meter);
    expect(meter.steps).toBeGreaterThan(0);
    expect(meter.steps).toBeLessThan(64);
    expect(next).toBeGreaterThan(now);
    expect(next - now).toBeLessThanOrEqual(86_400_000);
    // The wall time of the first run (local mean time then, 01:55:52) is kept.
    expect(formatInstant(next, 'Europe/Istanbul')).toBe('2026-06-02T01:55:52+03:00');
  });

  it('enabling a job paused since year 1 is bounded too', () => {
    const from = Date.parse('0001-01-01T00:00:00Z');
    const now = Date.parse('2026-06-01T12:00:00Z');
    const meter: StepMeter = { steps: 0 };
    const change = enableChange({ ...job('P1W', 'America/New_York', from), nextRun: null }, now, FIXED, meter);
    expect(meter.steps).toBeGreaterThan(0);
    expect(meter.steps).toBeLessThan(64);
    expect(change!.nextSched).toBeGreaterThanOrEqual(now);
    expect(change!.nextSched - now).toBeLessThan(7 * 86_400_000 + 3_600_000);
  });

  const cases = [
    { interval: 'P1D', location: 'America/Los_Angeles', from: '2012-01-13T14:09:00-08:00' },
    { interval: 'P3D', location: 'Europe/Istanbul', from: '2005-05-02T09:30:00+03:00' },
    { interval: 'P1W', location: 'Australia/Lord_Howe', from: '1995-02-01T12:00:00+11:00' },
    { interval: 'P1M', location: 'America/Los_Angeles', from: '1960-01-20T14:09:00-08:00' },
    { interval: 'P1M', location: 'America/Los_Angeles', from: '1990-07-31T14:09:00-07:00' },
    { interval: 'P1Y', location: 'Europe/Berlin', from: '1904-02-29T08:00:00+01:00' },
    { interval: 'P1DT1H', location: 'UTC', from: '2016-01-01T00:00:00Z' },
  ];
  for (const c of cases) {
    it(`lands where stepping does: ${c.interval} from ${c.from} in ${c.location}`, () => {
      const from = Date.parse(c.from);
      const now = Date.parse('2026-03-20T10:00:00Z');
      const meter: StepMeter = { steps: 0 };
      const next = nextOccurrence(job(c.interval, c.location, from), now, FIXED, Math.random, meter);
      expect(formatInstant(next, c.location)).toBe(formatInstant(stepped(from, c.interval, c.location, now), c.location));
      expect(meter.steps).toBeLessThan(100);
    });
  }
});

describe('fixed intervals keep their phase across a DST gap', () => {
  const NY = 'America/New_York';
  const at = (text: string): number => DateTime.fromISO(text, { zone: NY }).toMillis();

  it('a daily 02:30 job that skips the spring-forward day is at 02:30 again', () => {
    // 2020-03-08 has no 02:30 in New York. Stepping instants made it 03:30 for good.
    const next = nextOccurrence(job('P1D', NY, at('2020-03-07T02:30')), at('2020-03-09T01:00'), FIXED);
    expect(formatInstant(next, NY)).toBe('2020-03-09T02:30:00-04:00');
  });

  it('on the spring-forward day itself it runs at 03:30 (the gap moves it forward)', () => {
    const next = nextOccurrence(job('P1D', NY, at('2020-03-07T02:30')), at('2020-03-07T02:30'), FIXED);
    expect(formatInstant(next, NY)).toBe('2020-03-08T03:30:00-04:00');
  });
});
