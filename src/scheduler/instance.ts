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
  /** A clock that never steps (tests inject one); default performance.now(). */
  monotonic?: () => number;
}

/** A change of the clock against the monotonic one beyond this between beats is a step. */
const STEP_TOLERANCE_MS = 1000;

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
  private readonly monotonic: () => number;
  /** clock.now() − monotonic() at the last beat: a change of it is a step of the clock. */
  private skew: number | undefined;
  /** Monotonic time before which no instance is expired (after a step of the clock). */
  private expireNotBefore = Number.NEGATIVE_INFINITY;
  lastBeatAt: number | undefined;

  constructor(options: HeartbeatOptions) {
    this.opts = options;
    this.monotonic = options.monotonic ?? (() => performance.now());
  }

  /** The first beat, awaited: the row exists before the first claim (spec §9 #8). */
  async beat(): Promise<void> {
    const { store, clock, instanceId, instanceTimeoutMs, log } = this.opts;
    const now = clock.now();
    const mono = this.monotonic();
    this.noticeStep(now, mono);
    await store.heartbeat(instanceId, now);
    this.lastBeatAt = now;
    this.opts.onBeat?.(now);
    if (mono < this.expireNotBefore) return;
    const expired = await store.expireInstances(now, instanceTimeoutMs);
    if (expired > 0) log.warn({ expired }, 'removed instances not seen recently; their jobs are released');
  }

  /**
   * The clock stepped (the host's wall clock on SQLite, whose processes share it; a new sample
   * of the database server's clock): every heartbeat written before the step is off by it, and
   * a forward step would make live peers look dead. So none is expired until each had
   * instanceTimeout to beat on the new time.
   */
  private noticeStep(now: number, mono: number): void {
    const skew = now - mono;
    const step = this.skew === undefined ? 0 : skew - this.skew;
    this.skew = skew;
    if (Math.abs(step) <= STEP_TOLERANCE_MS) return;
    this.expireNotBefore = mono + this.opts.instanceTimeoutMs;
    this.opts.log.warn({ stepMs: Math.round(step), expiryPausedMs: this.opts.instanceTimeoutMs }, 'the clock stepped; expiring instances pauses until every live one has beaten on the new time');
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
