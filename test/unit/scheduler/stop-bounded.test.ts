import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../src/delivery/delivery.js';
import { silentLogger } from '../../../src/log.js';
import type { Job } from '../../../src/schedule/job.js';
import { Scheduler } from '../../../src/scheduler/scheduler.js';
import type { Store } from '../../../src/store/store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { aJob } from '../../support/job.js';

// Scheduler.stop(timeout) ends within its timeout whatever the store does: here the store
// never answers an outcome write (a silent database), and the clock alone ends the stop.

describe('Scheduler.stop', () => {
  it('is bounded by its timeout while the store does not answer', async () => {
    const clock = new FakeClock();
    const due: Job[] = [aJob({ id: 1, interval: 'PT1H', nextRun: clock.now(), nextSched: clock.now(), instanceId: 1 })];
    let writes = 0;
    const store = {
      claimDue: async () => due.splice(0),
      nextDueAt: async () => null,
      pausedSince: async () => null,
      recordOutcomes: () => {
        writes++;
        return new Promise<void>(() => undefined);
      },
    } as unknown as Store;
    const delivery: Delivery = {
      post: async () => ({ status: 200 }),
      abortRunning: () => undefined,
      warmUp: async () => undefined,
      close: async () => undefined,
    };
    const scheduler = new Scheduler({
      store,
      delivery,
      clock,
      instanceId: 1,
      log: silentLogger,
      maxRunning: 10,
      scanFrequencyMs: 1000,
      outcome: { scheduling: { fixedIntervals: false, randomizationFactor: 0 }, retry: { intervalMs: 1000, multiplier: 1, maxIntervalMs: 1000, stopAfterMs: 0 } },
    });
    scheduler.start();
    await expect.poll(() => writes).toBe(1);

    let stopped = false;
    const stop = scheduler.stop(2000).then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    clock.advance(1999);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    clock.advance(1);
    await stop;
    expect(stopped).toBe(true);
  });
});
