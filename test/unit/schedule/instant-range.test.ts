import { describe, expect, it } from 'vitest';
import { checkInstant, InstantRangeError, isRepresentableInstant, MAX_INSTANT_MS, MIN_INSTANT_MS } from '../../../src/schedule/instant-range.js';

describe('representable instants', () => {
  it('spans 0001-01-01 to 9999-12-31 in UTC', () => {
    expect(new Date(MIN_INSTANT_MS).toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(new Date(MAX_INSTANT_MS).toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });
  it('rejects one millisecond past either end and non-finite values; accepts fractions inside', () => {
    expect(isRepresentableInstant(MAX_INSTANT_MS)).toBe(true);
    expect(isRepresentableInstant(MAX_INSTANT_MS + 1)).toBe(false);
    expect(isRepresentableInstant(MIN_INSTANT_MS - 1)).toBe(false);
    expect(isRepresentableInstant(0.5)).toBe(true); // a clock following the database's has fractions
    expect(isRepresentableInstant(MAX_INSTANT_MS + 0.5)).toBe(false);
    expect(isRepresentableInstant(Number.NaN)).toBe(false);
    expect(() => checkInstant(MAX_INSTANT_MS + 1, 'next run')).toThrow(InstantRangeError);
    expect(() => checkInstant(MAX_INSTANT_MS + 1, 'next run')).toThrow(/next run is outside/);
  });
});
