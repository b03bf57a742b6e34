import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { formatIsoDuration, parseIsoDuration, ZERO_DURATION, type Duration } from '../../../src/schedule/duration.js';
import { nextOccurrence } from '../../../src/schedule/occurrence.js';
import { nextRetry } from '../../../src/schedule/retry.js';
import { formatInstant, parseRfc3339, shiftByDuration } from '../../../src/schedule/zone.js';

const ZONES = ['', 'America/Los_Angeles', 'Europe/London', 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham'];
const instant = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) });
const zone = fc.constantFrom(...ZONES);
const small = fc.nat({ max: 40 });
const duration: fc.Arbitrary<Duration> = fc.record({
  years: small,
  months: small,
  weeks: small,
  days: small,
  hours: small,
  minutes: small,
  seconds: small,
});

describe('properties', () => {
  it('ISO durations print back as parsed', () => {
    fc.assert(
      fc.property(duration, (d) => {
        expect(parseIsoDuration(formatIsoDuration(d))).toEqual(d);
      }),
    );
  });

  it('RFC 3339 text round-trips in every zone', () => {
    fc.assert(
      fc.property(instant, zone, (ms, location) => {
        expect(parseRfc3339(formatInstant(ms, location))).toBe(ms);
      }),
    );
  });

  it('a time-only duration is elapsed time', () => {
    fc.assert(
      fc.property(instant, zone, small, small, small, (ms, location, hours, minutes, seconds) => {
        const d = { ...ZERO_DURATION, hours, minutes, seconds };
        expect(shiftByDuration(ms, d, location)).toBe(ms + ((hours * 60 + minutes) * 60 + seconds) * 1000);
      }),
    );
  });

  it('a whole-day shift keeps the wall time, or moves it forward by a DST gap, and the milliseconds', () => {
    fc.assert(
      fc.property(instant, zone, fc.integer({ min: 1, max: 400 }), (ms, location, days) => {
        const z = location === '' ? 'UTC' : location;
        const before = DateTime.fromMillis(ms, { zone: z });
        const after = DateTime.fromMillis(shiftByDuration(ms, { ...ZERO_DURATION, days }, location), { zone: z });
        expect(after.millisecond).toBe(before.millisecond);
        expect(after.second).toBe(before.second);
        const expectedDate = before.startOf('day').plus({ days }).toISODate();
        expect(after.toISODate()).toBe(expectedDate);
        const minutesOfDay = (dt: DateTime): number => dt.hour * 60 + dt.minute;
        // Equal, or pushed forward by at most the largest DST gap (1 hour; Lord Howe is 30 min).
        const drift = minutesOfDay(after) - minutesOfDay(before);
        expect(drift).toBeGreaterThanOrEqual(0);
        expect(drift).toBeLessThanOrEqual(60);
      }),
    );
  });

  it('fixed intervals: the next occurrence is after now and on the old phase', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 86_400 }), fc.integer({ min: 0, max: 10_000_000_000 }), (sched, seconds, late) => {
        const job = {
          id: 1,
          path: 'p',
          body: 'b',
          interval: `PT${seconds}S`,
          location: '',
          nextRun: sched,
          nextSched: sched,
          instanceId: null,
          claimToken: null,
          lastRun: null,
          lastStatus: null,
          failures: 0,
        };
        const now = sched + late;
        const next = nextOccurrence(job, now, { fixedIntervals: true, randomizationFactor: 0 });
        expect(next).toBeGreaterThan(now);
        expect(next - seconds * 1000).toBeLessThanOrEqual(now);
        expect((next - sched) % (seconds * 1000)).toBe(0);
      }),
    );
  });

  it('a retry comes after now, no later than the max interval, and grows with time spent', () => {
    const cfg = fc.record({
      intervalMs: fc.integer({ min: 1, max: 600_000 }),
      multiplier: fc.double({ min: 1, max: 5, noNaN: true }),
      maxIntervalMs: fc.integer({ min: 1, max: 3_600_000 }),
      stopAfterMs: fc.constant(0),
    });
    fc.assert(
      fc.property(cfg, fc.nat({ max: 86_400_000 }), fc.nat({ max: 1_000_000 }), (c, passed, more) => {
        const first = nextRetry(c, passed, 0);
        const later = nextRetry(c, passed + more, 0);
        if (first === null || later === null) throw new Error('stopAfter 0 never stops');
        expect(first).toBeGreaterThanOrEqual(passed);
        expect(first - passed).toBeLessThanOrEqual(c.maxIntervalMs);
        expect(later - (passed + more)).toBeGreaterThanOrEqual(first - passed);
      }),
    );
  });
});
