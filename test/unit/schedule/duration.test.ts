import { describe, expect, it } from 'vitest';
import {
  isZeroInterval,
  DurationError,
  formatGoDuration,
  formatIsoDuration,
  isZeroDuration,
  parseFlexibleInterval,
  parseGoDuration,
  parseIntervalParam,
  parseIsoDuration,
  ZERO_DURATION,
  type Duration,
} from '../../../src/schedule/duration.js';

const d = (parts: Partial<Duration>): Duration => ({ ...ZERO_DURATION, ...parts });

describe('parseIsoDuration', () => {
  it.each([
    ['P1D', d({ days: 1 })],
    ['PT60S', d({ seconds: 60 })],
    ['PT24H', d({ hours: 24 })],
    ['P1W', d({ weeks: 1 })],
    ['P1M', d({ months: 1 })],
    ['PT1M', d({ minutes: 1 })],
    ['P1Y', d({ years: 1 })],
    ['P0D', ZERO_DURATION],
    ['P1Y2M3W4DT5H6M7S', { years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7 }],
    ['P007D', d({ days: 7 })],
  ])('%s', (text, expected) => {
    expect(parseIsoDuration(text)).toEqual(expected);
  });

  it.each(['', 'P', 'PT', 'P1DT', 'P1.5D', 'PT0.5S', '-P1D', 'P-1D', 'p1d', 'P1d', 'pt60s', '1D', 'P1D ', ' P1D', 'P1S', 'PT1D', 'P1M1Y', 'P1DT1S1M', 'PT1H1H'])(
    'rejects %j',
    (text) => {
      expect(() => parseIsoDuration(text)).toThrow(DurationError);
    },
  );

  it('rejects numbers beyond safe integers', () => {
    expect(() => parseIsoDuration('PT99999999999999999999S')).toThrow(/out of range/);
  });
});

describe('formatIsoDuration', () => {
  it.each([
    [d({ seconds: 60 }), 'PT60S'],
    [ZERO_DURATION, 'P0D'],
    [d({ days: 1 }), 'P1D'],
    [d({ hours: 24 }), 'PT24H'],
    [d({ years: 1, days: 2, minutes: 3 }), 'P1Y2DT3M'],
    [{ years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7 }, 'P1Y2M3W4DT5H6M7S'],
  ])('%j → %s', (duration, text) => {
    expect(formatIsoDuration(duration)).toBe(text);
  });

  it('round-trips un-normalised text', () => {
    for (const text of ['PT90S', 'PT60M', 'P14D', 'P13M', 'P1Y2M3W4DT5H6M7S']) {
      expect(formatIsoDuration(parseIsoDuration(text))).toBe(text);
    }
  });
});

describe('isZeroDuration', () => {
  it('is true only for the zero duration', () => {
    expect(isZeroDuration(ZERO_DURATION)).toBe(true);
    expect(isZeroDuration(parseIsoDuration('P0D'))).toBe(true);
    expect(isZeroDuration(parseIsoDuration('PT0S'))).toBe(true);
    expect(isZeroDuration(d({ seconds: 1 }))).toBe(false);
    expect(isZeroDuration(d({ years: 1 }))).toBe(false);
  });
});

describe('parseIntervalParam', () => {
  it('reads a bare integer as seconds', () => {
    expect(parseIntervalParam('60')).toEqual(d({ seconds: 60 }));
    expect(formatIsoDuration(parseIntervalParam('60'))).toBe('PT60S');
  });

  it('reads ISO 8601', () => {
    expect(parseIntervalParam('P1D')).toEqual(d({ days: 1 }));
  });

  it.each(['0', 'P0D', 'PT0S', '-5', '+5', '1.5', '5s', 'p1d', 'abc', 'P1.5D', '1e3', ' 60'])('rejects %j', (text) => {
    expect(() => parseIntervalParam(text)).toThrow(DurationError);
  });

  it('rejects absurdly long intervals', () => {
    expect(() => parseIntervalParam('P20000Y')).toThrow(/longer than/);
    expect(parseIntervalParam('P100Y')).toEqual(d({ years: 100 }));
  });
});

describe('parseFlexibleInterval', () => {
  it.each([
    ['60', d({ seconds: 60 })],
    ['PT1M', d({ minutes: 1 })],
    ['P1D', d({ days: 1 })],
    ['90s', d({ seconds: 90 })],
    ['1h30m', d({ hours: 1, minutes: 30 })],
    ['2h', d({ hours: 2 })],
    ['1h0m0s', d({ hours: 1 })],
    ['1.5h', d({ seconds: 5400 })],
    ['1500ms', null],
    ['2000ms', d({ seconds: 2 })],
    ['1m30.5s', null],
  ])('%s', (text, expected) => {
    if (expected === null) {
      expect(() => parseFlexibleInterval(text)).toThrow(/whole seconds/);
      return;
    }
    expect(parseFlexibleInterval(text)).toEqual(expected);
  });

  it.each(['0', '0s', '-1m', 'P0D', '', 'abc', '5x', '1h30'])('rejects %j', (text) => {
    expect(() => parseFlexibleInterval(text)).toThrow(DurationError);
  });

  it('prints Go-style input un-normalised', () => {
    expect(formatIsoDuration(parseFlexibleInterval('90s'))).toBe('PT90S');
    expect(formatIsoDuration(parseFlexibleInterval('1h30m'))).toBe('PT1H30M');
  });
});

describe('parseGoDuration', () => {
  it.each([
    ['60s', 60_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['0', 0],
    ['-0', 0],
    ['+5s', 5_000],
    ['-1s', -1_000],
    ['10s', 10_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['2h45m', 9_900_000],
    ['1.5s', 1_500],
    ['.5s', 500],
    ['1.s', 1_000],
    ['1000us', 1],
    ['1000µs', 1],
    ['1000μs', 1],
    ['1000000ns', 1],
    ['1us', 0.001],
    ['1h1m1s1ms', 3_661_001],
    ['0s', 0],
  ])('%s → %d ms', (text, ms) => {
    expect(parseGoDuration(text)).toBeCloseTo(ms, 9);
  });

  it.each([
    ['', /invalid duration/],
    ['-', /invalid duration/],
    ['s', /invalid duration/],
    ['.s', /invalid duration/],
    ['10', /missing unit/],
    ['1h30', /missing unit/],
    ['5x', /unknown unit "x"/],
    ['1d', /unknown unit "d"/],
    ['1 s', /unknown unit " s"/],
    ['1.5.5h', /missing unit/],
    ['9999999999h', /invalid duration/],
  ])('rejects %j', (text, message) => {
    expect(() => parseGoDuration(text)).toThrow(DurationError);
    expect(() => parseGoDuration(text)).toThrow(message);
  });
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [90_000, '1m30s'],
    [60_000, '1m0s'],
    [3_600_000, '1h0m0s'],
    [5_400_000, '1h30m0s'],
    [500, '500ms'],
    [1_500, '1.5s'],
    [10_000, '10s'],
    [1.5, '1.5ms'],
    [0.001, '1µs'],
    [0.000001, '1ns'],
    [-1_000, '-1s'],
    [3_661_001, '1h1m1.001s'],
  ])('%d ms → %s', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });

  it('round-trips through parseGoDuration', () => {
    for (const text of ['1m30s', '500ms', '1h0m0s', '2.5s', '-3m0s']) {
      expect(formatGoDuration(parseGoDuration(text))).toBe(text);
    }
  });
});

describe('isZeroInterval', () => {
  it('answers per text, the same whether asked the first time or again', () => {
    for (let round = 0; round < 2; round++) {
      expect(isZeroInterval('P0D')).toBe(true);
      expect(isZeroInterval('PT0S')).toBe(true);
      expect(isZeroInterval('PT1H')).toBe(false);
      expect(isZeroInterval('P1D')).toBe(false);
    }
  });

  it('throws for a malformed interval every time (no answer kept)', () => {
    expect(() => isZeroInterval('PXD')).toThrow(DurationError);
    expect(() => isZeroInterval('PXD')).toThrow(DurationError);
  });
});
