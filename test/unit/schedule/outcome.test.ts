import { describe, expect, it } from 'vitest';
import type { Job, Outcome } from '../../../src/schedule/job.js';
import { disableChange, enableChange } from '../../../src/schedule/occurrence.js';
import { decideOutcome, type DeliveryResult, type OutcomeConfig } from '../../../src/schedule/outcome.js';
import { initialSchedule } from '../../../src/schedule/params.js';
import { parseIntervalParam } from '../../../src/schedule/duration.js';
import { parseRfc3339 } from '../../../src/schedule/zone.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const INSTANCE = 42;
const RETRY_60S = { intervalMs: MINUTE, multiplier: 1, maxIntervalMs: MINUTE, stopAfterMs: 0 };

const config = (fixedIntervals: boolean, stopAfterMs = 0): OutcomeConfig => ({
  scheduling: { fixedIntervals, randomizationFactor: 0 },
  retry: { ...RETRY_60S, stopAfterMs },
});

const SCHED = Date.UTC(2020, 0, 1, 12);

function job(fields: Partial<Job> = {}): Job {
  return {
    id: 7,
    path: 'check_feed',
    body: '1234',
    interval: 'PT5H',
    location: '',
    nextRun: SCHED,
    nextSched: SCHED,
    instanceId: INSTANCE,
    claimToken: 99,
    lastRun: null,
    lastStatus: null,
    failures: 0,
    ...fields,
  };
}

const claim = { id: 7, key: { path: 'check_feed', body: '1234' }, instanceId: INSTANCE, claimToken: 99 };

describe('decideOutcome', () => {
  const now = SCHED + 1234;

  it("200 for a Go Dalga one-off (interval ''): deleted", () => {
    expect(decideOutcome(job({ interval: '' }), { status: 200 }, now, INSTANCE, config(false))).toEqual({ kind: 'delete', ...claim });
  });

  it('200, periodic: next occurrence, failures back to 0', () => {
    expect(decideOutcome(job({ failures: 3 }), { status: 200 }, now, INSTANCE, config(false))).toEqual({
      kind: 'update',
      ...claim,
      nextRun: now + 5 * HOUR,
      nextSched: now + 5 * HOUR,
      lastRun: now,
      lastStatus: '200',
      failures: 0,
    });
    expect(decideOutcome(job(), { status: 200 }, now, INSTANCE, config(true))).toMatchObject({
      nextRun: SCHED + 5 * HOUR,
      nextSched: SCHED + 5 * HOUR,
    });
  });

  it('200, one-off: deleted', () => {
    expect(decideOutcome(job({ interval: 'P0D' }), { status: 200 }, now, INSTANCE, config(false))).toEqual({ kind: 'delete', ...claim });
  });

  it('204: deleted, one-off or periodic', () => {
    expect(decideOutcome(job(), { status: 204 }, now, INSTANCE, config(false))).toEqual({ kind: 'delete', ...claim });
    expect(decideOutcome(job({ interval: 'P0D' }), { status: 204 }, now, INSTANCE, config(true))).toEqual({ kind: 'delete', ...claim });
  });

  it.each<[string, DeliveryResult, string]>([
    ['400', { status: 400 }, '400'],
    ['500', { status: 500 }, '500'],
    ['201 (only 200 and 204 count)', { status: 201 }, '201'],
    ['302', { status: 302 }, '302'],
    ['timeout', { error: 'timeout' }, 'timeout'],
    ['connection refused', { error: 'connection refused' }, 'connection refused'],
  ])('%s: retried, next_sched unchanged, failures + 1', (_name, result, lastStatus) => {
    for (const interval of ['PT5H', 'P0D']) {
      expect(decideOutcome(job({ interval, failures: 2 }), result, now, INSTANCE, config(false))).toEqual({
        kind: 'update',
        ...claim,
        nextRun: now + MINUTE,
        nextSched: SCHED,
        lastRun: now,
        lastStatus,
        failures: 3,
      });
    }
  });

  it('retries exhausted, periodic: gives this occurrence up and moves to the next regular one', () => {
    const late = SCHED + 10 * MINUTE;
    const cfg = config(true, 10 * MINUTE);
    expect(decideOutcome(job({ failures: 9 }), { status: 500 }, late, INSTANCE, cfg)).toEqual({
      kind: 'update',
      ...claim,
      nextRun: SCHED + 5 * HOUR,
      nextSched: SCHED + 5 * HOUR,
      lastRun: late,
      lastStatus: '500',
      failures: 10,
    });
    expect(decideOutcome(job(), { error: 'timeout' }, late, INSTANCE, config(false, 10 * MINUTE))).toMatchObject({
      nextRun: late + 5 * HOUR,
      nextSched: late + 5 * HOUR,
    });
  });

  it('retries exhausted, one-off: disabled and kept', () => {
    const late = SCHED + 10 * MINUTE;
    expect(decideOutcome(job({ interval: 'P0D', failures: 9 }), { status: 503 }, late, INSTANCE, config(false, 10 * MINUTE))).toEqual({
      kind: 'update',
      ...claim,
      nextRun: null,
      nextSched: SCHED,
      lastRun: late,
      lastStatus: '503',
      failures: 10,
    });
  });

  it('the last retry inside stopAfter still happens', () => {
    const cfg = config(false, 10 * MINUTE);
    expect(decideOutcome(job(), { status: 500 }, SCHED + 9 * MINUTE, INSTANCE, cfg)).toMatchObject({ nextRun: SCHED + 10 * MINUTE });
  });

  it('passes the random source to the next occurrence', () => {
    const cfg = { ...config(false), scheduling: { fixedIntervals: false, randomizationFactor: 0.5 } };
    expect(decideOutcome(job(), { status: 200 }, now, INSTANCE, cfg, () => 0)).toMatchObject({ nextRun: now + 2.5 * HOUR });
  });
});

// Spec §5 scenario vectors: interval PT5H, first run at start + 1h, retry 60 s constant,
// location America/Los_Angeles; "run at" is next_run right after enabling.
describe('scenario vectors (spec §5)', () => {
  const start = parseRfc3339('2020-08-29T09:00:00-07:00');
  const at = (offsetMs: number): number => start + offsetMs;

  function apply(current: Job, outcome: Outcome): Job {
    if (outcome.kind === 'delete') throw new Error('unexpected delete');
    return { ...current, nextRun: outcome.nextRun, nextSched: outcome.nextSched, failures: outcome.failures, lastRun: outcome.lastRun, lastStatus: outcome.lastStatus };
  }

  function runScenario(fixed: boolean, status: number, disableAt: number, enableAt: number): number | null {
    const cfg = config(fixed);
    const first = initialSchedule(
      { oneOff: false, immediate: false, interval: parseIntervalParam('PT5H'), firstRun: at(HOUR), location: 'America/Los_Angeles' },
      start,
    );
    let current: Job = { ...job(), location: 'America/Los_Angeles', interval: first.interval, nextRun: first.nextRun, nextSched: first.nextSched, instanceId: null };
    // Deliver every attempt that falls due before the disable (bounded: a job that never
    // moves forward must fail the test, not hang it).
    for (let attempts = 0; current.nextRun !== null && current.nextRun < disableAt; attempts++) {
      expect(attempts).toBeLessThan(10);
      current = apply(current, decideOutcome(current, { status }, current.nextRun, INSTANCE, cfg));
    }
    const disabled = disableChange(current, cfg.scheduling);
    expect(disabled).not.toBeNull();
    current = { ...current, ...disabled };
    const enabled = enableChange(current, enableAt, cfg.scheduling);
    expect(enabled).not.toBeNull();
    return enabled === null ? null : enabled.nextRun;
  }

  it.each([
    ['brief pause', false, 200, 2 * HOUR, 3 * HOUR, 6 * HOUR],
    ['brief pause', true, 200, 2 * HOUR, 3 * HOUR, 6 * HOUR],
    ['pause during retry', false, 400, HOUR + 30_000, HOUR + 45_000, HOUR + MINUTE],
    ['pause during retry', true, 400, HOUR + 30_000, HOUR + 45_000, 6 * HOUR],
    ['pass over schedule point', false, 200, 2 * HOUR, 7 * HOUR, 6 * HOUR],
    ['pass over schedule point', true, 200, 2 * HOUR, 7 * HOUR, 11 * HOUR],
  ])('%s, fixed=%s, endpoint %d: disable %d, enable %d → runs at %d', (_name, fixed, status, disable, enable, runAt) => {
    expect(runScenario(fixed, status, at(disable), at(enable))).toBe(at(runAt));
  });
});

describe('a clock with fractions of a millisecond', () => {
  // The daemon's clock follows the database's: its offset is measured with half the round
  // trip compensated, so "now" has fractions. The next run must still be scheduled.
  it('schedules the next run of a periodic job instead of disabling it', () => {
    const now = SCHED + 0.5;
    const outcome = decideOutcome(job(), { status: 200 }, now, INSTANCE, config(false));
    expect(outcome).toMatchObject({ kind: 'update', nextRun: now + 5 * HOUR, failures: 0 });
  });
});
