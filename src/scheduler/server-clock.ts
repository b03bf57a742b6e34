import { systemClock, type Clock } from '../clock.js';
import type { Store } from '../store/store.js';

/**
 * "Now" is the database server's clock (spec §6), so instances need no synchronised clocks.
 * Reading UTC_TIMESTAMP(3) in every query would cost a round trip per decision; instead the
 * offset between the server's clock and ours is sampled (half the round trip compensated)
 * and refreshed periodically.
 */
export class ServerClock implements Clock {
  private offsetMs = 0;

  constructor(private readonly store: Store, private readonly base: Clock = systemClock) {}

  now(): number {
    return this.base.now() + this.offsetMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.base.sleep(ms, signal);
  }

  /** Measure the offset; keeps the previous one when the store fails. */
  async sync(): Promise<number> {
    const before = this.base.now();
    const server = await this.store.serverNow();
    const after = this.base.now();
    this.offsetMs = server - (before + after) / 2;
    return this.offsetMs;
  }
}
