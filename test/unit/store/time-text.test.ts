import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromSqlTime, toSqlTime } from '../../../src/store/mysql-rows.js';
import { utcDateTimeText } from '../../../src/store/time-text.js';

// utcDateTimeText (MySQL's toSqlTime, PostgreSQL's toPgTime with a Z) computes the calendar date itself (it runs several times per delivery); it must write
// exactly what Date's ISO text says, for every instant DATETIME(3) can hold and a few it cannot.
/** 0000-01-01T00:00:00Z (Date.UTC reads years 0–99 as 1900–1999). */
const YEAR_0 = Date.parse('0000-01-01T00:00:00Z');
const isoText = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

describe('utcDateTimeText and toSqlTime', () => {
  it('writes the ISO text of any instant from year 0 to 9999, to the millisecond', () => {
    fc.assert(
      fc.property(fc.integer({ min: YEAR_0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        expect(utcDateTimeText(ms)).toBe(isoText(ms));
        expect(toSqlTime(ms)).toBe(isoText(ms));
      }),
      { numRuns: 20_000 },
    );
  });

  it('pins the edges: the epoch, just before it, leap days, the last representable instant', () => {
    expect(toSqlTime(0)).toBe('1970-01-01 00:00:00.000');
    expect(toSqlTime(-1)).toBe('1969-12-31 23:59:59.999');
    expect(toSqlTime(Date.UTC(2024, 1, 29, 12, 5, 9, 7))).toBe('2024-02-29 12:05:09.007');
    expect(toSqlTime(Date.UTC(2000, 1, 29))).toBe('2000-02-29 00:00:00.000');
    expect(toSqlTime(Date.UTC(1900, 2, 1))).toBe('1900-03-01 00:00:00.000');
    expect(toSqlTime(Date.UTC(9999, 11, 31, 23, 59, 59, 999))).toBe('9999-12-31 23:59:59.999');
    expect(toSqlTime(Date.UTC(999, 11, 31, 23, 59, 59, 999))).toBe('0999-12-31 23:59:59.999');
    expect(toSqlTime(null)).toBeNull();
  });

  it('reads back what it writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1000, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        expect(fromSqlTime(toSqlTime(ms))).toBe(ms);
      }),
      { numRuns: 5_000 },
    );
  });
});
