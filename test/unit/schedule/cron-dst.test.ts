// Property tests of the DST rule (README "DST rule") over every real zone's 2026 transitions,
// plus the Apia 2011 day that did not exist. Zone data: luxon (ICU), as the code under test, but
// the transitions and the oracle below are computed here independently of src/schedule/cron.ts.
import fc from 'fast-check';
import { DateTime, IANAZone } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseCron } from '../../../src/schedule/cron.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Transition {
  readonly zone: string;
  readonly at: number;
  /** Offsets in ms. */
  readonly before: number;
  readonly after: number;
}

const offset = (zone: IANAZone, ms: number): number => zone.offset(ms) * MINUTE;

function transitionsIn(zoneName: string, from: number, to: number): Transition[] {
  const zone = IANAZone.create(zoneName);
  const found: Transition[] = [];
  // Weekly probes: no zone changes offset twice within a week in 2026 (Morocco's Ramadan
  // break lasts a month), and finer probes of 418 zones cost seconds.
  const step = 7 * 24 * HOUR;
  for (let lo = from; lo < to; lo += step) {
    const before = offset(zone, lo);
    const after = offset(zone, lo + step);
    if (before === after) continue;
    let a = lo;
    let b = lo + step;
    while (b - a > 1) {
      const mid = Math.floor((a + b) / 2);
      if (offset(zone, mid) === before) a = mid;
      else b = mid;
    }
    found.push({ zone: zoneName, at: b, before, after });
  }
  return found;
}

const TRANSITIONS: Transition[] = [
  ...Intl.supportedValuesOf('timeZone').flatMap((z) => transitionsIn(z, Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1))),
  ...transitionsIn('Pacific/Apia', Date.UTC(2011, 11, 28), Date.UTC(2012, 0, 2)),
];

const transition = fc.constantFrom(...TRANSITIONS);
const gap = (t: Transition): number => t.after - t.before;

type Field = { text: string; matches: (n: number) => boolean; stepped: boolean };

const fixedField = (max: number): fc.Arbitrary<Field> =>
  fc.oneof(
    fc.integer({ min: 0, max }).map((n) => ({ text: String(n), matches: (v: number) => v === n, stepped: false })),
    fc.uniqueArray(fc.integer({ min: 0, max }), { minLength: 2, maxLength: 3 }).map((ns) => ({
      text: ns.join(','),
      matches: (v: number) => ns.includes(v),
      stepped: false,
    })),
    fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })).map(([a, b]) => {
      const [lo, hi] = a <= b ? [a, b] : [b, a];
      return { text: `${lo}-${hi}`, matches: (v: number) => v >= lo && v <= hi, stepped: false };
    }),
  );

const steppedField = (steps: number[]): fc.Arbitrary<Field> =>
  fc.oneof(
    fc.constant({ text: '*', matches: () => true, stepped: true }),
    fc.constantFrom(...steps).map((k) => ({ text: `*/${k}`, matches: (v: number) => v % k === 0, stepped: true })),
  );

const minuteField = fc.oneof(fixedField(59), steppedField([5, 10, 15, 20, 30]));
const hourField = fc.oneof(fixedField(23), steppedField([1, 2, 3, 4, 6, 12]));

/**
 * The rule, executed minute by minute over wall-clock time: a matching wall time that exists
 * once runs at its instant; one in a gap runs at (wall − offset before the gap); one that occurs
 * twice runs at the earlier instant (wall-clock) or at both (stepped). One run per instant.
 */
function oracle(t: Transition, minute: Field, hour: Field, from: number, to: number): number[] {
  const zone = IANAZone.create(t.zone);
  const stepped = minute.stepped || hour.stepped;
  const offsets = [t.before, t.after];
  const lo = Math.floor((from + Math.min(...offsets)) / MINUTE) * MINUTE - HOUR;
  const hi = to + Math.max(...offsets) + HOUR;
  const runs = new Set<number>();
  for (let wall = lo; wall <= hi; wall += MINUTE) {
    const d = new Date(wall);
    if (!minute.matches(d.getUTCMinutes()) || !hour.matches(d.getUTCHours())) continue;
    const instants = offsets.map((o) => wall - o).filter((i) => offset(zone, i) === wall - i);
    const unique = [...new Set(instants)].sort((a, b) => a - b);
    const chosen = unique.length === 0 ? [wall - Math.min(...offsets)] : stepped ? unique : unique.slice(0, 1);
    for (const i of chosen) if (i > from && i <= to) runs.add(i);
  }
  return [...runs].sort((a, b) => a - b);
}

function enumerate(expression: string, zone: string, from: number, to: number): number[] {
  const schedule = parseCron(expression, zone);
  const out: number[] = [];
  for (let at = schedule.next(from); at !== null && at <= to; at = schedule.next(at)) out.push(at);
  return out;
}

describe('cron DST rule over every 2026 transition of every zone', () => {
  it(`has transitions to test (${TRANSITIONS.length}, gaps and repeats, Lord Howe and Apia included)`, () => {
    expect(TRANSITIONS.some((t) => t.zone === 'Australia/Lord_Howe' && Math.abs(gap(t)) === 30 * MINUTE)).toBe(true);
    expect(TRANSITIONS.some((t) => t.zone === 'Pacific/Apia' && gap(t) === 24 * HOUR)).toBe(true);
    expect(TRANSITIONS.filter((t) => gap(t) > 0).length).toBeGreaterThan(50);
    expect(TRANSITIONS.filter((t) => gap(t) < 0).length).toBeGreaterThan(50);
  });

  it('occurrences are exactly the rule: gaps move forward, repeats run once (wall-clock) or twice (stepped)', () => {
    fc.assert(
      fc.property(transition, minuteField, hourField, fc.integer({ min: -30, max: 6 }), (t, minute, hour, startHours) => {
        const from = t.at + startHours * HOUR;
        const to = t.at + 26 * HOUR;
        const expression = `${minute.text} ${hour.text} * * *`;
        expect(enumerate(expression, t.zone, from, to)).toEqual(oracle(t, minute, hour, from, to));
      }),
      { numRuns: 80 },
    );
  });

  // Each run is counted for the day whose time it is: a run moved out of a gap counts for the
  // day the gap is in, even where the gap reaches midnight (America/Nuuk springs forward at
  // 23:00, so its 23:30 run of 28 March 2026 happens at 00:30 on the 29th).
  it('a daily job runs exactly once for every day around a transition (never zero, never twice)', () => {
    fc.assert(
      fc.property(transition, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }), (t, h, m, s) => {
        const day = DateTime.fromMillis(t.at, { zone: t.zone }).startOf('day');
        const from = day.minus({ days: 2 }).startOf('day').toMillis() - 1;
        const to = day.plus({ days: 3 }).startOf('day').toMillis() - 1;
        const runs = enumerate(`${s} ${m} ${h} * * *`, t.zone, from, to);
        const local = (ms: number): DateTime => DateTime.fromMillis(ms, { zone: 'UTC' });
        const named = runs.map((r) => {
          const wall = local(r + DateTime.fromMillis(r, { zone: t.zone }).offset * MINUTE);
          if (wall.hour === h && wall.minute === m && wall.second === s) return wall.toISODate();
          // Not the time asked for: it was moved out of the gap, by the gap.
          expect(gap(t)).toBeGreaterThan(0);
          expect(r >= t.at && r < t.at + gap(t)).toBe(true);
          const before = local(r + t.before);
          expect([before.hour, before.minute, before.second]).toEqual([h, m, s]);
          return before.toISODate();
        });
        const existing = new Set<string>();
        for (let ms = from + 1; ms <= to; ms += 15 * MINUTE) existing.add(DateTime.fromMillis(ms, { zone: t.zone }).toISODate() ?? '');
        expect(named).toEqual([...existing].sort());
      }),
      { numRuns: 150 },
    );
  });

  it('stepped expressions follow elapsed time: every k minutes, through the repeat and the gap', () => {
    const aligned = (t: Transition, k: number): boolean => (t.at + t.before) % (k * MINUTE) === 0 && gap(t) % (k * MINUTE) === 0;
    const cases = fc.constantFrom(1, 5, 10, 15, 30, 60).chain((k) => {
      const fitting = TRANSITIONS.filter((t) => aligned(t, k));
      return fc.tuple(fc.constant(k), fc.constantFrom(...fitting));
    });
    fc.assert(
      fc.property(cases, ([k, t]) => {
        const expression = k === 60 ? '0 * * * *' : `*/${k} * * * *`;
        const runs = enumerate(expression, t.zone, t.at - 3 * HOUR, t.at + 3 * HOUR);
        const spacing = new Set(runs.slice(1).map((r, i) => r - (runs[i] ?? 0)));
        expect([...spacing]).toEqual([k * MINUTE]);
      }),
      { numRuns: 150 },
    );
  });

  it('a next occurrence is always later than the time asked about', () => {
    fc.assert(
      fc.property(transition, minuteField, hourField, fc.integer({ min: -3 * HOUR, max: 3 * HOUR }), (t, minute, hour, delta) => {
        const after = t.at + delta;
        const next = parseCron(`${minute.text} ${hour.text} * * *`, t.zone).next(after);
        expect(next).not.toBeNull();
        expect(next!).toBeGreaterThan(after);
      }),
      { numRuns: 300 },
    );
  });
});
