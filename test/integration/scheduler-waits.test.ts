// When the scheduler wakes, and what it costs while it waits: a retry fires at its own next run
// (not at the next scan), many jobs due at one instant share one timer (no listener-leak
// warning), and a due row locked by another MariaDB session makes the loop back off instead of
// claiming thousands of times a second. The fake clock decides every wake-up: nothing is timed.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openMysqlStore } from '../../src/store/mysql.js';
import type { Store } from '../../src/store/store.js';
import { startHarness, type Harness } from '../support/harness.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';

let h: Harness | undefined;
let store: Store | undefined;
let db: TestDatabase | undefined;
let passed = true;
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') passed = false;
  await h?.close();
  await store?.close();
  h = undefined;
  store = undefined;
});
afterAll(async () => {
  if (passed) await db?.drop();
});

/** Lets the event loop and the loopback sockets run, without the fake clock moving. */
function settle(ms = 50): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe('retries on time', () => {
  it('fires a retry at its next run, not at the next scan', async () => {
    // scanFrequency is 1 s in the harness; the retry is due 300 ms after the failed attempt.
    h = await startHarness({ retry: { intervalMs: 300, maxIntervalMs: 300 } });
    h.endpoint.respond = 500;
    h.scheduler.start();
    await h.api('PUT', '/jobs/flaky/1?interval=PT1H&immediate=true');
    await h.endpoint.waitFor(1);
    const t0 = h.clock.now();
    await expect.poll(async () => (await h!.store.getJob({ path: 'flaky', body: '1' }))?.failures).toBe(1);
    await settle();

    h.clock.set(t0 + 299);
    await settle();
    expect(h.endpoint.received).toHaveLength(1);
    h.clock.set(t0 + 300);
    await h.endpoint.waitFor(2, 5000);
    await expect.poll(() => h!.attempts.length).toBe(2);
    expect(h.attempts[1]!.startedAt).toBe(t0 + 300);
  });
});

describe('many jobs due at one instant', () => {
  it('wait on one timer: no MaxListenersExceededWarning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error): void => void warnings.push(w);
    process.on('warning', onWarning);
    try {
      h = await startHarness({ claimAheadMs: 50 });
      const t0 = h.clock.now();
      const at = encodeURIComponent(new Date(t0 + 250).toISOString());
      for (let i = 0; i < 30; i++) await h.api('PUT', `/jobs/burst/${i}?one-off=true&first-run=${at}`);
      h.clock.set(t0 + 200);
      const run = h.scheduler.runOnce();
      await expect.poll(async () => (await h!.store.status(h!.instanceId, h!.clock.now())).instanceRunningJobs).toBe(30);
      await settle();
      expect(h.endpoint.received).toHaveLength(0);
      h.clock.set(t0 + 250);
      expect(await run).toBe(30);
      expect(h.endpoint.received).toHaveLength(30);
      await settle(10);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });
});

describe.skipIf(skipMysql())('a due row locked by another MariaDB session', () => {
  it('backs off instead of claiming again at once, and claims the row once it is free', async () => {
    db = await createTestDatabase();
    const real = await openMysqlStore(db.options);
    store = real;
    let claims = 0;
    const counted: Store = Object.assign(Object.create(real) as Store, {
      claimDue: (instanceId: number, now: number, limit: number) => {
        claims++;
        return real.claimDue(instanceId, now, limit);
      },
    });
    h = await startHarness({ store: counted, start: Date.now() });
    const now = h.clock.now();
    await real.putJob({ path: 'locked', body: '1', interval: 'P0D', location: '', nextRun: now, nextSched: now });

    const admin = await db.admin();
    try {
      await admin.query('START TRANSACTION');
      await admin.query("SELECT * FROM dalga WHERE path = 'locked' FOR UPDATE");
      h.scheduler.start();
      await expect.poll(() => claims).toBeGreaterThanOrEqual(1);
      await settle(300);
      // Today's loop claimed hundreds of times here; the clock has not moved.
      expect(claims).toBeLessThanOrEqual(3);

      // Each scan frequency (1 s) of clock lets it try again, at most a few times.
      for (let i = 0; i < 5; i++) {
        const before = claims;
        h.clock.advance(1000);
        await expect.poll(() => claims - before, { message: `claims in scan ${i + 1}` }).toBeGreaterThanOrEqual(1);
        await settle(100);
        expect(claims - before, `claims in scan ${i + 1}`).toBeLessThanOrEqual(3);
      }
      expect(h.endpoint.received).toHaveLength(0);
      await admin.query('COMMIT');
    } finally {
      await admin.end();
    }
    // Free again: claimed within one scan frequency.
    h.clock.advance(1000);
    await h.endpoint.waitFor(1, 3000);
  });
});
