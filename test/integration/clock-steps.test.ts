// A step of the host's wall clock (NTP, a resumed VM) forward by 90 s and back: no live peer is
// expired, and no instance's heartbeat falls behind the others'. On MariaDB "now" is the
// server's clock carried on a monotonic clock between samples; on SQLite the processes share the
// host's clock and a step of it pauses expiry until everyone has beaten on the new time. The
// wall and monotonic clocks are injected; the stores are real.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock, type Clock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { Heartbeat } from '../../src/scheduler/instance.js';
import { ServerClock } from '../../src/scheduler/server-clock.js';
import { openMysqlStore } from '../../src/store/mysql.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, skipMysql, type TestDatabase } from '../support/mysql.js';

const TIMEOUT = 60_000;
let store: Store | undefined;
let db: TestDatabase | undefined;
let passed = true;
afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail') passed = false;
  await store?.close();
  store = undefined;
});
afterAll(async () => {
  if (passed) await db?.drop();
});

/** The host: a wall clock the test steps, and a monotonic clock the test advances. */
function host() {
  const start = Date.now();
  const h = {
    step: 0,
    mono: 1_000_000,
    /** Runs with the monotonic clock, plus the step. */
    wall: (): Clock => ({ now: () => start + (h.mono - 1_000_000) + h.step, sleep: systemClock.sleep }),
    monotonic: () => h.mono,
  };
  return h;
}

function heartbeat(s: Store, clock: Clock, instanceId: number, monotonic: () => number): Heartbeat {
  return new Heartbeat({ store: s, clock, instanceId, log: silentLogger, instanceTimeoutMs: TIMEOUT, monotonic });
}

async function beats(s: Store): Promise<Map<number, number>> {
  return new Map((await s.listInstances(100)).map((i) => [i.id, i.lastHeartbeat]));
}

/** Both rows there, written within a few seconds of each other. */
async function expectBothAlive(s: Store, what: string): Promise<void> {
  const rows = await beats(s);
  expect([...rows.keys()].sort(), what).toEqual([1, 2]);
  expect(Math.abs(rows.get(1)! - rows.get(2)!), `${what}: heartbeats apart`).toBeLessThan(5000);
}

describe.skipIf(skipMysql())('wall-clock steps on MariaDB (the server clock, carried on a monotonic clock)', () => {
  it('a host stepping 90 s forward and back expires no live peer', async () => {
    db = await createTestDatabase();
    store = await openMysqlStore(db.options);
    await store.createTables();
    const a = host(); // the host that steps
    const b = host();
    const clockA = new ServerClock(store, a.wall(), a.monotonic);
    const clockB = new ServerClock(store, b.wall(), b.monotonic);
    await clockA.sync();
    await clockB.sync();
    const beatA = heartbeat(store, clockA, 1, a.monotonic);
    const beatB = heartbeat(store, clockB, 2, b.monotonic);
    await beatA.beat();
    await beatB.beat();

    for (const step of [90_000, 0, -90_000]) {
      a.step = step;
      a.mono += 1000;
      b.mono += 1000;
      await beatA.beat();
      expect((await beats(store)).has(2), `step ${step}: B still there after A's beat`).toBe(true);
      await beatB.beat();
      await expectBothAlive(store, `step ${step}`);
      // The minute's new sample changes nothing: the server's clock did not step.
      expect(Math.abs(await clockA.sync())).toBeLessThan(2000);
    }
  });
});

describe('wall-clock steps on SQLite (processes of one host share its clock)', () => {
  it('a step of 90 s forward and back expires no live peer; expiry resumes after instanceTimeout', async () => {
    store = await openSqliteStore({ path: ':memory:', table: 'dalga' });
    await store.createTables();
    const h = host();
    const clock = h.wall();
    const beatA = heartbeat(store, clock, 1, h.monotonic);
    const beatB = heartbeat(store, clock, 2, h.monotonic);
    await beatA.beat();
    await beatB.beat();
    await store.heartbeat(3, clock.now()); // an instance that dies now

    for (const step of [90_000, 0, -90_000]) {
      h.step = step;
      h.mono += 1000;
      await beatA.beat();
      expect((await beats(store)).has(2), `step ${step}: B still there after A's beat`).toBe(true);
      await beatB.beat();
      expect((await beats(store)).has(1), `step ${step}: A still there after B's beat`).toBe(true);
    }
    // Expiry is paused, not off: once every live instance had instanceTimeout to beat, the dead one goes.
    h.step = 0;
    for (let i = 0; i <= TIMEOUT / 1000; i++) {
      h.mono += 1000;
      await beatA.beat();
      await beatB.beat();
    }
    await expectBothAlive(store, 'after the pause');
    expect((await beats(store)).has(3)).toBe(false);
  });
});
