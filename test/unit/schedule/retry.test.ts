import { describe, expect, it } from 'vitest';
import { nextRetry, retryDelayMs, type RetryConfig } from '../../../src/schedule/retry.js';

const s = (seconds: number): number => seconds * 1000;

const cfg = (i: number, m: number, x: number, stopAfter = 0): RetryConfig => ({
  intervalMs: s(i),
  multiplier: m,
  maxIntervalMs: s(x),
  stopAfterMs: s(stopAfter),
});

describe('nextRetry: the vectors of spec §4 (next_sched = 0)', () => {
  it.each([
    [1, 1, 1, 0, 1],
    [1, 1, 1, 10, 11],
    [1, 2, 10, 0, 1],
    [1, 2, 10, 1, 3],
    [1, 2, 10, 3, 7],
    [1, 2, 10, 7, 15],
    [1, 3, 100, 0, 1],
    [1, 3, 100, 1, 4],
    [1, 3, 100, 4, 13],
    [1, 3, 100, 13, 40],
    [8, 1.5, 100, 0, 8],
    [8, 1.5, 100, 8, 20],
    [1.5, 1.5, 100, 0, 1.5],
    [1.5, 1.5, 100, 1.5, 3.75],
  ])('I=%d M=%d X=%d: %d → %d', (i, m, x, now, next) => {
    expect(nextRetry(cfg(i, m, x), s(now), 0)).toBe(s(next));
  });

  it('works the same from any next_sched', () => {
    const sched = Date.UTC(2020, 0, 1);
    expect(nextRetry(cfg(1, 3, 100), sched + s(13), sched)).toBe(sched + s(40));
  });
});

describe('retryDelayMs', () => {
  it('is capped by the max interval', () => {
    expect(retryDelayMs(cfg(1, 2, 10), s(7))).toBe(s(8));
    expect(retryDelayMs(cfg(1, 2, 10), s(100))).toBe(s(10));
  });

  it('is constant with multiplier 1 (the default 1m / 1 / 1m)', () => {
    const constant = cfg(60, 1, 60);
    expect(retryDelayMs(constant, 0)).toBe(s(60));
    expect(retryDelayMs(constant, s(3600))).toBe(s(60));
  });

  it('never comes sooner than the interval when next_sched is still ahead', () => {
    expect(retryDelayMs(cfg(1, 3, 100), -s(10))).toBe(s(1));
  });

  it('is whole milliseconds', () => {
    expect(retryDelayMs({ intervalMs: 1, multiplier: 1.5, maxIntervalMs: 100, stopAfterMs: 0 }, 1)).toBe(1);
  });
});

describe('nextRetry: stopAfter', () => {
  it('never stops when stopAfter is 0', () => {
    expect(nextRetry(cfg(60, 1, 60, 0), s(365 * 86_400), 0)).toBe(s(365 * 86_400 + 60));
  });

  it('stops once the retry would land more than S after next_sched', () => {
    const c = cfg(60, 1, 60, 300);
    expect(nextRetry(c, s(240), 0)).toBe(s(300)); // exactly S after: still retried
    expect(nextRetry(c, s(241), 0)).toBeNull();
    expect(nextRetry(c, s(600), 0)).toBeNull();
  });
});
