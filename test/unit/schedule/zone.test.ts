import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseIsoDuration } from '../../../src/schedule/duration.js';
import {
  formatInstant,
  isValidZone,
  parseRfc3339,
  shiftByDuration,
  storedLocation,
  TimeError,
} from '../../../src/schedule/zone.js';

const LA = 'America/Los_Angeles';

/** Epoch ms of a wall time in a zone, via luxon (independent of the code under test). */
function wall(iso: string, zone: string): number {
  const dt = DateTime.fromISO(iso, { zone });
  if (!dt.isValid) throw new Error(`bad test time ${iso}`);
  return dt.toMillis();
}

const utc = (iso: string): number => wall(iso, 'UTC');

function shift(iso: string, interval: string, zone: string): string {
  return formatInstant(shiftByDuration(wall(iso, zone), parseIsoDuration(interval), zone), zone);
}

describe('isValidZone', () => {
  it.each(['', 'UTC', LA, 'Europe/Istanbul', 'Etc/GMT+5', 'US/Pacific', 'Asia/Calcutta', 'EST'])('accepts %j', (name) => {
    expect(isValidZone(name)).toBe(true);
  });

  it.each(['utc', 'america/los_angeles', 'AMERICA/LOS_ANGELES', 'Foo/Bar', 'Local', '+05:00', 'UTC+3', '../etc/passwd', ' UTC', 'America/'])(
    'rejects %j',
    (name) => {
      expect(isValidZone(name)).toBe(false);
    },
  );

  it('stores UTC as the empty name, like Go Dalga', () => {
    expect(storedLocation('UTC')).toBe('');
    expect(storedLocation('')).toBe('');
    expect(storedLocation(LA)).toBe(LA);
  });
});

describe('shiftByDuration: calendar roll-over (Go AddDate)', () => {
  it.each([
    ['2020-01-31T14:09:00', 'P1M', '2020-03-02T14:09:00-08:00'], // leap year: Feb has 29 days
    ['2021-01-31T14:09:00', 'P1M', '2021-03-03T14:09:00-08:00'],
    ['2020-02-29T14:09:00', 'P1Y', '2021-03-01T14:09:00-08:00'],
    ['2020-02-29T14:09:00', 'P1M', '2020-03-29T14:09:00-07:00'],
    ['2020-08-31T14:09:00', 'P1M', '2020-10-01T14:09:00-07:00'],
    ['2020-07-31T14:09:00', 'P1M', '2020-08-31T14:09:00-07:00'],
    ['2020-12-31T14:09:00', 'P2M', '2021-03-03T14:09:00-08:00'],
    ['2020-01-13T14:09:00', 'P1W', '2020-01-20T14:09:00-08:00'],
    ['2020-01-13T14:09:00', 'P1W1D', '2020-01-21T14:09:00-08:00'],
    ['2020-01-20T14:09:00', 'P1Y', '2021-01-20T14:09:00-08:00'],
    ['2020-12-25T14:09:00', 'P10D', '2021-01-04T14:09:00-08:00'],
  ])('%s + %s in LA', (start, interval, expected) => {
    expect(shift(start, interval, LA)).toBe(expected);
  });

  it('adds the date part on the wall date of the location, not of UTC', () => {
    // 2020-01-31 20:00 in LA is already Feb 1 in UTC; + P1M must roll Jan 31, not Feb 1.
    expect(shift('2020-01-31T20:00:00', 'P1M', LA)).toBe('2020-03-02T20:00:00-08:00');
    expect(shift('2020-02-01T04:00:00', 'P1M', 'UTC')).toBe('2020-03-01T04:00:00Z');
  });
});

describe('shiftByDuration: DST', () => {
  it('P1D keeps the wall time across spring-forward, PT24H keeps the elapsed time', () => {
    expect(shift('2020-03-07T14:09:00', 'P1D', LA)).toBe('2020-03-08T14:09:00-07:00');
    expect(shift('2020-03-07T14:09:00', 'PT24H', LA)).toBe('2020-03-08T15:09:00-07:00');
    expect(shift('2020-10-31T14:09:00', 'P1D', LA)).toBe('2020-11-01T14:09:00-08:00');
    expect(shift('2020-10-31T14:09:00', 'PT24H', LA)).toBe('2020-11-01T13:09:00-08:00');
  });

  it('a wall time in the spring-forward gap moves forward by the gap (02:30 → 03:30 PDT)', () => {
    expect(shift('2020-03-07T02:30:00', 'P1D', LA)).toBe('2020-03-08T03:30:00-07:00');
    expect(shiftByDuration(wall('2020-03-07T02:30:00', LA), parseIsoDuration('P1D'), LA)).toBe(
      utc('2020-03-08T10:30:00'),
    );
  });

  it('an ambiguous wall time takes the earlier instant (01:30 PDT, not PST)', () => {
    const at = shiftByDuration(wall('2020-10-31T01:30:00', LA), parseIsoDuration('P1D'), LA);
    expect(formatInstant(at, LA)).toBe('2020-11-01T01:30:00-07:00');
    expect(at).toBe(utc('2020-11-01T08:30:00'));
  });

  it('the second 01:30 (PST) + P1D is 01:30 the next day, and the date part is added before the time part', () => {
    const secondOneThirty = utc('2020-11-01T09:30:00');
    expect(formatInstant(secondOneThirty, LA)).toBe('2020-11-01T01:30:00-08:00');
    expect(formatInstant(shiftByDuration(secondOneThirty, parseIsoDuration('P1D'), LA), LA)).toBe(
      '2020-11-02T01:30:00-08:00',
    );
    expect(shift('2020-03-07T01:30:00', 'P1DT1H', LA)).toBe('2020-03-08T03:30:00-07:00');
  });

  it('a pure time interval is elapsed time and does not touch an ambiguous instant', () => {
    const secondOneThirty = utc('2020-11-01T09:30:00');
    expect(shiftByDuration(secondOneThirty, parseIsoDuration('PT60S'), LA)).toBe(secondOneThirty + 60_000);
  });

  it('other zones: Europe/London and southern-hemisphere Australia/Sydney', () => {
    expect(shift('2020-03-28T01:30:00', 'P1D', 'Europe/London')).toBe('2020-03-29T02:30:00+01:00');
    expect(shift('2020-10-24T01:30:00', 'P1D', 'Europe/London')).toBe('2020-10-25T01:30:00+01:00');
    expect(shift('2020-10-03T02:30:00', 'P1D', 'Australia/Sydney')).toBe('2020-10-04T03:30:00+11:00');
    expect(shift('2020-04-04T02:30:00', 'P1D', 'Australia/Sydney')).toBe('2020-04-05T02:30:00+11:00');
  });
});

describe('shiftByDuration: precision and range', () => {
  it('keeps milliseconds', () => {
    const start = utc('2020-01-31T10:00:00.123');
    expect(shiftByDuration(start, parseIsoDuration('P1M'), '')).toBe(utc('2020-03-02T10:00:00.123'));
    expect(shiftByDuration(start, parseIsoDuration('PT1S'), '')).toBe(start + 1000);
    expect(shiftByDuration(wall('2020-03-07T02:30:00.999', LA), parseIsoDuration('P1D'), LA)).toBe(
      utc('2020-03-08T10:30:00.999'),
    );
  });

  it('treats "" and "UTC" as UTC', () => {
    const start = utc('2020-03-07T14:09:00');
    expect(shiftByDuration(start, parseIsoDuration('P1D'), '')).toBe(start + 86_400_000);
    expect(shiftByDuration(start, parseIsoDuration('P1D'), 'UTC')).toBe(start + 86_400_000);
  });

  it('throws rather than returning an impossible instant', () => {
    expect(() => shiftByDuration(8.6e15, parseIsoDuration('P10000Y'), '')).toThrow(/out of range/);
  });
});

describe('formatInstant', () => {
  it.each([
    [utc('2014-11-11T22:11:40'), '', '2014-11-11T22:11:40Z'],
    [utc('2014-11-11T22:11:40'), 'UTC', '2014-11-11T22:11:40Z'],
    [utc('2020-08-29T23:47:00'), LA, '2020-08-29T16:47:00-07:00'],
    [utc('2020-01-29T23:47:00'), LA, '2020-01-29T15:47:00-08:00'],
    [utc('2020-01-01T12:00:00'), 'Europe/London', '2020-01-01T12:00:00Z'],
    [utc('2020-01-01T12:00:00'), 'Asia/Kolkata', '2020-01-01T17:30:00+05:30'],
    [utc('2020-01-01T12:00:00.500'), '', '2020-01-01T12:00:00.5Z'],
    [utc('2020-01-01T12:00:00.250'), '', '2020-01-01T12:00:00.25Z'],
    [utc('2020-01-01T12:00:00.001'), LA, '2020-01-01T04:00:00.001-08:00'],
    [utc('2020-01-01T12:00:00.120'), 'Europe/Istanbul', '2020-01-01T15:00:00.12+03:00'],
    [0, '', '1970-01-01T00:00:00Z'],
  ])('%d in %j → %s', (ms, zone, text) => {
    expect(formatInstant(ms, zone)).toBe(text);
  });

  // Local mean time before a zone's first standard offset is not a whole number of minutes
  // (Istanbul +01:55:52 in year 1, New York -04:56:02 before 1883); RFC 3339 offsets are hh:mm, so
  // such an instant is written in UTC: valid, and the same instant (was `+01:55.866666…`).
  it.each([
    [utc('0001-01-01T00:00:00'), 'Europe/Istanbul', '0001-01-01T00:00:00Z'],
    [utc('1800-01-01T00:00:00'), 'America/New_York', '1800-01-01T00:00:00Z'],
  ])('%d in %j (an offset with seconds) → %s', (ms, zone, text) => {
    expect(formatInstant(ms, zone)).toBe(text);
    expect(parseRfc3339(formatInstant(ms, zone))).toBe(ms);
  });

  // UTC is written without Date (src/schedule/utc-text.ts): the same text as Date's ISO string,
  // with the fraction's trailing zeros dropped, for every instant from year 0 to 9999.
  it('writes UTC as Date would, for any millisecond of years 0–9999', () => {
    const fromDate = (ms: number): string => {
      const iso = new Date(ms).toISOString();
      const frac = iso.slice(19, 23).replace(/\.?0+$/, '');
      return `${iso.slice(0, 19)}${frac}Z`;
    };
    fc.assert(
      fc.property(fc.integer({ min: Date.parse('0000-01-01T00:00:00Z'), max: Date.parse('9999-12-31T23:59:59.999Z') }), (ms) => {
        expect(formatInstant(ms, 'UTC')).toBe(fromDate(ms));
        expect(formatInstant(ms - (ms % 1000), '')).toBe(fromDate(ms - (ms % 1000)));
      }),
      { numRuns: 20_000 },
    );
    for (const text of ['1969-12-31T23:59:59.999Z', '1969-12-31T23:59:59.9Z', '0999-01-01T00:00:00.01Z', '2024-02-29T12:00:00.1Z', '9999-12-31T23:59:59.999Z']) {
      expect(formatInstant(Date.parse(text), 'UTC')).toBe(text);
    }
  });
});

describe('parseRfc3339', () => {
  it.each([
    ['2014-11-11T22:11:40Z', utc('2014-11-11T22:11:40')],
    ['2020-08-29T16:47:00-07:00', utc('2020-08-29T23:47:00')],
    ['2020-01-01T17:30:00+05:30', utc('2020-01-01T12:00:00')],
    ['2020-01-01T12:00:00.5Z', utc('2020-01-01T12:00:00.500')],
    ['2020-01-01T12:00:00.123456789Z', utc('2020-01-01T12:00:00.123')],
    ['2020-01-01T12:00:00,5Z', utc('2020-01-01T12:00:00.500')], // Go accepts a comma too
    ['2020-02-29T00:00:00Z', utc('2020-02-29T00:00:00')],
    ['2020-01-01T00:00:00+00:00', utc('2020-01-01T00:00:00')],
    ['2020-01-01T00:00:00-00:00', utc('2020-01-01T00:00:00')],
  ])('%s', (text, ms) => {
    expect(parseRfc3339(text)).toBe(ms);
  });

  it.each([
    '',
    '2020-01-01T12:00:00', // no offset
    '2020-01-01 12:00:00Z',
    '2020-01-01t12:00:00Z',
    '2020-01-01T12:00:00z',
    '2020-01-01',
    '2020-13-01T00:00:00Z',
    '2021-02-29T00:00:00Z',
    '2020-01-01T24:00:00Z',
    '2020-01-01T12:60:00Z',
    '2020-01-01T12:00:60Z',
    '2020-01-01T12:00:00+24:00',
    '2020-01-01T12:00:00+0700',
    '2020-01-01T12:00:00.Z',
    '1586000000',
    'tomorrow',
  ])('rejects %j', (text) => {
    expect(() => parseRfc3339(text)).toThrow(TimeError);
  });

  it('round-trips formatInstant', () => {
    for (const zone of ['', LA, 'Asia/Kolkata']) {
      for (const ms of [0, utc('2020-03-08T10:30:00.5'), utc('2020-11-01T09:30:00.123')]) {
        expect(parseRfc3339(formatInstant(ms, zone))).toBe(ms);
      }
    }
  });
});
