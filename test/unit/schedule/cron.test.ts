import { Cron } from 'croner';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { CronError, parseCron } from '../../../src/schedule/cron.js';
import { MAX_INSTANT_MS } from '../../../src/schedule/instant-range.js';
import { formatInstant } from '../../../src/schedule/zone.js';

/** Epoch ms of an ISO time with an explicit offset (independent of the code under test). */
const at = (iso: string): number => {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new Error(`bad test time ${iso}`);
  return dt.toMillis();
};

/** The next `n` occurrences after `fromIso`, printed in the zone. */
function runs(expression: string, zone: string, fromIso: string, n: number): string[] {
  const schedule = parseCron(expression, zone);
  const out: string[] = [];
  let t = at(fromIso);
  for (let i = 0; i < n; i += 1) {
    const next = schedule.next(t);
    if (next === null) break;
    out.push(formatInstant(next, zone));
    t = next;
  }
  return out;
}

describe('cron expressions: fields, names, modifiers and nicknames', () => {
  it.each([
    ['9 14 * * *', 'America/Los_Angeles', '2026-12-01T00:00:00Z', ['2026-12-01T14:09:00-08:00', '2026-12-02T14:09:00-08:00']],
    ['*/2 * * * * *', '', '2026-01-01T00:00:00.500Z', ['2026-01-01T00:00:02Z', '2026-01-01T00:00:04Z', '2026-01-01T00:00:06Z']],
    ['0 12 L * *', '', '2026-01-15T00:00:00Z', ['2026-01-31T12:00:00Z', '2026-02-28T12:00:00Z', '2026-03-31T12:00:00Z']],
    ['0 9 * * 5#2', '', '2026-01-01T00:00:00Z', ['2026-01-09T09:00:00Z', '2026-02-13T09:00:00Z', '2026-03-13T09:00:00Z']],
    ['0 9 15W * *', '', '2026-08-01T00:00:00Z', ['2026-08-14T09:00:00Z', '2026-09-15T09:00:00Z']],
    ['0 0 * * FRI#L', '', '2026-01-01T00:00:00Z', ['2026-01-30T00:00:00Z']],
    ['0 8-10/2,17 * JAN-FEB MON-FRI', '', '2026-01-30T00:00:00Z', ['2026-01-30T08:00:00Z', '2026-01-30T10:00:00Z', '2026-01-30T17:00:00Z', '2026-02-02T08:00:00Z']],
    ['@hourly', '', '2026-01-01T00:30:00Z', ['2026-01-01T01:00:00Z']],
    ['@daily', 'Europe/London', '2026-06-01T12:00:00Z', ['2026-06-02T00:00:00+01:00']],
    ['@weekly', '', '2026-01-01T00:00:00Z', ['2026-01-04T00:00:00Z']],
    ['@monthly', '', '2026-01-01T00:00:00Z', ['2026-02-01T00:00:00Z']],
    ['@yearly', '', '2026-01-01T00:00:00Z', ['2027-01-01T00:00:00Z']],
  ])('%s in %j after %s', (expression, zone, from, expected) => {
    expect(runs(expression, zone, from, expected.length)).toEqual(expected);
  });

  it('nextFrom is "not before": an occurrence exactly at the given time counts', () => {
    const schedule = parseCron('0 9 * * *', '');
    expect(schedule.nextFrom(at('2026-01-01T09:00:00Z'))).toBe(at('2026-01-01T09:00:00Z'));
    expect(schedule.next(at('2026-01-01T09:00:00Z'))).toBe(at('2026-01-02T09:00:00Z'));
  });

  it('stops at the end of the supported range', () => {
    const schedule = parseCron('0 0 1 1 *', '');
    expect(schedule.next(at('9999-06-01T00:00:00Z'))).toBeNull();
    expect(schedule.next(at('9998-06-01T00:00:00Z'))).toBeLessThanOrEqual(MAX_INSTANT_MS);
    // 23:59 on the last day, 11 hours behind UTC, is past 9999-12-31T23:59:59.999Z.
    expect(parseCron('59 23 31 12 *', 'Pacific/Pago_Pago').next(at('9999-06-01T00:00:00Z'))).toBeNull();
    expect(parseCron('59 23 31 12 *', 'Pacific/Kiritimati').next(at('9999-06-01T00:00:00Z'))).toBe(at('9999-12-31T23:59:00+14:00'));
  });

  it.each([
    ['61 * * * *', 'minute', 'invalid minute field "61"'],
    ['0 24 * * *', 'hour', 'invalid hour field "24"'],
    ['0 0 32 * *', 'day-of-month', 'invalid day-of-month field "32"'],
    ['0 0 * 13 *', 'month', 'invalid month field "13"'],
    ['0 0 * * FOO', 'day-of-week', 'invalid day-of-week field "FOO"'],
    ['60 0 0 * * *', 'second', 'invalid second field "60"'],
    ['*/0 * * * *', 'minute', 'invalid minute field "*/0"'],
  ])('%j is rejected naming the %s field', (expression, field, message) => {
    const error = catchCron(expression);
    expect(error.field).toBe(field);
    expect(error.message).toBe(message);
  });

  it.each([
    ['1 2 3', /needs 5 fields .* or 6 .*got 3/],
    ['0 0 1 1 * 2030 x', /got 7/],
    ['@reboot', /unknown nickname "@reboot"/],
    ['', /empty cron expression/],
    ['0 0 30 2 *', /never matches/],
    ['0 0 31 4,6,9,11 *', /never matches/],
  ])('%j is rejected: %s', (expression, message) => {
    expect(catchCron(expression).message).toMatch(message);
  });
});

function catchCron(expression: string): CronError {
  try {
    parseCron(expression, '');
  } catch (error) {
    if (error instanceof CronError) return error;
    throw error;
  }
  throw new Error(`${expression} was accepted`);
}

// The DST rule of the README, pinned on real zones. Each vector names the zone's transition.
describe('the DST rule, pinned', () => {
  it('New York spring-forward (02:00 EST -> 03:00 EDT): 02:30 runs at 03:30 EDT, once', () => {
    expect(runs('30 2 * * *', 'America/New_York', '2026-03-07T12:00:00-05:00', 3)).toEqual([
      '2026-03-08T03:30:00-04:00',
      '2026-03-09T02:30:00-04:00',
      '2026-03-10T02:30:00-04:00',
    ]);
    // "not before" a first-run on that day.
    expect(formatInstant(parseCron('30 2 * * *', 'America/New_York').nextFrom(at('2026-03-08T00:00:00-05:00'))!, 'America/New_York')).toBe(
      '2026-03-08T03:30:00-04:00',
    );
  });

  it('New York fall-back (02:00 EDT -> 01:00 EST): 01:30 runs once, at the earlier instant', () => {
    expect(runs('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00-04:00', 3)).toEqual([
      '2026-11-01T01:30:00-04:00',
      '2026-11-02T01:30:00-05:00',
      '2026-11-03T01:30:00-05:00',
    ]);
  });

  it('New York: stepped expressions follow elapsed time through the repeated hour and the gap', () => {
    expect(runs('*/30 * * * *', 'America/New_York', '2026-11-01T00:15:00-04:00', 7)).toEqual([
      '2026-11-01T00:30:00-04:00',
      '2026-11-01T01:00:00-04:00',
      '2026-11-01T01:30:00-04:00',
      '2026-11-01T01:00:00-05:00',
      '2026-11-01T01:30:00-05:00',
      '2026-11-01T02:00:00-05:00',
      '2026-11-01T02:30:00-05:00',
    ]);
    expect(runs('@hourly', 'America/New_York', '2026-03-08T00:30:00-05:00', 3)).toEqual([
      '2026-03-08T01:00:00-05:00',
      '2026-03-08T03:00:00-04:00',
      '2026-03-08T04:00:00-04:00',
    ]);
  });

  it('London (01:00 GMT -> 02:00 BST, 02:00 BST -> 01:00 GMT)', () => {
    expect(runs('30 1 * * *', 'Europe/London', '2026-03-28T12:00:00Z', 2)).toEqual(['2026-03-29T02:30:00+01:00', '2026-03-30T01:30:00+01:00']);
    expect(runs('30 1 * * *', 'Europe/London', '2026-10-24T12:00:00+01:00', 2)).toEqual(['2026-10-25T01:30:00+01:00', '2026-10-26T01:30:00Z']);
  });

  it('Lord Howe moves by 30 minutes (02:00 -> 02:30 in October, 02:00 -> 01:30 in April)', () => {
    expect(runs('15 2 * * *', 'Australia/Lord_Howe', '2026-10-03T12:00:00+10:30', 2)).toEqual(['2026-10-04T02:45:00+11:00', '2026-10-05T02:15:00+11:00']);
    expect(runs('0 * * * *', 'Australia/Lord_Howe', '2026-10-04T00:30:00+10:30', 3)).toEqual([
      '2026-10-04T01:00:00+10:30',
      '2026-10-04T02:30:00+11:00',
      '2026-10-04T03:00:00+11:00',
    ]);
    expect(runs('45 1 * * *', 'Australia/Lord_Howe', '2026-04-04T12:00:00+11:00', 2)).toEqual(['2026-04-05T01:45:00+11:00', '2026-04-06T01:45:00+10:30']);
    expect(runs('*/15 * * * *', 'Australia/Lord_Howe', '2026-04-05T01:20:00+11:00', 5)).toEqual([
      '2026-04-05T01:30:00+11:00',
      '2026-04-05T01:45:00+11:00',
      '2026-04-05T01:30:00+10:30',
      '2026-04-05T01:45:00+10:30',
      '2026-04-05T02:00:00+10:30',
    ]);
  });

  it('Pacific/Apia skipped 30 December 2011: a daily job runs on the 29th and the 31st, once each', () => {
    expect(runs('0 9 * * *', 'Pacific/Apia', '2011-12-28T12:00:00-10:00', 3)).toEqual([
      '2011-12-29T09:00:00-10:00',
      '2011-12-31T09:00:00+14:00',
      '2012-01-01T09:00:00+14:00',
    ]);
    // A job for the missing day itself moves forward by the gap (24 hours) onto the 31st.
    expect(runs('0 12 30 12 *', 'Pacific/Apia', '2011-12-01T00:00:00-10:00', 2)).toEqual(['2011-12-31T12:00:00+14:00', '2012-12-30T12:00:00+14:00']);
  });

  it('southern hemisphere: Sydney (October gap, April repeat) and Santiago (midnight transitions)', () => {
    expect(runs('30 2 * * *', 'Australia/Sydney', '2026-10-03T12:00:00+10:00', 2)).toEqual(['2026-10-04T03:30:00+11:00', '2026-10-05T02:30:00+11:00']);
    expect(runs('30 2 * * *', 'Australia/Sydney', '2026-04-04T12:00:00+11:00', 2)).toEqual(['2026-04-05T02:30:00+11:00', '2026-04-06T02:30:00+10:00']);
    // Santiago springs forward at 00:00 (-04 -> -03): midnight runs at 01:00.
    expect(runs('0 0 * * *', 'America/Santiago', '2026-09-05T12:00:00-04:00', 2)).toEqual(['2026-09-06T01:00:00-03:00', '2026-09-07T00:00:00-03:00']);
    // and falls back at 24:00 (-03 -> -04): 23:30 occurs twice and runs once.
    expect(runs('30 23 * * *', 'America/Santiago', '2026-04-04T12:00:00-03:00', 2)).toEqual(['2026-04-04T23:30:00-03:00', '2026-04-05T23:30:00-04:00']);
  });

  it('America/Nuuk springs forward at 23:00: the 23:30 run of that day happens at 00:30 the next day', () => {
    expect(runs('30 23 * * *', 'America/Nuuk', '2026-03-27T12:00:00-02:00', 3)).toEqual([
      '2026-03-27T23:30:00-02:00',
      '2026-03-29T00:30:00-01:00',
      '2026-03-29T23:30:00-01:00',
    ]);
  });

  // Why croner never sees the zone: on its own it runs a fixed time in a gap at the end of the
  // gap (03:00, not 03:30) and skips stepped times in a gap. If croner changes, this says so.
  it('croner on its own differs from the rule in gaps', () => {
    const ny = (expression: string, from: string): number[] =>
      new Cron(expression, { timezone: 'America/New_York' }).nextRuns(2, new Date(at(from))).map((d) => d.getTime());
    expect(ny('30 2 * * *', '2026-03-07T12:00:00-05:00')[0]).toBe(at('2026-03-08T03:00:00-04:00'));
    expect(ny('0 */2 * * *', '2026-03-08T01:00:00-05:00')[0]).toBe(at('2026-03-08T04:00:00-04:00'));
    expect(runs('0 */2 * * *', 'America/New_York', '2026-03-08T01:00:00-05:00', 1)).toEqual(['2026-03-08T03:00:00-04:00']);
  });

  it('classifies expressions: numbers, lists and ranges are wall-clock; *, ? and steps are stepped', () => {
    expect(parseCron('30 2,14 * * *', '').kind).toBe('wall-clock');
    expect(parseCron('0 9-17 * * *', '').kind).toBe('wall-clock');
    expect(parseCron('@daily', '').kind).toBe('wall-clock');
    expect(parseCron('@hourly', '').kind).toBe('stepped');
    expect(parseCron('0 */2 * * *', '').kind).toBe('stepped');
    expect(parseCron('* 30 2 * * *', '').kind).toBe('stepped');
  });
});
