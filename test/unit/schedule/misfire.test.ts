import { describe, expect, it } from 'vitest';
import { MISFIRE_GRACE_MS, parkedCronRepair, parseCatchup, planClaimed, PARKED_AFTER_MS } from '../../../src/schedule/misfire.js';
import { aJob } from '../../support/job.js';

const T = Date.parse('2026-01-05T10:00:00Z');
const MIN = 60_000;

describe('planClaimed', () => {
  const cronJob = (over: Parameters<typeof aJob>[0] = {}) => aJob({ cron: '* * * * *', interval: 'P1000Y', location: '', nextRun: T - 3 * MIN, nextSched: T - 3 * MIN, ...over });

  it('delivers an occurrence claimed within the grace as it is, whatever the policy', () => {
    for (const misfire of ['once', 'skip', 'all'] as const) {
      const job = cronJob({ misfire, nextRun: T - MISFIRE_GRACE_MS, nextSched: T - MISFIRE_GRACE_MS });
      expect(planClaimed(job, T, 7)).toEqual({ kind: 'deliver', job, skipped: 0 });
    }
  });

  it('skip moves to the first occurrence after now, counting the missed ones', () => {
    const plan = planClaimed(cronJob({ misfire: 'skip' }), T + 30_000, 7);
    expect(plan).toMatchObject({ kind: 'skip', skipped: 4, outcome: { nextRun: T + MIN, nextSched: T + MIN, lastStatus: 'skipped 4 missed (misfire=skip)' } });
  });

  it('all starts at the oldest occurrence inside the catch-up window', () => {
    const plan = planClaimed(cronJob({ misfire: 'all', catchup: 'PT90S', nextRun: T - 10 * MIN, nextSched: T - 10 * MIN }), T + 30_000, 7);
    expect(plan.kind).toBe('deliver');
    expect(plan.skipped).toBe(9);
    if (plan.kind === 'deliver') expect(plan.job.nextSched).toBe(T - MIN);
  });

  it('leaves retries, run-now requests and one-off jobs alone', () => {
    expect(planClaimed(cronJob({ misfire: 'skip', nextRun: T - MIN }), T, 7).kind).toBe('deliver');
    expect(planClaimed(cronJob({ misfire: 'skip', runNow: T }), T, 7).kind).toBe('deliver');
    expect(planClaimed(aJob({ interval: 'P0D', misfire: 'skip', nextRun: T - 3 * MIN, nextSched: T - 3 * MIN }), T, 7).kind).toBe('deliver');
  });
});

describe('parseCatchup', () => {
  it('takes weeks, days, hours, minutes, seconds; refuses zero, years and months', () => {
    expect(parseCatchup('PT1H')).toBe(3_600_000);
    expect(parseCatchup('P1W1D')).toBe(8 * 86_400_000);
    expect(() => parseCatchup('PT0S')).toThrow(/longer than zero/);
    expect(() => parseCatchup('P1M')).toThrow(/not years or months/);
  });
});

describe('parkedCronRepair', () => {
  it('puts a cron job parked far ahead back on its expression; a disabled one stays disabled', () => {
    const far = T + PARKED_AFTER_MS + 1;
    const parked = aJob({ cron: '0 9 * * *', location: 'Europe/Istanbul', nextRun: far, nextSched: far, instanceId: null });
    expect(parkedCronRepair(parked, T)).toEqual({ nextRun: Date.parse('2026-01-06T06:00:00Z'), nextSched: Date.parse('2026-01-06T06:00:00Z') });
    expect(parkedCronRepair({ ...parked, nextRun: null }, T)?.nextRun).toBeNull();
    expect(parkedCronRepair({ ...parked, nextSched: T + 1000 }, T)).toBeNull();
    expect(parkedCronRepair({ ...parked, instanceId: 7 }, T)).toBeNull();
    expect(parkedCronRepair({ ...parked, cron: null }, T)).toBeNull();
  });
});
