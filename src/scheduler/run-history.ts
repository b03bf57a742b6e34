// The run history's writer (README "Run history"). The scheduler hands it the attempts of each
// outcome batch once that batch is stored; it appends them in one transaction per batch, after
// the outcomes and never in their way (a failed write is logged and dropped: history is a
// record, deliveries are the job), and trims the table in small statements: by age every
// TRIM_EVERY_MS, and per job by count once this instance added `trimEvery` runs to it.
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Job, JobKey, Outcome } from '../schedule/job.js';
import type { DeliveryResult } from '../schedule/outcome.js';
import type { RunOutcome, RunRecord, Store } from '../store/store.js';

export interface RunHistoryOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** history.keep: runs kept per job (0: the history is off). */
  keep: number;
  /** history.maxAge in ms (0: no age limit). */
  maxAgeMs: number;
  onStoreError?: (err: unknown) => void;
}

/** Runs waiting to be written at most; past it the oldest are dropped (the store is away). */
const MAX_PENDING = 10_000;
/** Runs per recordRuns call. */
const WRITE_BATCH = 500;
/**
 * Attempts wait this long (real time) for others to join their INSERT, unless WRITE_BATCH are
 * waiting: while a backlog drains, one statement per few hundred attempts rather than one per
 * outcome batch of a few dozen (the database's work per attempt, and the round trips the
 * deliveries' own statements queue behind). flush() writes at once.
 */
const WRITE_DELAY_MS = 250;
const TRIM_EVERY_MS = 10_000;
/** Rows per age-trim statement: a short lock each, a pause between them. */
const AGE_TRIM_BATCH = 500;
const AGE_TRIM_ROUNDS = 20;
/** Jobs per count-trim call. */
const COUNT_TRIM_KEYS = 100;
/** Jobs whose runs this instance counts at most (memory bound); past it the counts start over. */
const MAX_COUNTED_KEYS = 10_000;

export class RunHistory {
  private pending: RunRecord[] = [];
  private writing: Promise<void> | undefined;
  private delayed: NodeJS.Timeout | undefined;
  /** Runs added per job since its last count-trim, by `path \0 body` (a number, not an object: one entry per job of a drain). */
  private readonly counted = new Map<string, number>();
  private readonly trimDue: JobKey[] = [];
  private lastAgeTrim = Number.NEGATIVE_INFINITY;
  private droppedSinceWarn = 0;
  private idleLoop: Promise<void> | undefined;
  private readonly stopIdle = new AbortController();
  /** Count-trim a job after this many new runs of it: the table holds at most about keep + trimEvery × instances per job. */
  private readonly trimEvery: number;

  constructor(private readonly opts: RunHistoryOptions) {
    this.trimEvery = Math.max(1, Math.min(25, Math.ceil(opts.keep / 4)));
  }

  get enabled(): boolean {
    return this.opts.keep > 0;
  }

  /**
   * Trim by age every TRIM_EVERY_MS also while nothing is delivered: writes alone trigger the
   * trim, so a quiet table (after a burst of one-off jobs, or while paused) kept its old rows.
   */
  start(): void {
    if (!this.enabled || this.opts.maxAgeMs <= 0 || this.idleLoop) return;
    this.idleLoop = this.trimWhileIdle();
  }

  stop(): void {
    this.stopIdle.abort();
  }

  private async trimWhileIdle(): Promise<void> {
    const signal = this.stopIdle.signal;
    while (!signal.aborted) {
      await this.opts.clock.sleep(TRIM_EVERY_MS, signal);
      if (signal.aborted) return;
      // A write under way trims after itself; otherwise trim now, and write what came meanwhile.
      this.writing ??= this.trim().finally(() => {
        this.writing = undefined;
        this.kickLater();
      });
      await this.writing;
    }
  }

  /** Queue the attempts of a stored outcome batch; written right after, never awaited by the caller. */
  add(runs: readonly RunRecord[]): void {
    if (!this.enabled || runs.length === 0) return;
    this.pending.push(...runs);
    const over = this.pending.length - MAX_PENDING;
    if (over > 0) {
      this.pending.splice(0, over);
      this.droppedSinceWarn += over;
    }
    if (this.pending.length >= WRITE_BATCH) this.kick();
    else this.kickLater();
  }

  /** Start writing what is queued, unless a write (or an idle trim) is under way: it kicks again when done. */
  private kick(): void {
    if (this.delayed !== undefined) {
      clearTimeout(this.delayed);
      this.delayed = undefined;
    }
    if (this.pending.length === 0) return;
    this.writing ??= this.drain().finally(() => {
      this.writing = undefined;
      this.kickLater();
    });
  }

  /** Write what is queued after WRITE_DELAY_MS, or at once when a full batch is waiting. */
  private kickLater(): void {
    if (this.pending.length === 0 || this.writing !== undefined || this.delayed !== undefined) return;
    if (this.pending.length >= WRITE_BATCH) return this.kick();
    this.delayed = setTimeout(() => this.kick(), WRITE_DELAY_MS);
    this.delayed.unref();
  }

  /** Resolves once everything queued so far is written (or dropped). */
  async flush(): Promise<void> {
    this.kick();
    while (this.writing) {
      await this.writing;
      this.kick();
    }
  }

  private async drain(): Promise<void> {
    // What is queued now, then only full batches: a partial one waits for company (kickLater).
    do {
      const batch = this.pending.splice(0, WRITE_BATCH);
      try {
        await this.opts.store.recordRuns(batch);
        this.count(batch);
      } catch (err) {
        this.droppedSinceWarn += batch.length;
        this.opts.onStoreError?.(err);
      }
      if (this.droppedSinceWarn > 0) {
        this.opts.log.warn({ runs: this.droppedSinceWarn }, 'run history: attempts not recorded (the store did not take them); deliveries go on');
        this.droppedSinceWarn = 0;
      }
      await this.trim();
    } while (this.pending.length >= WRITE_BATCH);
  }

  private count(batch: readonly RunRecord[]): void {
    if (this.counted.size > MAX_COUNTED_KEYS) this.counted.clear();
    for (const run of batch) {
      const id = `${run.path}\u0000${run.body}`;
      const added = (this.counted.get(id) ?? 0) + 1;
      if (added >= this.trimEvery) {
        this.trimDue.push({ path: run.path, body: run.body });
        this.counted.delete(id);
      } else {
        this.counted.set(id, added);
      }
    }
  }

  private async trim(): Promise<void> {
    const { store, clock, keep, maxAgeMs, log } = this.opts;
    const now = clock.now();
    const byAge = maxAgeMs > 0 && now - this.lastAgeTrim >= TRIM_EVERY_MS;
    if (!byAge && this.trimDue.length === 0) return;
    if (byAge) this.lastAgeTrim = now;
    try {
      while (this.trimDue.length > 0) await store.trimRuns(this.trimDue.splice(0, COUNT_TRIM_KEYS), keep, 0, 0);
      if (!byAge) return;
      for (let round = 0; round < AGE_TRIM_ROUNDS; round++) {
        if ((await store.trimRuns([], keep, now - maxAgeMs, AGE_TRIM_BATCH)) < AGE_TRIM_BATCH) break;
      }
    } catch (err) {
      this.opts.onStoreError?.(err);
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'run history: cannot trim; trying again later');
    }
  }
}

/** The run-history row of one attempt. */
export function runRecord(job: Job, result: DeliveryResult | { invalid: string }, outcome: Outcome, startedAt: number, finishedAt: number, instanceId: number): RunRecord {
  return {
    path: job.path,
    body: job.body,
    // What the dalga-sched header said: a run now is sent as of its request.
    sched: job.runNow ?? job.nextSched,
    startedAt,
    durationMs: Math.max(0, finishedAt - startedAt),
    status: 'status' in result ? String(result.status) : 'error' in result ? result.error : result.invalid,
    outcome: runOutcome(job, result, outcome),
    attempt: job.failures + 1,
    instanceId,
  };
}

/** done, retry, deleted (204), gave-up (retryStopAfter), or disabled (dalga could not schedule it). */
export function runOutcome(job: Job, result: DeliveryResult | { invalid: string }, outcome: Outcome): RunOutcome {
  if ('invalid' in result) return 'disabled';
  const status = 'status' in result ? result.status : undefined;
  if (outcome.kind === 'delete') return status === 204 ? 'deleted' : 'done';
  if (outcome.nextRun === null) return status === 200 || outcome.lastStatus.startsWith('cannot schedule') ? 'disabled' : 'gave-up';
  if (status === 200) return 'done';
  // A retry keeps the occurrence (next_sched); giving up moves on to the next one.
  return outcome.nextSched === job.nextSched ? 'retry' : 'gave-up';
}
