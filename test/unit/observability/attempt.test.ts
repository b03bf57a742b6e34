import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../src/log.js';
import { attemptFields, classifyAttempt, logAttempt } from '../../../src/observability/attempt.js';
import type { Job, Outcome } from '../../../src/schedule/job.js';
import { decideOutcome, type DeliveryResult, type OutcomeConfig } from '../../../src/schedule/outcome.js';
import type { AttemptEvent } from '../../../src/scheduler/scheduler.js';

// Outcomes come from the real decideOutcome, so the kinds follow the scheduler's rules.

const T0 = Date.parse('2020-01-13T22:09:00Z');
const periodic: Job = { id: 1, path: 'p', body: 'b', interval: 'PT1H', location: '', nextRun: T0, nextSched: T0, instanceId: 7, lastRun: null, lastStatus: null, failures: 0, claimToken: 99 };
const oneOff: Job = { ...periodic, interval: 'P0D' };
const cfg = (stopAfterMs: number): OutcomeConfig => ({
  scheduling: { fixedIntervals: false, randomizationFactor: 0 },
  retry: { intervalMs: 60_000, multiplier: 1, maxIntervalMs: 60_000, stopAfterMs },
});

function event(job: Job, result: DeliveryResult, stopAfterMs = 0, startedAt = T0): AttemptEvent {
  const outcome = decideOutcome(job, result, startedAt, 7, cfg(stopAfterMs));
  return { job, result, outcome, startedAt, finishedAt: startedAt + 42 };
}

describe('classifyAttempt', () => {
  it.each([
    ['a periodic job answered 200', event(periodic, { status: 200 }), 'success'],
    ['a one-off job answered 200 (deleted)', event(oneOff, { status: 200 }), 'success'],
    ['204', event(periodic, { status: 204 }), 'deleted'],
    ['500 with retries left', event(periodic, { status: 500 }), 'retried'],
    ['another 2xx is a failure', event(periodic, { status: 201 }), 'retried'],
    ['a timeout with retries left', event(oneOff, { error: 'timeout after 10000ms' }), 'retried'],
    ['a periodic job out of retries (moves to its next occurrence)', event(periodic, { status: 500 }, 30_000), 'failed'],
    ['a one-off job out of retries (disabled)', event(oneOff, { status: 500 }, 30_000), 'failed'],
  ] as const)('%s → %s', (_name, e, kind) => {
    expect(classifyAttempt(e)).toBe(kind);
  });

  // A run now (POST /jobs/…) leaves the schedule as it is and is never retried: a disabled job
  // that answered 200 was logged at error as "delivery failed; gave up", an enabled one that
  // answered 500 as "will retry".
  const manual = (job: Job): Job => ({ ...job, runNow: T0 + 5000 });
  it.each([
    ['a run now of a disabled job answered 200', event(manual({ ...periodic, nextRun: null }), { status: 200 }, 30_000, T0 + 5000), 'success'],
    ['a run now answered 200', event(manual(periodic), { status: 200 }, 30_000, T0 + 5000), 'success'],
    ['a run now answered 500 (not retried)', event(manual(periodic), { status: 500 }, 30_000, T0 + 5000), 'failed'],
    ['a run now of a disabled job answered 500', event(manual({ ...periodic, nextRun: null }), { status: 500 }, 30_000, T0 + 5000), 'failed'],
  ] as const)('%s → %s', (_name, e, kind) => {
    expect(classifyAttempt(e)).toBe(kind);
  });

  it('calls a row that cannot be scheduled (disabled) failed', () => {
    const outcome: Outcome = { kind: 'update', id: 1, key: periodic, instanceId: 7, claimToken: 99, nextRun: null, nextSched: T0, lastRun: T0, lastStatus: 'invalid interval', failures: 1 };
    expect(classifyAttempt({ job: periodic, result: { invalid: 'invalid interval "x"' }, outcome })).toBe('failed');
    expect(classifyAttempt({ job: periodic, result: { status: 200 }, outcome })).toBe('failed');
  });
});

describe('attemptFields', () => {
  it('gives a run now its own dalga-sched (the request time), lateness from it, and trigger manual', () => {
    const job: Job = { ...periodic, nextRun: T0 + 3_600_000, nextSched: T0 + 3_600_000, runNow: T0 + 5000 };
    expect(attemptFields(event(job, { status: 200 }, 0, T0 + 5007))).toMatchObject({
      sched: '2020-01-13T22:09:05.000Z',
      trigger: 'manual',
      latenessMs: 7,
      outcome: 'success',
    });
  });

  it('names the job, the occurrence, the answer, the duration and the lateness', () => {
    const e = event(periodic, { status: 500 }, 0, T0 + 1500);
    expect(attemptFields(e)).toEqual({
      path: 'p',
      body: 'b',
      sched: '2020-01-13T22:09:00.000Z',
      status: 500,
      durationMs: 42,
      latenessMs: 1500,
      outcome: 'retried',
      nextRun: '2020-01-13T22:10:01.500Z',
      failures: 1,
    });
  });

  it('gives the error text when there was no answer', () => {
    expect(attemptFields(event(oneOff, { error: 'connection refused' }))).toMatchObject({ error: 'connection refused', outcome: 'retried' });
  });
});

describe('logAttempt', () => {
  function recorder(): { log: Logger; lines: [string, string][] } {
    const lines: [string, string][] = [];
    const at = (level: string) => (a: object | string, msg?: string) => void lines.push([level, typeof a === 'string' ? a : (msg ?? '')]);
    const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), fatal: at('fatal'), child: () => log, isLevelEnabled: () => true } as Logger;
    return { log, lines };
  }

  it('logs successes at debug, retries at warn and give-ups at error', () => {
    const { log, lines } = recorder();
    logAttempt(log, event(periodic, { status: 200 }));
    logAttempt(log, event(oneOff, { status: 204 }));
    logAttempt(log, event(periodic, { status: 503 }));
    logAttempt(log, event(oneOff, { status: 503 }, 30_000));
    expect(lines).toEqual([
      ['debug', 'delivered'],
      ['debug', 'delivered'],
      ['warn', 'delivery failed; will retry'],
      ['error', 'delivery failed; gave up'],
    ]);
  });

  it('logs successes at info when asked (a terminal), and names the target URL', () => {
    const { log, lines } = recorder();
    const fields: Record<string, unknown>[] = [];
    const capture = { ...log, info: (o: object | string, msg?: string) => (fields.push(o as Record<string, unknown>), log.info(o as object, msg)) } as Logger;
    logAttempt(capture, event(periodic, { status: 200 }), { successLevel: 'info', targetUrl: (path) => `http://127.0.0.1:5000/${path}` });
    expect(lines).toEqual([['info', 'delivered']]);
    expect(fields[0]).toMatchObject({ url: `http://127.0.0.1:5000/${periodic.path}` });
  });
});
