import { describe, expect, it } from 'vitest';
import { ZERO_DURATION } from '../../../src/schedule/duration.js';
import {
  initialSchedule,
  ParamError,
  parseBool,
  parseScheduleParams,
  validateCombination,
  type ScheduleRequest,
} from '../../../src/schedule/params.js';
import { parseRfc3339 } from '../../../src/schedule/zone.js';

const params =
  (values: Record<string, string>) =>
  (name: string): string | undefined =>
    values[name];

function parse(values: Record<string, string>): ScheduleRequest {
  return parseScheduleParams(params(values));
}

function errorOf(values: Record<string, string>): ParamError {
  try {
    parse(values);
  } catch (error) {
    if (error instanceof ParamError) return error;
    throw error;
  }
  throw new Error(`expected a ParamError for ${JSON.stringify(values)}`);
}

const NOW = Date.UTC(2020, 0, 13, 22, 9, 0, 250);
const FIRST = '2020-02-01T10:00:00Z';
const FIRST_MS = Date.UTC(2020, 1, 1, 10);

describe('parseBool', () => {
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('%s is true', (text) => {
    expect(parseBool(text)).toBe(true);
  });
  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('%s is false', (text) => {
    expect(parseBool(text)).toBe(false);
  });
  it.each(['', 'yes', 'no', 'on', 'tRUE', 'FaLsE', '2', ' true', 'truee'])('%j is neither', (text) => {
    expect(parseBool(text)).toBeUndefined();
  });
});

describe('parseScheduleParams: cannot parse <param>', () => {
  it.each([
    [{ interval: '60', 'one-off': 'yes' }, 'one-off'],
    [{ interval: '60', immediate: 'maybe' }, 'immediate'],
    [{ interval: 'P1.5D' }, 'interval'],
    [{ interval: '-5' }, 'interval'],
    [{ interval: '0' }, 'interval'],
    [{ interval: 'P0D' }, 'interval'],
    [{ interval: '1.5' }, 'interval'],
    [{ interval: 'p1d' }, 'interval'],
    [{ interval: '60', location: 'Mars/Olympus' }, 'location'],
    [{ interval: '60', location: 'america/los_angeles' }, 'location'],
    [{ interval: '60', 'first-run': '2020-01-01 10:00' }, 'first-run'],
    [{ interval: '60', 'first-run': '2020-01-01T10:00:00' }, 'first-run'],
  ])('%j → cannot parse %s', (values, param) => {
    const error = errorOf(values);
    expect(error.message).toBe(`cannot parse ${param}`);
    expect(error.param).toBe(param);
    expect(error.detail).toBeTruthy();
  });

  it("blames parameters in Go Dalga's order: one-off, immediate, interval, location, first-run", () => {
    const all = { 'one-off': 'x', immediate: 'x', interval: 'x', location: 'x', 'first-run': 'x' };
    expect(errorOf(all).message).toBe('cannot parse one-off');
    expect(errorOf({ ...all, 'one-off': '1' }).message).toBe('cannot parse immediate');
    expect(errorOf({ ...all, 'one-off': '1', immediate: '0' }).message).toBe('cannot parse interval');
    expect(errorOf({ ...all, 'one-off': '1', immediate: '0', interval: '5' }).message).toBe('cannot parse location');
    expect(errorOf({ ...all, 'one-off': '1', immediate: '0', interval: '5', location: 'UTC' }).message).toBe(
      'cannot parse first-run',
    );
  });
});

describe('parseScheduleParams: valid values', () => {
  it('reads every parameter', () => {
    expect(
      parse({ interval: 'P1D', 'first-run': '2020-08-29T16:47:00-07:00', location: 'America/Los_Angeles' }),
    ).toEqual({
      oneOff: false,
      immediate: false,
      interval: { ...ZERO_DURATION, days: 1 },
      firstRun: parseRfc3339('2020-08-29T16:47:00-07:00'),
      location: 'America/Los_Angeles',
    });
    expect(parse({ 'one-off': 'T', immediate: 'True' })).toEqual({ oneOff: true, immediate: true, location: '' });
  });

  it('treats empty values as absent', () => {
    expect(parse({ interval: '60', 'first-run': '', location: '', 'one-off': '', immediate: '' })).toEqual({
      oneOff: false,
      immediate: false,
      interval: { ...ZERO_DURATION, seconds: 60 },
      location: '',
    });
  });

  it('stores location UTC as ""', () => {
    expect(parse({ interval: '60', location: 'UTC' }).location).toBe('');
  });
});

// Spec §3: one-off, immediate, interval?, first-run? → valid?
describe('the table of valid combinations', () => {
  const combos: Array<[string, Record<string, string>, boolean]> = [
    ['one-off immediate', { 'one-off': '1', immediate: '1' }, true],
    ['one-off immediate + interval', { 'one-off': '1', immediate: '1', interval: '60' }, false],
    ['one-off immediate + first-run', { 'one-off': '1', immediate: '1', 'first-run': FIRST }, false],
    ['one-off immediate + both', { 'one-off': '1', immediate: '1', interval: '60', 'first-run': FIRST }, false],
    ['one-off + interval', { 'one-off': '1', interval: '60' }, true],
    ['one-off + first-run', { 'one-off': '1', 'first-run': FIRST }, true],
    ['one-off + both', { 'one-off': '1', interval: '60', 'first-run': FIRST }, false],
    ['one-off + neither', { 'one-off': '1' }, false],
    ['immediate + interval', { immediate: '1', interval: '60' }, true],
    ['immediate + interval + first-run', { immediate: '1', interval: '60', 'first-run': FIRST }, false],
    ['immediate alone', { immediate: '1' }, false],
    ['immediate + first-run', { immediate: '1', 'first-run': FIRST }, false],
    ['interval', { interval: '60' }, true],
    ['interval + first-run', { interval: '60', 'first-run': FIRST }, true],
    ['first-run alone', { 'first-run': FIRST }, false],
    ['nothing', {}, false],
    ['explicit falses + interval', { 'one-off': 'false', immediate: '0', interval: '60' }, true],
  ];

  it.each(combos)('%s', (_name, values, valid) => {
    if (valid) {
      expect(() => parse(values)).not.toThrow();
      return;
    }
    const error = errorOf(values);
    expect(error.message).toBe('invalid params');
    expect(error.param).toBeUndefined();
  });

  it('validateCombination checks a request built by hand (the CLI)', () => {
    expect(() => validateCombination({ oneOff: false, immediate: false, location: '' })).toThrow('invalid params');
    expect(() =>
      validateCombination({ oneOff: false, immediate: false, location: '', interval: { ...ZERO_DURATION, seconds: 1 } }),
    ).not.toThrow();
  });
});

describe('initialSchedule: "first run at"', () => {
  const at = (values: Record<string, string>) => initialSchedule(parse(values), NOW);

  it('one-off immediate: now, interval P0D', () => {
    expect(at({ 'one-off': '1', immediate: '1' })).toEqual({ interval: 'P0D', nextRun: NOW, nextSched: NOW, schedAnchor: NOW });
  });

  it('one-off with interval: now + interval, interval P0D', () => {
    expect(at({ 'one-off': '1', interval: '60' })).toEqual({
      interval: 'P0D',
      nextRun: NOW + 60_000,
      nextSched: NOW + 60_000,
      schedAnchor: NOW + 60_000,
    });
  });

  it('one-off with first-run: first-run', () => {
    expect(at({ 'one-off': '1', 'first-run': FIRST })).toEqual({
      interval: 'P0D',
      nextRun: FIRST_MS,
      nextSched: FIRST_MS,
      schedAnchor: FIRST_MS,
    });
  });

  it('periodic immediate: now, interval un-normalised', () => {
    expect(at({ immediate: '1', interval: '60' })).toEqual({ interval: 'PT60S', nextRun: NOW, nextSched: NOW, schedAnchor: NOW });
  });

  it('periodic with first-run: first-run (even in the past)', () => {
    expect(at({ interval: 'P1D', 'first-run': FIRST })).toEqual({
      interval: 'P1D',
      nextRun: FIRST_MS,
      nextSched: FIRST_MS,
      schedAnchor: FIRST_MS,
    });
    expect(at({ interval: 'P1D', 'first-run': '2000-01-01T00:00:00Z' }).nextRun).toBe(Date.UTC(2000, 0, 1));
  });

  it('periodic: now + interval, shifted in the location', () => {
    expect(at({ interval: '3600' })).toEqual({ interval: 'PT3600S', nextRun: NOW + 3_600_000, nextSched: NOW + 3_600_000, schedAnchor: NOW + 3_600_000 });
    // 2020-01-31 14:09 in Los Angeles + P1M rolls over to 2020-03-02 14:09 PST.
    const now = Date.UTC(2020, 0, 31, 22, 9);
    const req = parse({ interval: 'P1M', location: 'America/Los_Angeles' });
    expect(initialSchedule(req, now)).toEqual({
      interval: 'P1M',
      nextRun: Date.UTC(2020, 2, 2, 22, 9),
      nextSched: Date.UTC(2020, 2, 2, 22, 9),
      schedAnchor: Date.UTC(2020, 2, 2, 22, 9),
    });
    // In UTC the same instant is already Jan 31 22:09 → Mar 2 22:09 too, but from Feb 1 it differs:
    expect(initialSchedule(parse({ interval: 'P1M' }), Date.UTC(2020, 1, 1, 6)).nextRun).toBe(Date.UTC(2020, 2, 1, 6));
  });

  it('refuses an invalid combination', () => {
    expect(() => initialSchedule({ oneOff: true, immediate: false, location: '' }, NOW)).toThrow(ParamError);
  });
});
