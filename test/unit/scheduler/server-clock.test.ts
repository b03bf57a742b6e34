import { describe, expect, it } from 'vitest';
import { ServerClock } from '../../../src/scheduler/server-clock.js';
import type { Store } from '../../../src/store/store.js';

// The database's clock is sampled over a round trip whose two halves need not be equal: on a
// loaded machine the query often waits before it is sent, so the server reads its clock late in
// the round trip. "Now" must then never run ahead of the server (a job would fire early).

/** A monotonic clock the test moves by hand, and a server whose clock equals it plus `skew`. */
function setup(skew: number, readAt: (before: number, after: number) => number, roundTrip: number) {
  let mono = 1_000;
  const store = {
    serverNow: async () => {
      const before = mono;
      mono += roundTrip;
      return readAt(before, mono) + skew;
    },
  } as unknown as Store;
  const clock = new ServerClock(store, { now: () => 0, sleep: async () => undefined }, () => mono);
  return { clock, trueServerNow: () => mono + skew, advance: (ms: number) => (mono += ms) };
}

describe('ServerClock', () => {
  for (const [name, readAt] of [
    ['at the end of the round trip', (_b: number, a: number) => a],
    ['at its start', (b: number) => b],
    ['in the middle', (b: number, a: number) => (a + b) / 2],
  ] as const) {
    it(`never runs ahead of the server when the server reads its clock ${name}`, async () => {
      const { clock, trueServerNow, advance } = setup(5_000, readAt, 20);
      await clock.sync();
      for (let i = 0; i < 5; i++) {
        expect(clock.now()).toBeLessThanOrEqual(trueServerNow());
        expect(trueServerNow() - clock.now()).toBeLessThanOrEqual(20); // late by at most a round trip
        advance(7);
      }
    });
  }
});
