// Domain types shared by every layer. Times are epoch milliseconds (UTC instants).

/** A job is identified by (path, body). */
export interface JobKey {
  readonly path: string;
  readonly body: string;
}

/**
 * What happens to occurrences that passed while no instance ran the job (README "Missed runs"):
 * `once` delivers one late run then continues, `skip` continues from the next occurrence after
 * now, `all` delivers each missed occurrence (within the catch-up window) oldest first.
 */
export type Misfire = 'once' | 'skip' | 'all';

/** A job as stored. */
export interface Job extends JobKey {
  /** Insert order (the original's v4 `id` column). */
  readonly id: number;
  /** ISO 8601 duration as given by the user, un-normalised; `P0D` (zero) means one-off. */
  readonly interval: string;
  /** IANA zone name; '' means UTC. */
  readonly location: string;
  /** Next time it runs, retries included; null means disabled. */
  readonly nextRun: number | null;
  /** Next scheduled occurrence, regardless of retries. */
  readonly nextSched: number;
  /**
   * The job's first scheduled occurrence, set by PUT (and by an enable that re-anchors): with
   * fixed intervals its wall time is the phase an interval of whole days, weeks, months or years
   * keeps, so a wall time moved by a DST gap on one day is back the next. Null or absent (rows of
   * Go Dalga, or from before the column): occurrences are counted from next_sched as it shows.
   */
  readonly schedAnchor?: number | null;
  /** Instance executing it right now; null when idle. */
  readonly instanceId: number | null;
  /** When the last attempt finished; null if never run. */
  readonly lastRun: number | null;
  /** HTTP status code of the last attempt as text ("200"), or an error text ("timeout"). */
  readonly lastStatus: string | null;
  /** Consecutive failed attempts. */
  readonly failures: number;
  /**
   * The claim that holds it: a new value set by every claim, cleared by a replace and by the
   * outcome. Outcomes are written only while it is unchanged (claim fencing). null when idle.
   */
  readonly claimToken: number | null;
  /** Cron expression in `location`; null or absent for interval and one-off jobs. */
  readonly cron?: string | null;
  /** Absent means `once`. */
  readonly misfire?: Misfire;
  /** ISO 8601 duration bounding `misfire=all`; absent means PT1H. */
  readonly catchup?: string;
  /** A run-now request (POST) not yet delivered: when it was asked for. Null or absent: none. */
  readonly runNow?: number | null;
}

/** What PUT /jobs stores: a new job, or the replacement of an existing one. */
export interface NewJob extends JobKey {
  readonly interval: string;
  readonly location: string;
  readonly nextRun: number;
  readonly nextSched: number;
  /** Job.schedAnchor; absent means next_sched. */
  readonly schedAnchor?: number | null;
  readonly cron?: string | null;
  readonly misfire?: Misfire;
  readonly catchup?: string;
}

/**
 * What to do with a job after one delivery attempt. Writes are conditional on the job still
 * being held by the same claim (`instanceId` and `claimToken`), so a job replaced, cancelled,
 * or released and claimed again meanwhile is left alone (the outcome is dropped and counted),
 * and a job disabled meanwhile (next_run NULL) stays disabled.
 */
export type Outcome =
  | { readonly kind: 'delete'; readonly id: number; readonly key: JobKey; readonly instanceId: number; readonly claimToken: number | null }
  | {
      readonly kind: 'update';
      /** The claimed row's id: with instanceId and claimToken it identifies the claim. */
      readonly id: number;
      readonly key: JobKey;
      readonly instanceId: number;
      /** The claim's token (Job.claimToken); null never matches, so the outcome is dropped. */
      readonly claimToken: number | null;
      /**
       * New next_run; ignored (kept NULL) when the job was disabled while running. null disables.
       * Every update also clears a run-now request: none can be made while the job is claimed
       * (POST answers 409), so one found set was the one this claim delivered.
       */
      readonly nextRun: number | null;
      readonly nextSched: number;
      /** Null only for a skipped occurrence of a job that never ran (no attempt was made). */
      readonly lastRun: number | null;
      readonly lastStatus: string;
      readonly failures: number;
    };

/** Figures of GET /status. */
export interface StatusCounts {
  readonly instanceRunningJobs: number;
  readonly runningJobs: number;
  readonly totalJobs: number;
  readonly pendingJobs: number;
  readonly totalInstances: number;
  /** Seconds since the oldest due-but-unclaimed job should have run; 0 when none. */
  readonly lagSeconds: number;
}

export type ListOrder = 'insert-order' | 'next-sched' | 'next-run';

export interface ListQuery {
  /** Exact path match, when given. */
  readonly path?: string;
  readonly order: ListOrder;
  readonly reverse: boolean;
  readonly limit: number;
  /** Keyset position: return rows strictly after this one in the chosen order. */
  readonly after?: ListPosition;
}

/**
 * Position of a row in a listing order. `value` is the sort column (null for the id order,
 * or for a disabled job's next_run: disabled jobs sort after every enabled one in `next-run`).
 * Ties are broken by `id`.
 */
export interface ListPosition {
  readonly value: number | null;
  readonly id: number;
}
