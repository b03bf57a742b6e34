import type { Job, JobKey, ListQuery, NewJob, Outcome, StatusCounts } from '../schedule/job.js';

/** What became of one delivery attempt (README "Run history"). */
export type RunOutcome = 'done' | 'retry' | 'deleted' | 'gave-up' | 'disabled';

/** One delivery attempt, as the history keeps it. Times are epoch ms. */
export interface RunRecord {
  readonly path: string;
  readonly body: string;
  /** The occurrence delivered: the dalga-sched header. */
  readonly sched: number;
  /** When the POST started, and how long until its answer or error. */
  readonly startedAt: number;
  readonly durationMs: number;
  /** The HTTP status ("500") or the error ("timeout", "connection refused", …). */
  readonly status: string;
  readonly outcome: RunOutcome;
  /** Failed attempts in a row before this one, plus one: 1 after a success, 2 for the first retry, … */
  readonly attempt: number;
  readonly instanceId: number;
}

export interface StoredRun extends RunRecord {
  /** Increasing: newer runs have larger ids (the listing's cursor). */
  readonly id: number;
}

/** One row of the instances table. */
export interface InstanceHeartbeat {
  readonly id: number;
  /** When the instance last wrote its heartbeat (epoch ms). */
  readonly lastHeartbeat: number;
}

/** What requestRun found: no such job, a request stored, or a job running (or already requested). */
export type RunRequest =
  | { readonly kind: 'missing' }
  | { readonly kind: 'requested'; readonly job: Job }
  | { readonly kind: 'busy'; readonly job: Job };

/**
 * The one storage interface. `sqlite.ts`, `mysql.ts` and `postgres.ts` implement it; all SQL lives in src/store.
 * Every method that depends on "now" takes it as a parameter (epoch ms) from the caller's clock.
 */
/** What updateSchedule writes. An absent schedAnchor keeps the stored one. */
export interface ScheduleChange {
  readonly nextRun: number | null;
  readonly nextSched: number;
  readonly schedAnchor?: number;
}

/** The job as updateSchedule leaves it after writing `change`. */
export function rescheduled(job: Job, change: ScheduleChange): Job {
  return { ...job, nextRun: change.nextRun, nextSched: change.nextSched, schedAnchor: change.schedAnchor ?? job.schedAnchor ?? null };
}

export interface Store {
  readonly kind: 'sqlite' | 'mysql' | 'postgres';
  /** Run the missing schema migrations (src/store/migrations.ts); refuses a newer schema. Idempotent. */
  createTables(): Promise<void>;
  /** Create or replace the job (path, body). A replaced job loses its claim, last result and failures. */
  putJob(job: NewJob): Promise<Job>;
  getJob(key: JobKey): Promise<Job | null>;
  /** Delete the job; no error when it does not exist. */
  deleteJob(key: JobKey): Promise<void>;
  /**
   * Atomically read the job, let `change` compute new next_run / next_sched (and, when present,
   * sched_anchor), and write them. `change` returns null for "no change". Answers the job as
   * stored afterwards, null if missing.
   */
  updateSchedule(key: JobKey, change: (job: Job) => ScheduleChange | null): Promise<Job | null>;
  listJobs(query: ListQuery): Promise<Job[]>;
  /**
   * Ask for one delivery of the job at once (POST /jobs): sets its run-now request to `now`
   * when the job is idle (not claimed) and has none pending. The claim picks requests up like
   * due jobs, so any instance delivers it, once.
   */
  requestRun(key: JobKey, now: number): Promise<RunRequest>;
  /** Unclaimed cron jobs whose next_sched is after `after` (parked by a Go Dalga instance), at most `limit`. */
  parkedCronJobs(after: number, limit: number): Promise<Job[]>;
  /**
   * Claim up to `limit` unclaimed jobs with next_run <= now, earliest first, for `instanceId`,
   * in one transaction, setting a new claim_token (newClaimToken()) that the answered jobs carry.
   * Rows that cannot be read never block the others.
   */
  claimDue(instanceId: number, now: number, limit: number): Promise<Job[]>;
  /** The earliest next_run among unclaimed enabled jobs, or null when there is none. */
  nextDueAt(): Promise<number | null>;
  /**
   * Apply delivery outcomes, in one transaction. Each is written only while its claim holds
   * (same instance_id and claim_token); answers how many were dropped because it did not.
   */
  recordOutcomes(outcomes: readonly Outcome[]): Promise<number>;
  /** Upsert this instance's heartbeat row. */
  heartbeat(instanceId: number, now: number): Promise<void>;
  /** Delete instances not seen for `timeoutMs`, releasing their claimed jobs. Answers how many. */
  expireInstances(now: number, timeoutMs: number): Promise<number>;
  /** Delete this instance's row and release the jobs it still claims. */
  removeInstance(instanceId: number): Promise<void>;
  status(instanceId: number, now: number): Promise<StatusCounts>;
  /**
   * The rows of the instances table: id and last heartbeat (epoch ms), ordered by id, at most
   * `limit`. For GET /status's `instances` (shown by `dalga status`). Every store implements it
   * (SQLite, MySQL, PostgreSQL) with one plain SELECT; it changes nothing.
   */
  listInstances(limit: number): Promise<InstanceHeartbeat[]>;
  /**
   * When deliveries were paused for every instance (PUT /pause), epoch ms; null while not
   * paused. One row in `<table>_pause`: every instance sharing the table reads the same flag,
   * and it survives restarts.
   */
  pausedSince(): Promise<number | null>;
  /**
   * Pause every instance's deliveries (`at`: epoch ms; a pause in force keeps its first time) or
   * resume them (null). Answers pausedSince() afterwards. Jobs can still be changed meanwhile.
   */
  setPaused(at: number | null): Promise<number | null>;
  /** Append delivery attempts to the run history (`<table>_runs`), in one transaction. */
  recordRuns(runs: readonly RunRecord[]): Promise<void>;
  /** A job's runs, newest first, at most `limit`, only those with id < `beforeId` when given. Kept after the job is deleted. */
  listRuns(key: JobKey, limit: number, beforeId?: number): Promise<StoredRun[]>;
  /**
   * Retention: delete at most `batch` runs (none for 0) that started before `startedBefore`, and for each of
   * `keys` the runs beyond its newest `keep`. Small statements, each on an index. Answers how many went.
   */
  trimRuns(keys: readonly JobKey[], keep: number, startedBefore: number, batch: number): Promise<number>;
  /** The database server's clock (MySQL: UTC_TIMESTAMP(3), PostgreSQL: clock_timestamp()); SQLite answers the local clock. */
  serverNow(): Promise<number>;
  /**
   * Where the database can tell every instance at once (PostgreSQL: LISTEN/NOTIFY): call
   * `listener` with the next_run of jobs that other instances on the same table scheduled or
   * enabled, soon enough to matter, and with 0 after a lost notification channel came back
   * (anything may have been missed). Absent on stores that cannot; instances then find such
   * jobs at their next scan.
   */
  onScheduledElsewhere?(listener: (nextRun: number) => void): void;
  close(): Promise<void>;
}
