import { randomInt } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';

export interface HeartbeatOptions {
  store: Store;
  clock: Clock;
  instanceId: number;
  log: Logger;
  /** Instances not seen for this long are removed and their jobs released. */
  instanceTimeoutMs: number;
  intervalMs?: number;
  onStoreError?: (err: unknown) => void;
  /** Called after each successful beat (readiness). */
  onBeat?: (at: number) => void;
}

/** A random non-zero 32-bit id, like the original's. */
export function newInstanceId(): number {
  return randomInt(1, 2 ** 32 - 1);
}

/**
 * Keeps this instance's row fresh every second and removes instances that stopped beating,
 * which releases their claimed jobs to the survivors (spec §6).
 */
export class Heartbeat {
  private readonly opts: HeartbeatOptions;
  private readonly stopSignal = new AbortController();
  private loopDone: Promise<void> | undefined;
  lastBeatAt: number | undefined;

  constructor(options: HeartbeatOptions) {
    this.opts = options;
  }

  /** The first beat, awaited: the row exists before the first claim (spec §9 #8). */
  async beat(): Promise<void> {
    const { store, clock, instanceId, instanceTimeoutMs, log } = this.opts;
    const now = clock.now();
    await store.heartbeat(instanceId, now);
    this.lastBeatAt = now;
    this.opts.onBeat?.(now);
    const expired = await store.expireInstances(now, instanceTimeoutMs);
    if (expired > 0) log.warn({ expired }, 'removed instances not seen recently; their jobs are released');
  }

  start(): void {
    this.loopDone ??= this.loop();
  }

  private async loop(): Promise<void> {
    const { clock, log } = this.opts;
    const interval = this.opts.intervalMs ?? 1000;
    while (!this.stopSignal.signal.aborted) {
      await clock.sleep(interval, this.stopSignal.signal);
      if (this.stopSignal.signal.aborted) break;
      try {
        await this.beat();
      } catch (err) {
        this.opts.onStoreError?.(err);
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'heartbeat failed');
      }
    }
  }

  async stop(): Promise<void> {
    this.stopSignal.abort();
    await this.loopDone;
  }
}
