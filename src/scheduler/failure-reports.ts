// Failure reports (README "Failure reports"): with endpoint.failureUrl set, a JSON report is
// POSTed there when a job gives up (jobs.retryStopAfter), when dalga disables a job itself (a
// schedule it cannot compute or store), and — with endpoint.failureAfter — once a job has failed
// that many attempts in a row. Sent by the instance that stored the outcome, once; signed like
// deliveries; retried with the deliveries' back-off; never awaited by the scheduler.
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Job, Outcome } from '../schedule/job.js';
import { retryDelayMs, type RetryConfig } from '../schedule/retry.js';
import type { RunRecord, Store, StoredRun } from '../store/store.js';

export type FailureReason = 'gave-up' | 'disabled' | 'failing';

export interface FailureReportOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  url: string;
  /** 0: no `failing` reports. */
  failureAfter: number;
  timeoutMs: number;
  retry: RetryConfig;
  instanceId: number;
  /** Standard Webhooks headers for a message (id, body), when a signing key is set. */
  sign?: (id: string, body: string) => Record<string, string>;
  /** Waits for the run history to hold the attempts handed to it so far. */
  historyFlushed?: () => Promise<void>;
  /** A report could not be delivered at all (metrics, tests). */
  onGaveUp?: (reason: FailureReason) => void;
}

/** Reports in flight at most; past it new ones are dropped with a warning. */
const MAX_IN_FLIGHT = 1000;
const MAX_SEND_ATTEMPTS = 10;
const LAST_ATTEMPTS = 10;

export class FailureReports {
  private inFlight = 0;
  private readonly stopping = new AbortController();
  private readonly sends = new Set<Promise<void>>();

  constructor(private readonly opts: FailureReportOptions) {}

  /** Why this attempt calls for a report, if it does. */
  reasonFor(run: RunRecord): FailureReason | undefined {
    if (run.outcome === 'gave-up' || run.outcome === 'disabled') return run.outcome;
    if (run.outcome === 'retry' && this.opts.failureAfter > 0 && run.attempt === this.opts.failureAfter) return 'failing';
    return undefined;
  }

  /** Queue the reports a stored outcome batch calls for. Returns at once. */
  consider(batch: readonly { job: Job; outcome: Outcome; run?: RunRecord }[]): void {
    for (const { job, outcome, run } of batch) {
      if (run === undefined) continue;
      const reason = this.reasonFor(run);
      if (reason === undefined) continue;
      if (this.inFlight >= MAX_IN_FLIGHT) {
        this.opts.log.warn({ path: job.path, body: job.body, reason }, 'failure report dropped: too many reports waiting to be sent');
        continue;
      }
      this.inFlight++;
      const send = this.send(job, outcome, run, reason)
        .catch((err: unknown) => this.opts.log.warn({ err: errorText(err), path: job.path, body: job.body }, 'failure report not sent'))
        .finally(() => {
          this.inFlight--;
          this.sends.delete(send);
        });
      this.sends.add(send);
    }
  }

  /** Resolves when every queued report was sent or given up (tests). */
  async idle(): Promise<void> {
    while (this.sends.size > 0) await Promise.allSettled([...this.sends]);
  }

  /** Stop retrying; reports not yet delivered are logged and dropped. */
  stop(): void {
    if (this.inFlight > 0) this.opts.log.warn({ reports: this.inFlight }, 'shutdown: failure reports not yet delivered are dropped');
    this.stopping.abort();
  }

  private async send(job: Job, outcome: Outcome, run: RunRecord, reason: FailureReason): Promise<void> {
    const { clock, log, retry } = this.opts;
    const body = JSON.stringify(await this.report(job, outcome, run, reason));
    // One id per report, the same on every retry of it: receivers de-duplicate on it.
    const id = `report_${reason}_${run.instanceId}_${run.startedAt}_${hashKey(job)}`;
    const first = clock.now();
    for (let attempt = 1; attempt <= MAX_SEND_ATTEMPTS && !this.stopping.signal.aborted; attempt++) {
      const error = await this.post(id, body, reason);
      if (error === undefined) {
        log.info({ path: job.path, body: job.body, reason }, 'failure report sent');
        return;
      }
      const passed = clock.now() - first;
      if (retry.stopAfterMs > 0 && passed > retry.stopAfterMs) break;
      log.warn({ path: job.path, body: job.body, reason, error, attempt }, 'failure report not accepted; retrying');
      await clock.sleep(retryDelayMs(retry, passed), this.stopping.signal);
    }
    this.opts.onGaveUp?.(reason);
    log.error({ path: job.path, body: job.body, reason }, 'failure report given up');
  }

  /** undefined when the receiver answered 2xx; else what went wrong. */
  private async post(id: string, body: string, reason: FailureReason): Promise<string | undefined> {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'dalga-report': reason, ...this.opts.sign?.(id, body) };
    try {
      const res = await fetch(this.opts.url, { method: 'POST', headers, body, signal: AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs), this.stopping.signal]) });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300 ? undefined : String(res.status);
    } catch (err) {
      return errorText(err);
    }
  }

  private async report(job: Job, outcome: Outcome, run: RunRecord, reason: FailureReason): Promise<object> {
    const attempts = await this.lastAttempts(job, run);
    return {
      reason,
      why: whyText(reason, run, this.opts.failureAfter),
      job: {
        path: job.path,
        body: job.body,
        interval: job.interval,
        // As GET /jobs shows it (spec: an empty location prints as UTC).
        location: job.location === '' ? 'UTC' : job.location,
        cron: job.cron ?? null,
        next_run: outcome.kind === 'update' && outcome.nextRun !== null ? iso(outcome.nextRun) : null,
        deleted: outcome.kind === 'delete',
        last_status: run.status,
        failures: outcome.kind === 'update' ? outcome.failures : job.failures + 1,
      },
      attempts: attempts.map((r) => ({
        sched: iso(r.sched),
        started_at: iso(r.startedAt),
        duration_ms: r.durationMs,
        status: r.status,
        outcome: r.outcome,
        attempt: r.attempt,
        instance_id: r.instanceId,
      })),
      instance_id: this.opts.instanceId,
      reported_at: iso(this.opts.clock.now()),
    };
  }

  /** The job's newest attempts from the run history (this one included), or just this one without it. */
  private async lastAttempts(job: Job, run: RunRecord): Promise<readonly RunRecord[]> {
    if (this.opts.historyFlushed === undefined) return [run];
    try {
      await this.opts.historyFlushed();
      const stored: StoredRun[] = await this.opts.store.listRuns(job, LAST_ATTEMPTS);
      return stored.length > 0 ? stored : [run];
    } catch {
      return [run];
    }
  }
}

function whyText(reason: FailureReason, run: RunRecord, failureAfter: number): string {
  switch (reason) {
    case 'gave-up':
      return `retries exhausted (jobs.retryStopAfter) after ${run.attempt} attempts; last: ${run.status}`;
    case 'disabled':
      return `dalga disabled the job: ${run.status}`;
    case 'failing':
      return `${failureAfter} attempts in a row failed (endpoint.failureAfter); last: ${run.status}`;
  }
}

function hashKey(job: Pick<Job, 'path' | 'body'>): string {
  return createHash('sha256').update(JSON.stringify([job.path, job.body]), 'utf8').digest('base64url').slice(0, 22);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
