// The only place that reads the system time for scheduling. Tests inject a fake clock
// (test/support/fake-clock.ts) so time-dependent behaviour is tested without sleeping.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolve after `ms` (or at once when `signal` aborts; never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** A clock offset from the system clock, e.g. to follow the database server's clock. */
export function offsetClock(base: Clock, offset: () => number): Clock {
  return { now: () => base.now() + offset(), sleep: (ms, signal) => base.sleep(ms, signal) };
}
