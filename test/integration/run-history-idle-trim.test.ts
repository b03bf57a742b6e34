// history.maxAge holds on a quiet table too: after a burst of one-off jobs and no delivery since,
// the attempts past the age are deleted by the instance's own timer, not at the next delivery.
import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { RunHistory } from '../../src/scheduler/run-history.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { FakeClock } from '../support/fake-clock.js';

describe('run history age trim without deliveries', () => {
  let history: RunHistory | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    history?.stop();
    await store?.close();
  });

  it('deletes attempts older than history.maxAge while nothing is delivered', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    store = await openSqliteStore({ path: ':memory:', table: 'dalga' });
    await store.createTables();
    history = new RunHistory({ store, clock, log: pino({ level: 'silent' }), keep: 100, maxAgeMs: 60_000 });
    history.start();
    const t0 = clock.now();
    const keys = Array.from({ length: 5 }, (_, i) => ({ path: 'once', body: `job${i}` }));
    history.add(keys.map((k) => ({ ...k, sched: t0, startedAt: t0, durationMs: 1, status: '200', outcome: 'done' as const, attempt: 1, instanceId: 1 })));
    await history.flush();
    expect((await store.listRuns(keys[0]!, 10)).length).toBe(1);

    clock.advance(61_000); // past maxAge, and past the trim period; no delivery meanwhile
    await vi.waitFor(async () => {
      for (const key of keys) expect(await store!.listRuns(key, 10)).toEqual([]);
    }, { timeout: 2000, interval: 20 });

    // Writing goes on after an idle trim.
    const t1 = clock.now();
    history.add([{ ...keys[0]!, sched: t1, startedAt: t1, durationMs: 1, status: '500', outcome: 'retry', attempt: 1, instanceId: 1 }]);
    await history.flush();
    expect((await store.listRuns(keys[0]!, 10)).map((r) => r.status)).toEqual(['500']);
  });
});
