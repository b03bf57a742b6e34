import type { Clock } from '../clock.js';
import type { Delivery } from '../delivery/delivery.js';
import type { Logger } from '../log.js';
import type { Job, Outcome } from '../schedule/job.js';
import { decideOutcome, type DeliveryResult, type OutcomeConfig } from '../schedule/outcome.js';
import { parseIsoDuration } from '../schedule/duration.js';
import { isValidZone } from '../schedule/zone.js';
import type { Store } from '../store/store.js';

export interface SchedulerOptions {
  store: Store;
  delivery: Delivery;
  clock: Clock;
  instanceId: number;
  log: Logger;
  /** jobs.maxRunning: claimed-but-unfinished jobs of this instance at most. */
  maxRunning: number;
  /** jobs.scanFrequency in ms: the longest sleep when no job is known to be due sooner. */
  scanFrequencyMs: number;
  /**
   * Claim jobs this much before they fall due and hold them until their instant, so the claim's
   * round trip and commit do not make them late. 0 (the default) claims only what is due.
   */
  claimAheadMs?: number;
  outcome: OutcomeConfig;
  random?: () => number;
  /** Observes every finished attempt (metrics, tests). */
  onAttempt?: (event: AttemptEvent) => void;
  /** Observes store failures of the loop (metrics). */
  onStoreError?: (err: unknown) => void;
  /** Observes the size of every claim batch, empty ones included (metrics). */
  onClaim?: (count: number) => void;
}

export interface AttemptEvent {
  job: Job;
  result: DeliveryResult | { invalid: string };
  outcome: Outcome;
  /** When the attempt started and finished (clock ms). */
  startedAt: number;
  finishedAt: number;
}

const MAX_BACKOFF_MS = 10_000;

/**
 * Claims due jobs, POSTs them and records the outcomes, in batches.
 * One loop: claim up to the free slots; then sleep until the earliest due job, the scan
 * frequency, a notify() about an earlier job, or a freed slot — whichever comes first.
 */
export class Scheduler {
  private readonly opts: SchedulerOptions;
  /** Claimed and not yet released (delivering, or outcome not yet written). */
  private inFlight = 0;
  /** POSTs in progress: what jobs.maxRunning bounds. */
  private delivering = 0;
  /** Claimed jobs waiting for a POST slot (a claim may run ahead of the deliveries). */
  private readonly queued: Job[] = [];
  /** POSTs finished so far, and how many of them finished while the last claim was in flight. */
  private deliveriesFinished = 0;
  private finishedDuringClaim = 0;
  private pending: Outcome[] = [];
  private flushing: Promise<void> | undefined;
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wake = new AbortController();
  private sleepingUntil = Number.POSITIVE_INFINITY;
  private readonly deliveries = new Set<Promise<void>>();
  private readonly abortDeliveries = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private shutdownFlushFailures = 0;
  private flushScheduled = false;
  /** The last claim filled every free slot: a backlog is being drained. */
  private busy = false;

  constructor(options: SchedulerOptions) {
    this.opts = options;
  }

  /** Jobs claimed by this instance and not yet recorded. */
  get running(): number {
    return this.inFlight;
  }

  start(): void {
    this.loopDone ??= this.loop();
  }

  /** A job was scheduled or enabled to run at `nextRun`: wake up now if that is earlier than planned. */
  notify(nextRun: number): void {
    if (nextRun < this.sleepingUntil) this.interrupt();
  }

  /**
   * One pass for tests and tools: claim what is due now (up to the free slots), deliver it and
   * record every outcome. Resolves when all of it is stored. Answers how many were claimed.
   */
  async runOnce(): Promise<number> {
    const claimed = await this.claimAndDispatch();
    await this.idle();
    return claimed;
  }

  /** Stop claiming; let running deliveries finish within `timeoutMs`, abort the rest; store what finished. */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.interrupt();
    await this.loopDone;
    const finished = this.idle();
    const { clock } = this.opts;
    const timer = new AbortController();
    await Promise.race([finished, clock.sleep(timeoutMs, timer.signal)]);
    timer.abort();
    if (this.delivering > 0) {
      this.opts.log.warn({ running: this.delivering }, 'shutdown timeout: aborting running deliveries; their jobs are released');
      this.abortDeliveries.abort();
      this.opts.delivery.abortRunning();
      await Promise.allSettled([...this.deliveries]);
    }
    await this.flush();
  }

  private async loop(): Promise<void> {
    let backoff = 0;
    while (!this.stopping) {
      try {
        // Let deliveries that finish in the same turn of the event loop free their slots
        // together, so claims (and their transactions) come in batches, not one job at a time.
        await yieldToIo();
        const free = this.freeSlots();
        if (this.busy && free < this.batchSize() && this.delivering > 0) {
          await this.sleep(this.opts.clock.now() + this.opts.scanFrequencyMs); // until enough slots free up
          continue;
        }
        const claimed = free > 0 ? await this.claimAndDispatch(free) : 0;
        backoff = 0;
        // Every free slot filled: more may be due right now.
        this.busy = claimed > 0 && claimed === free;
        if (this.busy) continue;
        await this.sleepUntilNextDue(free > 0);
      } catch (err) {
        backoff = Math.min(MAX_BACKOFF_MS, Math.max(backoff * 2, 100));
        this.opts.onStoreError?.(err);
        this.opts.log.warn({ err: errorText(err), retryInMs: backoff }, 'scheduler: cannot claim jobs; backing off');
        await this.sleep(this.opts.clock.now() + backoff);
      }
    }
  }

  private async sleepUntilNextDue(hasFreeSlot: boolean): Promise<void> {
    const { clock, store, scanFrequencyMs } = this.opts;
    const now = clock.now();
    let until = now + scanFrequencyMs;
    if (hasFreeSlot) {
      const next = await store.nextDueAt();
      if (next !== null) until = Math.min(until, next - (this.opts.claimAheadMs ?? 0));
    }
    if (until <= now) return;
    await this.sleep(until);
  }

  private async sleep(until: number): Promise<void> {
    if (this.stopping) return;
    this.sleepingUntil = until;
    await this.opts.clock.sleep(until - this.opts.clock.now(), this.wake.signal);
    this.sleepingUntil = Number.POSITIVE_INFINITY;
    if (this.wake.signal.aborted) this.wake = new AbortController();
  }

  private interrupt(): void {
    this.wake.abort();
  }

  /**
   * How many more jobs to claim. jobs.maxRunning bounds the POSTs in progress; outcomes still
   * being written do not hold a slot, so claiming overlaps with recording (a write waits on the
   * database's commit), but at most maxRunning of them may be waiting.
   * A claim may also run ahead by as many POSTs as finished during the previous claim's round
   * trip: while a backlog drains against a fast endpoint, those slots free up before the claim
   * commits, so the next batch is larger and the database commits less often per job. Against a
   * slow endpoint nothing finishes that fast, and no job waits here that another instance could
   * have taken.
   */
  private freeSlots(): number {
    const max = this.opts.maxRunning;
    const idleSlots = max - this.delivering - this.queued.length;
    const ahead = Math.min(this.finishedDuringClaim, max);
    return Math.max(0, Math.min(max, idleSlots + ahead, 2 * max - this.inFlight));
  }

  private async claimAndDispatch(limit = this.freeSlots()): Promise<number> {
    if (limit <= 0) return 0;
    const { store, clock, instanceId } = this.opts;
    const finishedBefore = this.deliveriesFinished;
    const jobs = await store.claimDue(instanceId, clock.now() + (this.opts.claimAheadMs ?? 0), limit);
    this.finishedDuringClaim = this.deliveriesFinished - finishedBefore;
    this.opts.onClaim?.(jobs.length);
    for (const job of jobs) this.dispatch(job);
    return jobs.length;
  }

  private dispatch(job: Job): void {
    this.inFlight++;
    if (this.delivering >= this.opts.maxRunning) {
      this.queued.push(job);
      return;
    }
    this.startDelivery(job);
  }

  private startDelivery(job: Job): void {
    this.delivering++;
    const delivery = this.attempt(job).finally(() => this.deliveries.delete(delivery));
    this.deliveries.add(delivery);
  }

  private async attempt(job: Job): Promise<void> {
    const { clock, delivery, instanceId, log } = this.opts;
    if (!(await this.waitUntilDue(job))) {
      // Shutdown came first: leave the job claimed; removing the instance row releases it.
      this.deliveryDone();
      this.finish([]);
      return;
    }
    const startedAt = clock.now();
    const invalid = invalidReason(job);
    let outcome: Outcome;
    let result: DeliveryResult | { invalid: string };
    if (invalid) {
      // A row we cannot schedule is disabled and reported, never retried in a loop (spec §9 #6).
      result = { invalid };
      outcome = { kind: 'update', id: job.id, key: job, instanceId, nextRun: null, nextSched: job.nextSched, lastRun: startedAt, lastStatus: invalid, failures: job.failures + 1 };
      log.error({ path: job.path, body: job.body, reason: invalid }, 'job cannot be scheduled; disabled');
    } else {
      result = await delivery.post(job, instanceId);
      if ('error' in result && result.error === 'aborted' && this.abortDeliveries.signal.aborted) {
        // Shutdown cut it short: leave the job claimed; removing the instance row releases it.
        this.deliveryDone();
        this.finish([]);
        return;
      }
      outcome = this.decide(job, result);
    }
    this.deliveryDone();
    this.opts.onAttempt?.({ job, result, outcome, startedAt, finishedAt: clock.now() });
    this.finish([outcome]);
  }

  /** A job claimed ahead of time waits for its instant; never fires early. False on shutdown. */
  private async waitUntilDue(job: Job): Promise<boolean> {
    const { clock } = this.opts;
    const signal = this.abortDeliveries.signal;
    while (job.nextRun !== null && clock.now() < job.nextRun && !signal.aborted) {
      await clock.sleep(job.nextRun - clock.now(), signal);
    }
    return !signal.aborted;
  }

  private deliveryDone(): void {
    const before = this.freeSlots();
    this.delivering--;
    this.deliveriesFinished++;
    const next = this.queued.shift();
    if (next) this.startDelivery(next);
    this.wakeForSlots(before);
  }

  /**
   * While draining a backlog, claim in batches of at least a quarter of maxRunning (one claim
   * transaction, and one commit, per batch rather than per few jobs); otherwise as soon as a slot frees.
   */
  private batchSize(): number {
    return Math.max(1, Math.floor(this.opts.maxRunning / 4));
  }

  private wakeForSlots(before: number): void {
    const after = this.freeSlots();
    const threshold = this.busy ? this.batchSize() : 1;
    if ((before < threshold && after >= threshold) || (this.busy && this.delivering === 0)) this.interrupt();
  }

  private decide(job: Job, result: DeliveryResult): Outcome {
    const { clock, instanceId, outcome: cfg, random, log } = this.opts;
    const now = clock.now();
    try {
      return decideOutcome(job, result, now, instanceId, cfg, random);
    } catch (err) {
      log.error({ path: job.path, body: job.body, err: errorText(err) }, 'cannot compute next run; job disabled');
      return { kind: 'update', id: job.id, key: job, instanceId, nextRun: null, nextSched: job.nextSched, lastRun: now, lastStatus: `cannot schedule: ${errorText(err)}`, failures: job.failures + 1 };
    }
  }

  private finish(outcomes: Outcome[]): void {
    if (outcomes.length === 0) {
      this.release(1);
      return;
    }
    this.pending.push(...outcomes);
    this.scheduleFlush();
  }

  /** Outcomes of deliveries finishing in the same turn of the event loop share one write. */
  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  /** Writes pending outcomes in one batch; concurrent finishes join the next batch. */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.length === 0) return Promise.resolve();
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async flushLoop(): Promise<void> {
    let backoff = 0;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      try {
        await this.opts.store.recordOutcomes(batch);
        backoff = 0;
        this.release(batch.length);
      } catch (err) {
        // Keep them: an outcome is never dropped while the process lives.
        this.pending = batch.concat(this.pending);
        this.opts.onStoreError?.(err);
        backoff = Math.min(MAX_BACKOFF_MS, Math.max(backoff * 2, 100));
        this.opts.log.warn({ err: errorText(err), outcomes: batch.length, retryInMs: backoff }, 'cannot record outcomes; retrying');
        // On shutdown with the database gone, give up: the claims are released when the
        // instance row goes (or expires), and the jobs run again — at least once, never lost.
        if (this.stopping && ++this.shutdownFlushFailures >= 3) return;
        await this.opts.clock.sleep(backoff);
      }
    }
  }

  private release(count: number): void {
    const before = this.freeSlots();
    this.inFlight -= count;
    this.wakeForSlots(before);
    if (this.inFlight === 0 && this.pending.length === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves when nothing is in flight and every outcome is stored. */
  private idle(): Promise<void> {
    if (this.inFlight === 0 && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}

function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function invalidReason(job: Job): string | undefined {
  if (!isValidZone(job.location)) return `invalid location ${JSON.stringify(job.location)}`;
  try {
    parseIsoDuration(job.interval);
    return undefined;
  } catch {
    return `invalid interval ${JSON.stringify(job.interval)}`;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
