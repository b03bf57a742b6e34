import type { Clock } from '../clock.js';
import type { Delivery } from '../delivery/delivery.js';
import type { Logger } from '../log.js';
import type { Job, Outcome } from '../schedule/job.js';
import { planClaimed } from '../schedule/misfire.js';
import { decideOutcome, type DeliveryResult, type OutcomeConfig } from '../schedule/outcome.js';
import { parseIsoDuration } from '../schedule/duration.js';
import { isValidZone } from '../schedule/zone.js';
import { StoreUnavailableError } from '../errors.js';
import type { RunRecord, Store } from '../store/store.js';
import type { FailureReports } from './failure-reports.js';
import { runRecord, type RunHistory } from './run-history.js';

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
  /** The run history: given each stored batch's attempts. Absent: none recorded. */
  history?: RunHistory;
  /** Failure reports (endpoint.failureUrl): given each stored batch. Absent: none sent. */
  failures?: FailureReports;
  /** Observes every finished attempt (metrics, tests). */
  onAttempt?: (event: AttemptEvent) => void;
  /** Observes store failures of the loop (metrics). */
  onStoreError?: (err: unknown) => void;
  /** Observes the size of every claim batch, empty ones included (metrics). */
  onClaim?: (count: number) => void;
  /** Observes outcomes dropped because their claim was no longer held (metrics). */
  onOutcomesDropped?: (count: number) => void;
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
/** How often the loop reads the store's pause flag (PUT /pause) at most: every instance obeys within this. */
export const PAUSE_CHECK_MS = 1000;

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
  /** Outcomes waiting to be written, each with the job as it was claimed (to set a bad row aside). */
  private pending: PendingOutcome[] = [];
  private flushing: Promise<void> | undefined;
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wake = new AbortController();
  private sleepingUntil = Number.POSITIVE_INFINITY;
  /** The earliest next run announced (notify, a recorded retry) that the coming sleep must honour. */
  private announcedAt = Number.POSITIVE_INFINITY;
  /** Back-off while due rows are locked by another session (a claim took fewer than were due). */
  private lockedBackoff = 0;
  private readonly deliveries = new Set<Promise<void>>();
  private readonly abortDeliveries = new AbortController();
  /** Aborted when stop() begins: outcomes waiting to be retried join the last flush. */
  private readonly stopSignal = new AbortController();
  private idleWaiters: (() => void)[] = [];
  private shutdownFlushFailures = 0;
  private flushScheduled = false;
  /** The last claim filled every free slot: a backlog is being drained. */
  private busy = false;
  /** Jobs claimed ahead of their instant wait here: one timer for all of them. */
  private readonly dueWaits: DueWaits;
  /** The store's pause flag as last read, and when (clock ms): read once a second, not per claim. */
  private paused = false;
  private pauseReadAt = Number.NEGATIVE_INFINITY;
  /** The pause state this instance's log last told (the instance that answered PUT/DELETE /pause logs it there). */
  private pauseLogged = false;

  constructor(options: SchedulerOptions) {
    this.opts = options;
    this.dueWaits = new DueWaits(options.clock, this.abortDeliveries.signal);
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
    this.announce(nextRun);
  }

  /**
   * PUT or DELETE /pause answered by this instance: obey at once rather than at the next read of
   * the flag (the other instances read it within PAUSE_CHECK_MS).
   */
  setPaused(paused: boolean): void {
    this.paused = paused;
    this.pauseLogged = paused;
    this.pauseReadAt = this.opts.clock.now();
    if (!paused) this.interrupt();
  }

  /**
   * One pass for tests and tools: claim what is due now (up to the free slots), deliver it and
   * record every outcome. Resolves when all of it is stored. Answers how many were claimed.
   * Claims nothing while paused (the flag is read afresh).
   */
  async runOnce(): Promise<number> {
    if (await this.pausedNow(true)) return 0;
    const claimed = await this.claimAndDispatch();
    await this.idle();
    return claimed;
  }

  /**
   * Stop claiming; let running deliveries finish, abort the rest; store what finished. All of it
   * within `timeoutMs`, whatever the store does: a store that hangs or fails leaves the claims in
   * place (removing or expiring the instance row releases them; the jobs run again, never lost).
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopping = true;
    this.interrupt();
    this.stopSignal.abort();
    const { clock, log } = this.opts;
    const timer = new AbortController();
    // Deliveries may take the time but a little kept back to record their outcomes.
    const forDeliveries = timeoutMs - Math.min(500, Math.floor(timeoutMs / 5));
    const deliveriesEnd = clock.sleep(forDeliveries, timer.signal);
    const expired = clock.sleep(timeoutMs, timer.signal).then(() => false);
    try {
      await Promise.race([(this.loopDone ?? Promise.resolve()).then(() => this.idle()), deliveriesEnd]);
      if (this.delivering > 0) {
        log.warn({ running: this.delivering }, 'shutdown timeout: aborting running deliveries; their jobs are released');
        this.abortDeliveries.abort();
        this.opts.delivery.abortRunning();
        await Promise.race([Promise.allSettled([...this.deliveries]), expired]);
      }
      const stored = await Promise.race([this.flush().then(() => true), expired]);
      if (!stored || this.pending.length > 0) {
        log.warn({ outcomes: this.pending.length }, 'shutdown: outcomes not recorded (the store does not answer); their jobs run again once released');
      }
    } finally {
      timer.abort();
    }
  }

  private async loop(): Promise<void> {
    let backoff = 0;
    while (!this.stopping) {
      try {
        // Let deliveries that finish in the same turn of the event loop free their slots
        // together, so claims (and their transactions) come in batches, not one job at a time.
        await yieldToIo();
        if (await this.pausedNow()) {
          // Claimed jobs still finish; nothing more is claimed until the flag is gone.
          this.busy = false;
          await this.sleep(this.pauseReadAt + PAUSE_CHECK_MS);
          continue;
        }
        const limit = this.claimLimit();
        if (limit === 0 && this.delivering > 0) {
          await this.sleep(this.opts.clock.now() + this.opts.scanFrequencyMs); // until enough slots free up
          continue;
        }
        const claimed = limit > 0 ? await this.claimAndDispatch(limit) : 0;
        backoff = 0;
        // Every free slot filled: more may be due right now.
        this.busy = claimed > 0 && claimed === limit;
        if (this.busy) {
          this.lockedBackoff = 0;
          continue;
        }
        await this.sleepUntilNextDue(limit > 0);
      } catch (err) {
        backoff = Math.min(MAX_BACKOFF_MS, Math.max(backoff * 2, 100));
        this.opts.onStoreError?.(err);
        this.opts.log.warn({ err: errorText(err), retryInMs: backoff }, 'scheduler: cannot claim jobs; backing off');
        await this.sleep(this.opts.clock.now() + backoff);
      }
    }
  }

  /**
   * Sleep until the earliest unclaimed job falls due (claimed ahead by claimAheadMs), or for the
   * scan frequency. A job already due after a claim that took fewer than it asked for is held by
   * another session (a peer's claim in progress, an operator's SELECT … FOR UPDATE; SKIP LOCKED
   * passed it over): claiming again at once would spin, so after one more try the loop backs
   * off, from 10 ms doubling up to the scan frequency — the longest any due job waits for a scan anyway.
   */
  private async sleepUntilNextDue(hasFreeSlot: boolean): Promise<void> {
    const { clock, store, scanFrequencyMs } = this.opts;
    const now = clock.now();
    let until = now + scanFrequencyMs;
    if (hasFreeSlot) {
      const next = await store.nextDueAt();
      if (next !== null) until = Math.min(until, next - (this.opts.claimAheadMs ?? 0));
    }
    if (until > now) {
      this.lockedBackoff = 0;
    } else if (hasFreeSlot) {
      // The first time at once: the due job may just have been scheduled during the claim.
      until = now + this.lockedBackoff;
      this.lockedBackoff = Math.min(scanFrequencyMs, Math.max(MIN_LOCKED_BACKOFF_MS, this.lockedBackoff * 2));
    }
    await this.sleep(until);
  }

  /** The pause flag, read from the store when the last read is PAUSE_CHECK_MS old (or `fresh`). */
  private async pausedNow(fresh = false): Promise<boolean> {
    const now = this.opts.clock.now();
    if (!fresh && now >= this.pauseReadAt && now - this.pauseReadAt < PAUSE_CHECK_MS) return this.paused;
    const since = await this.opts.store.pausedSince();
    this.paused = since !== null;
    this.pauseReadAt = now;
    if (this.paused !== this.pauseLogged) this.logPause(since);
    return this.paused;
  }

  /** A pause set or cleared through another instance, or found at start: say why nothing is delivered. */
  private logPause(since: number | null): void {
    this.pauseLogged = since !== null;
    if (since === null) this.opts.log.info('deliveries resumed on every instance (the pause flag was cleared)');
    else this.opts.log.info({ pausedSince: new Date(since).toISOString() }, 'deliveries paused on every instance (the pause flag is set in the store); `dalga resume` resumes them');
  }

  private async sleep(until: number): Promise<void> {
    const end = Math.min(until, this.announcedAt);
    this.announcedAt = Number.POSITIVE_INFINITY;
    if (this.stopping || end <= this.opts.clock.now()) return;
    this.sleepingUntil = end;
    await this.opts.clock.sleep(end - this.opts.clock.now(), this.wake.signal);
    this.sleepingUntil = Number.POSITIVE_INFINITY;
    if (this.wake.signal.aborted) this.wake = new AbortController();
  }

  private interrupt(): void {
    this.wake.abort(WAKE);
  }

  /**
   * THE CLAIM SIZE RULE: how many jobs the next claim asks for; 0 = wait for slots first.
   * - Slots: jobs.maxRunning bounds the POSTs in progress. Claimed jobs still waiting for a POST
   *   slot count as taken; outcomes still being written do not (claiming overlaps recording, as
   *   a write waits on the database's commit), but at most maxRunning of those may be waiting
   *   (claimed and unrecorded jobs stay below 2 × maxRunning).
   * - Run-ahead: a claim may ask for as many more as POSTs finished during the previous claim's
   *   round trip. While a backlog drains against a fast endpoint those slots free up before the
   *   claim commits, so batches grow and the database commits less often per job; against a slow
   *   endpoint nothing finishes that fast, and no job waits here that another instance could take.
   * - Batching: while draining (the previous claim filled every slot it asked for), wait until a
   *   quarter of maxRunning is free — one claim transaction per batch rather than per few jobs —
   *   unless no POST is running (nothing else would free a slot).
   * Never more than maxRunning at once.
   */
  private claimLimit(): number {
    const max = this.opts.maxRunning;
    const idleSlots = max - this.delivering - this.queued.length;
    const runAhead = Math.min(this.finishedDuringClaim, max);
    const free = Math.max(0, Math.min(max, idleSlots + runAhead, 2 * max - this.inFlight));
    const batch = Math.max(1, Math.floor(max / 4));
    if (this.busy && free < batch && this.delivering > 0) return 0;
    return free;
  }

  private async claimAndDispatch(limit = this.claimLimit()): Promise<number> {
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

  private async attempt(claimed: Job): Promise<void> {
    const { clock, delivery, instanceId, log } = this.opts;
    if (!(await this.waitUntilDue(claimed))) {
      // Shutdown came first: leave the job claimed; removing the instance row releases it.
      this.deliveryDone();
      this.finish(claimed, undefined);
      return;
    }
    const job = this.applyMisfire(claimed);
    if (job === null) return;
    const startedAt = clock.now();
    const invalid = invalidReason(job);
    let outcome: Outcome;
    let result: DeliveryResult | { invalid: string };
    if (invalid) {
      // A row we cannot schedule is disabled and reported, never retried in a loop (spec §9 #6).
      result = { invalid };
      outcome = { kind: 'update', id: job.id, key: job, instanceId, claimToken: job.claimToken, nextRun: null, nextSched: job.nextSched, lastRun: startedAt, lastStatus: invalid, failures: job.failures + 1 };
      log.error({ path: job.path, body: job.body, reason: invalid }, 'job cannot be scheduled; disabled');
    } else {
      result = await delivery.post(job, instanceId);
      if ('error' in result && result.error === 'aborted' && this.abortDeliveries.signal.aborted) {
        // Shutdown cut it short: leave the job claimed; removing the instance row releases it.
        this.deliveryDone();
        this.finish(job, undefined);
        return;
      }
      outcome = this.decide(job, result);
    }
    this.deliveryDone();
    const finishedAt = clock.now();
    this.opts.onAttempt?.({ job, result, outcome, startedAt, finishedAt });
    const run = this.opts.history?.enabled || this.opts.failures ? runRecord(job, result, outcome, startedAt, finishedAt, instanceId) : undefined;
    this.finish(job, outcome, run);
  }

  /**
   * The job's misfire policy (README "Missed runs") on an occurrence it missed: the job to
   * deliver (perhaps a later occurrence, for misfire=all), or null when it was skipped and its
   * outcome already handed on.
   */
  private applyMisfire(job: Job): Job | null {
    const { clock, instanceId, log } = this.opts;
    let plan: ReturnType<typeof planClaimed>;
    try {
      plan = planClaimed(job, clock.now(), instanceId);
    } catch (err) {
      log.warn({ path: job.path, body: job.body, err: errorText(err) }, 'cannot apply the misfire policy; delivering as due');
      return job;
    }
    if (plan.skipped > 0) log.info({ path: job.path, body: job.body, skipped: plan.skipped, misfire: job.misfire }, 'missed occurrences skipped');
    if (plan.kind === 'deliver') return plan.job;
    this.deliveryDone();
    this.finish(job, plan.outcome);
    return null;
  }

  /** A job claimed ahead of time waits for its instant; never fires early. A run now does not wait. False on shutdown. */
  private waitUntilDue(job: Job): Promise<boolean> {
    return this.dueWaits.until(job.runNow ?? job.nextRun ?? Number.NEGATIVE_INFINITY);
  }

  private deliveryDone(): void {
    const before = this.claimLimit();
    this.delivering--;
    this.deliveriesFinished++;
    const next = this.queued.shift();
    if (next) this.startDelivery(next);
    this.wakeForSlots(before);
  }

  /** A claim waiting for slots (claimLimit 0) is woken when the rule lets it claim again. */
  private wakeForSlots(before: number): void {
    if (before === 0 && this.claimLimit() > 0) this.interrupt();
  }

  private decide(job: Job, result: DeliveryResult): Outcome {
    const { clock, instanceId, outcome: cfg, random, log } = this.opts;
    const now = clock.now();
    try {
      return decideOutcome(job, result, now, instanceId, cfg, random);
    } catch (err) {
      log.error({ path: job.path, body: job.body, err: errorText(err) }, 'cannot compute next run; job disabled');
      return { kind: 'update', id: job.id, key: job, instanceId, claimToken: job.claimToken, nextRun: null, nextSched: job.nextSched, lastRun: now, lastStatus: `cannot schedule: ${errorText(err)}`, failures: job.failures + 1 };
    }
  }

  /** No outcome: shutdown cut the attempt short and the job stays claimed. */
  private finish(job: Job, outcome: Outcome | undefined, run?: RunRecord): void {
    if (outcome === undefined) {
      this.release(1);
      return;
    }
    this.pending.push(run === undefined ? { job, outcome } : { job, outcome, run });
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
      const failed = await this.write(batch);
      if (failed === undefined) {
        backoff = 0;
        continue;
      }
      if (failed.busy) {
        // Busy rows wait on their own: the outcomes behind them are not held up.
        this.retryLater(failed.unwritten, failed.err);
        continue;
      }
      // The store is unreachable: keep them, an outcome is never dropped while the process lives.
      this.pending = failed.unwritten.concat(this.pending);
      this.opts.onStoreError?.(failed.err);
      backoff = Math.min(MAX_BACKOFF_MS, Math.max(backoff * 2, 100));
      this.opts.log.warn({ err: errorText(failed.err), outcomes: failed.unwritten.length, retryInMs: backoff }, 'cannot record outcomes; retrying');
      // On shutdown with the database gone, give up: the claims are released when the
      // instance row goes (or expires), and the jobs run again — at least once, never lost.
      if (this.stopping && ++this.shutdownFlushFailures >= 3) return;
      await this.opts.clock.sleep(backoff);
    }
  }

  /**
   * Write a batch of outcomes. Only a lost connection or an unavailable store (which every row
   * would meet) fails it as a whole: answers what is left unwritten, to retry. Any other failure
   * is some row's, so the batch is written row by row and only the rows that fail on their own
   * are set aside; the others land.
   */
  private async write(batch: PendingOutcome[]): Promise<{ unwritten: PendingOutcome[]; err: unknown; busy?: boolean } | undefined> {
    let batchError: unknown;
    try {
      this.outcomesDropped(await this.opts.store.recordOutcomes(batch.map((p) => p.outcome)), batch.length);
      this.recorded(batch);
      return undefined;
    } catch (err) {
      if (isUnavailable(err)) return { unwritten: batch, err };
      if (batch.length === 1 && isTransient(err)) return { unwritten: batch, err, busy: true };
      batchError = err;
    }
    if (batch.length > 1) this.opts.log.warn({ err: errorText(batchError), outcomes: batch.length }, 'cannot record a batch of outcomes; writing them one by one');
    // Rows that met a deadlock or a lock wait timeout are not bad: they are tried again later.
    const later: PendingOutcome[] = [];
    let laterError: unknown;
    for (let i = 0; i < batch.length; i++) {
      const one = batch[i]!;
      let rowError = batchError;
      if (batch.length > 1) {
        try {
          this.outcomesDropped(await this.opts.store.recordOutcomes([one.outcome]), 1);
          this.recorded([one]);
          continue;
        } catch (err) {
          if (isUnavailable(err)) return { unwritten: later.concat(batch.slice(i)), err };
          if (isTransient(err)) {
            later.push(one);
            laterError = err;
            continue;
          }
          rowError = err;
        }
      }
      const unavailable = await this.setAside(one, rowError);
      if (unavailable !== undefined) return { unwritten: later.concat(batch.slice(i)), err: unavailable };
    }
    return later.length > 0 ? { unwritten: later, err: laterError, busy: true } : undefined;
  }

  /**
   * Outcomes whose rows were busy (a deadlock or lock wait that outlasted the store's retries)
   * join a later batch after a back-off of their own, 100 ms doubling per attempt up to 10 s;
   * on shutdown at once, for the last flush. They keep their claim meanwhile.
   */
  private retryLater(rows: PendingOutcome[], err: unknown): void {
    const attempts = Math.max(...rows.map((r) => r.attempts ?? 0)) + 1;
    if (this.stopping && attempts > 3) {
      // Shutting down: leave them claimed; removing the instance row releases them.
      this.opts.log.warn({ err: errorText(err), outcomes: rows.length }, 'shutdown: outcomes of busy rows not recorded; their jobs run again once released');
      this.release(rows.length);
      return;
    }
    const delay = Math.min(MAX_BACKOFF_MS, 100 * 2 ** (attempts - 1));
    this.opts.onStoreError?.(err);
    this.opts.log.warn({ err: errorText(err), outcomes: rows.length, retryInMs: delay }, 'outcomes meet busy rows; retrying them later');
    void this.opts.clock.sleep(delay, this.stopSignal.signal).then(() => {
      this.pending.push(...rows.map((r) => ({ ...r, attempts })));
      this.scheduleFlush();
    });
  }

  /**
   * A row whose outcome the store refuses is disabled with the reason (kept for someone to look
   * at, like any job that cannot be scheduled); if even that is refused, the outcome is dropped
   * with an error log and the claim stays until the instance row goes. Answers the error when
   * the store became unavailable meanwhile (nothing was decided).
   */
  private async setAside({ job, outcome }: PendingOutcome, cause: unknown): Promise<unknown> {
    const { log, clock } = this.opts;
    const reason = `cannot record outcome: ${errorText(cause)}`.slice(0, 255);
    const disabled: Outcome = {
      ...outcome,
      kind: 'update',
      nextRun: null,
      nextSched: job.nextSched,
      lastRun: outcome.kind === 'update' ? outcome.lastRun : clock.now(),
      lastStatus: reason,
      failures: job.failures + 1,
    };
    try {
      this.outcomesDropped(await this.opts.store.recordOutcomes([disabled]), 1);
      log.error({ path: job.path, body: job.body, reason }, 'job disabled: its outcome cannot be stored');
    } catch (err) {
      if (isUnavailable(err)) return err;
      log.error({ path: job.path, body: job.body, reason, err: errorText(err) }, 'outcome dropped: the job cannot be stored, not even disabled');
    }
    this.release(1);
    return undefined;
  }

  /** Written: free the claims, and wake for the earliest next run among them (a retry may be soon). */
  private recorded(batch: readonly PendingOutcome[]): void {
    this.addRuns(batch);
    this.opts.failures?.consider(batch);
    let earliest = Number.POSITIVE_INFINITY;
    for (const { outcome } of batch) {
      if (outcome.kind === 'update' && outcome.nextRun !== null) earliest = Math.min(earliest, outcome.nextRun);
    }
    this.release(batch.length);
    if (earliest !== Number.POSITIVE_INFINITY) this.announce(earliest);
  }

  /** The batch's attempts go to the run history right after their outcomes (one write per batch, not awaited). */
  private addRuns(batch: readonly PendingOutcome[]): void {
    const history = this.opts.history;
    if (history === undefined) return;
    const runs: RunRecord[] = [];
    for (const p of batch) if (p.run !== undefined) runs.push(p.run);
    history.add(runs);
  }

  /**
   * A job became claimable at `at` behind the loop's back (scheduled, enabled, a retry
   * recorded): asleep, the loop wakes if that is sooner; awake (claiming, or reading the next
   * due time), its coming sleep ends by then at the latest.
   */
  private announce(at: number): void {
    if (Number.isFinite(this.sleepingUntil)) {
      if (at < this.sleepingUntil) this.interrupt();
      return;
    }
    this.announcedAt = Math.min(this.announcedAt, at);
  }

  /** The job was replaced, cancelled, or released and claimed again while it ran: its new state wins. */
  private outcomesDropped(dropped: number, of: number): void {
    if (dropped === 0) return;
    this.opts.onOutcomesDropped?.(dropped);
    this.opts.log.debug({ dropped, of }, 'outcomes dropped: their jobs were replaced, cancelled or claimed again while they ran');
  }

  private release(count: number): void {
    const before = this.claimLimit();
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

interface PendingOutcome {
  /** The job as claimed: what a row that cannot be written falls back to. */
  readonly job: Job;
  readonly outcome: Outcome;
  /** Tries that met a busy row so far. */
  readonly attempts?: number;
  /** The delivery attempt for the run history, when it is on. */
  readonly run?: RunRecord;
}

/** A lost connection or an unavailable store: every row would fail alike, so retry the batch. */
function isUnavailable(err: unknown): boolean {
  return err instanceof StoreUnavailableError;
}

/**
 * A deadlock or a lock wait timeout (MySQL 1213/1205, PostgreSQL 40P01/40001/55P03) that
 * outlasted the store's own retries: the row is busy, not bad — try it again later.
 */
function isTransient(err: unknown): boolean {
  const { errno, code } = err as { errno?: unknown; code?: unknown };
  return errno === 1213 || errno === 1205 || code === '40P01' || code === '40001' || code === '55P03';
}

const MIN_LOCKED_BACKOFF_MS = 10;

/**
 * The reason a sleep is cut short with. Without one, abort() builds a DOMException and captures
 * its stack: about a microsecond and its garbage, for every delivery that frees a slot while a
 * backlog drains.
 */
const WAKE = Symbol('wake');

/**
 * Jobs claimed ahead of their instant wait here, all on one timer for the earliest of them (a
 * sleep per job would put one abort listener per job on the shutdown signal: with more than
 * ten due at once, node warns of a listener leak). Shutdown answers every wait with false.
 */
class DueWaits {
  /** Sorted by instant. */
  private readonly waiting: { at: number; resolve: (due: boolean) => void }[] = [];
  private running = false;
  private rearm: AbortController | undefined;
  private armedFor = Number.POSITIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly shutdown: AbortSignal,
  ) {
    shutdown.addEventListener(
      'abort',
      () => {
        this.rearm?.abort(WAKE);
        for (const w of this.waiting.splice(0)) w.resolve(false);
      },
      { once: true },
    );
  }

  /** Resolves true once the clock reaches `at`, false on shutdown. */
  until(at: number): Promise<boolean> {
    if (this.shutdown.aborted) return Promise.resolve(false);
    if (this.clock.now() >= at) return Promise.resolve(true);
    return new Promise((resolve) => {
      let i = this.waiting.length;
      while (i > 0 && this.waiting[i - 1]!.at > at) i--;
      this.waiting.splice(i, 0, { at, resolve });
      if (at < this.armedFor) this.rearm?.abort(WAKE);
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.waiting.length > 0 && !this.shutdown.aborted) {
      const now = this.clock.now();
      const first = this.waiting[0]!;
      if (first.at <= now) {
        let n = 0;
        while (n < this.waiting.length && this.waiting[n]!.at <= now) n++;
        for (const w of this.waiting.splice(0, n)) w.resolve(true);
        continue;
      }
      this.rearm = new AbortController();
      this.armedFor = first.at;
      await this.clock.sleep(first.at - now, this.rearm.signal);
      this.armedFor = Number.POSITIVE_INFINITY;
      this.rearm = undefined;
    }
    this.running = false;
  }
}

function yieldToIo(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function invalidReason(job: Job): string | undefined {
  if (!isValidZone(job.location)) return `invalid location ${JSON.stringify(job.location)}`;
  return isValidInterval(job.interval) ? undefined : `invalid interval ${JSON.stringify(job.interval)}`;
}

/** Intervals already parsed: asked for every delivered job, and most jobs share a few intervals. */
const intervalValidity = new Map<string, boolean>();
const MAX_CACHED_INTERVALS = 1000;

function isValidInterval(interval: string): boolean {
  let valid = intervalValidity.get(interval);
  if (valid !== undefined) return valid;
  try {
    parseIsoDuration(interval);
    valid = true;
  } catch {
    valid = false;
  }
  if (intervalValidity.size < MAX_CACHED_INTERVALS) intervalValidity.set(interval, valid);
  return valid;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
