import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../src/delivery/delivery.js';
import { silentLogger } from '../../../src/log.js';
import type { Job, Outcome } from '../../../src/schedule/job.js';
import type { DeliveryResult } from '../../../src/schedule/outcome.js';
import { Scheduler } from '../../../src/scheduler/scheduler.js';
import type { Store } from '../../../src/store/store.js';
import { FakeClock } from '../../support/fake-clock.js';
import { aJob } from '../../support/job.js';

// How many jobs a claim asks for. jobs.maxRunning bounds the POSTs in progress; a claim may run
// ahead of the idle slots by the POSTs that finished during the previous claim's round trip
// (a fast endpoint draining a backlog), never when nothing finished (a slow endpoint: the jobs
// are left in the table for other instances). Store and delivery are scripted here, so each
// step is decided by the test, not by timing.

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

let nextId = 1;
function dueJob(): Job {
  const id = nextId++;
  return aJob({ id, body: String(id), interval: 'PT0S', nextRun: 0, nextSched: 0, instanceId: 1 });
}

/** A store whose claims the test answers one by one; every limit asked for is kept. */
function scriptedStore() {
  const claims: { limit: number; answer: Deferred<Job[]> }[] = [];
  let claimed = deferred<void>();
  let ended = false;
  const store = {
    async claimDue(_instanceId: number, _now: number, limit: number): Promise<Job[]> {
      const answer = deferred<Job[]>();
      if (ended) return [];
      claims.push({ limit, answer });
      claimed.resolve();
      return answer.promise;
    },
    async nextDueAt(): Promise<number | null> {
      return 0;
    },
    async pausedSince(): Promise<number | null> {
      return null;
    },
    async recordOutcomes(_outcomes: readonly Outcome[]): Promise<void> {},
  };
  return {
    store: store as unknown as Store,
    claims,
    /** From now on every claim, the one in flight included, finds nothing. */
    end(): void {
      ended = true;
      for (const c of claims) c.answer.resolve([]);
    },
    /** Resolves once the scheduler has asked for claim number `n` (1-based). */
    async claimAsked(n: number): Promise<{ limit: number; answer: Deferred<Job[]> }> {
      while (claims.length < n) {
        await claimed.promise;
        claimed = deferred<void>();
      }
      return claims[n - 1]!;
    },
  };
}

/** A delivery whose POSTs stay open until the test finishes them. */
function scriptedDelivery() {
  const open: Deferred<DeliveryResult>[] = [];
  const delivery: Delivery = {
    post: () => {
      const d = deferred<DeliveryResult>();
      open.push(d);
      return d.promise;
    },
    abortRunning: () => {
      for (const d of open.splice(0)) d.resolve({ error: 'aborted' });
    },
    warmUp: async () => {},
    close: async () => {},
  };
  return {
    delivery,
    /** How many POSTs are in progress. */
    get running(): number {
      return open.length;
    },
    /** Answers 200 to the `count` oldest POSTs. */
    finish(count: number): void {
      for (const d of open.splice(0, count)) d.resolve({ status: 200 });
    },
  };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

/** A running scheduler on a scripted store and delivery. */
function started(maxRunning: number) {
  const s = scriptedStore();
  const d = scriptedDelivery();
  const sched = new Scheduler({
    store: s.store,
    delivery: d.delivery,
    clock: new FakeClock(0),
    instanceId: 1,
    log: silentLogger,
    maxRunning,
    scanFrequencyMs: 1000,
    outcome: {
      scheduling: { fixedIntervals: false, randomizationFactor: 0 },
      retry: { intervalMs: 60_000, multiplier: 1, maxIntervalMs: 60_000, stopAfterMs: 0 },
    },
  });
  sched.start();
  return { s, d, sched };
}

describe('claim size', () => {
  it('runs ahead of the idle slots by the POSTs that finished during the previous claim, yet never POSTs more than maxRunning at once', async () => {
    const { s, d, sched } = started(4);

    const first = await s.claimAsked(1);
    expect(first.limit).toBe(4);
    first.answer.resolve([dueJob(), dueJob(), dueJob(), dueJob()]);
    await settle();
    expect(d.running).toBe(4);

    d.finish(2); // two slots free: the next claim asks for those two
    const second = await s.claimAsked(2);
    expect(second.limit).toBe(2);
    d.finish(2); // the other two finish while that claim is in flight
    await settle();
    second.answer.resolve([dueJob(), dueJob()]);
    await settle();
    expect(d.running).toBe(2);

    // Two slots are idle, and two POSTs finished during the last claim: ask for four.
    const third = await s.claimAsked(3);
    expect(third.limit).toBe(4);
    third.answer.resolve([dueJob(), dueJob(), dueJob(), dueJob()]);
    await settle();
    expect(d.running).toBe(4); // two started, two wait for a slot
    d.finish(4);
    await settle();
    expect(d.running).toBe(2); // the waiting two started as slots freed
    d.finish(2);
    s.end();
    await sched.stop(100);
  });

  it('does not run ahead when nothing finished during the previous claim (a slow endpoint)', async () => {
    const { s, d, sched } = started(4);

    const first = await s.claimAsked(1);
    first.answer.resolve([dueJob(), dueJob(), dueJob(), dueJob()]);
    await settle();
    d.finish(2);
    const second = await s.claimAsked(2);
    expect(second.limit).toBe(2);
    second.answer.resolve([dueJob(), dueJob()]); // nothing finished meanwhile
    await settle();
    d.finish(1);
    const third = await s.claimAsked(3);
    expect(third.limit).toBe(1);
    d.finish(3);
    s.end();
    await sched.stop(100);
  });
});
