import { systemClock, type Clock } from '../clock.js';
import type { Store } from '../store/store.js';

/**
 * "Now" is the database server's clock (spec §6), so instances need no synchronised clocks.
 * Reading UTC_TIMESTAMP(3) in every query would cost a round trip per decision; instead the
 * server's time is sampled (as of the end of the round trip) and carried forward on a
 * monotonic clock until the next sample. Not on the host's wall clock: a step of it (NTP, a
 * resumed VM) would move "now" by the step until the next sample, and an instance a minute
 * ahead expires live peers (whose jobs then run twice), one a minute behind writes heartbeats
 * that look stale to them.
 */
export class ServerClock implements Clock {
  /** Server time at the last sample, and the monotonic reading it belongs to. */
  private serverAt: number;
  private monotonicAt: number;

  constructor(
    private readonly store: Store,
    /** Sleeps; its now() is the first guess before a sample. */
    private readonly base: Clock = systemClock,
    private readonly monotonic: () => number = () => performance.now(),
  ) {
    this.serverAt = base.now();
    this.monotonicAt = monotonic();
  }

  now(): number {
    return Math.round(this.serverAt + (this.monotonic() - this.monotonicAt));
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }

  /** Sample the server's clock; keeps the previous sample when the store fails. Answers how far "now" moved. */
  async sync(): Promise<number> {
    const predicted = this.now();
    const server = await this.store.serverNow();
    const after = this.monotonic();
    // The server read its clock at some point of the round trip. Tying the reading to its end
    // can only make "now" lag the server (by up to the round trip), never lead it: with the
    // midpoint, a query that waited before it was sent (a busy event loop) made jobs fire early.
    this.serverAt = server;
    this.monotonicAt = after;
    return this.now() - predicted;
  }
}
