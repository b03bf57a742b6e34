import type { Logger } from '../log.js';
import type { AttemptEvent } from '../scheduler/scheduler.js';

// What became of one delivery attempt, in the four words the metrics and the logs share.

/**
 * - `success`: the endpoint answered 200; a periodic job got its next occurrence, a one-off job
 *   was deleted.
 * - `deleted`: the endpoint answered 204 ("this job is invalid"); the job was deleted.
 * - `retried`: any other answer, a timeout or a connection error; the job will be tried again.
 * - `failed`: a failure that gave up: retries exhausted (a periodic job skipped to its next
 *   occurrence, a one-off job was disabled), or the job cannot be scheduled and was disabled.
 */
export type AttemptKind = 'success' | 'deleted' | 'retried' | 'failed';

export const ATTEMPT_KINDS: readonly AttemptKind[] = ['success', 'deleted', 'retried', 'failed'];

export function classifyAttempt(e: Pick<AttemptEvent, 'job' | 'result' | 'outcome'>): AttemptKind {
  const status = 'status' in e.result ? e.result.status : undefined;
  const { outcome } = e;
  if (outcome.kind === 'delete') return status === 204 ? 'deleted' : 'success';
  // A run now leaves the schedule as it was (a disabled job stays disabled) and is never retried.
  if (isManualRun(e.job)) return status === 200 ? 'success' : 'failed';
  // A 200 whose next run could not be computed disables the job: that is not a success.
  if (outcome.nextRun === null) return 'failed';
  if (status === 200) return 'success';
  // A retry keeps the occurrence (next_sched); giving up moves on to the next one.
  return outcome.nextSched === e.job.nextSched ? 'retried' : 'failed';
}

/** Milliseconds from when the job was due (next_run, retries included) to when the attempt began. */
export function latenessMs(e: Pick<AttemptEvent, 'job' | 'startedAt'>): number {
  const due = manualRunAt(e.job) ?? e.job.nextRun ?? e.job.nextSched;
  return Math.max(0, e.startedAt - due);
}

export interface AttemptLogOptions {
  /**
   * Where successes are logged: `debug` (default) for a collector — at thousands of deliveries
   * a second, info would drown everything else — or `info` on a terminal, where a person wants
   * to see that the jobs arrive.
   */
  successLevel?: 'debug' | 'info';
  /** The URL a job is POSTed to (without credentials), for the log line. */
  targetUrl?: (path: string) => string | undefined;
}

/**
 * One log line per attempt. Retries are warn, give-ups error. Nothing secret is logged: the
 * job's path and body identify it; headers (signatures) and the base URL's credentials are not
 * included.
 */
export function logAttempt(log: Logger, e: AttemptEvent, options: AttemptLogOptions = {}): void {
  const kind = classifyAttempt(e);
  if (kind === 'success' || kind === 'deleted') {
    const level = options.successLevel ?? 'debug';
    // The hot path: skip building the fields when nobody reads them.
    if (log.isLevelEnabled(level)) log[level](attemptFields(e, kind, options.targetUrl), 'delivered');
    return;
  }
  const fields = attemptFields(e, kind, options.targetUrl);
  if (kind === 'retried') return log.warn(fields, 'delivery failed; will retry');
  log.error(fields, 'delivery failed; gave up');
}

export function attemptFields(e: AttemptEvent, kind: AttemptKind = classifyAttempt(e), targetUrl?: (path: string) => string | undefined): Record<string, unknown> {
  const { job, result, outcome } = e;
  const url = targetUrl?.(job.path);
  return {
    path: job.path,
    body: job.body,
    ...(url === undefined ? {} : { url }),
    // What the POST carried as dalga-sched: the request time for a run now.
    sched: iso(manualRunAt(job) ?? job.nextSched),
    ...(isManualRun(job) ? { trigger: 'manual' } : {}),
    ...('status' in result ? { status: result.status } : 'error' in result ? { error: result.error } : { error: result.invalid }),
    durationMs: e.finishedAt - e.startedAt,
    latenessMs: latenessMs(e),
    outcome: kind,
    ...(outcome.kind === 'update' ? { nextRun: outcome.nextRun === null ? null : iso(outcome.nextRun), failures: outcome.failures } : {}),
  };
}

/** When a run now was requested (it is the attempt's dalga-sched); undefined for a scheduled run. */
function manualRunAt(job: AttemptEvent['job']): number | undefined {
  return job.runNow ?? undefined;
}

function isManualRun(job: AttemptEvent['job']): boolean {
  return manualRunAt(job) !== undefined;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
