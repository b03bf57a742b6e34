// A job row as the drivers read it, and its conversion to a Job. Times arrive as epoch ms
// (SQLite, and PostgreSQL's timestamptz parser) or as MySQL DATETIME(3) text, which the MySQL
// driver converts with its own `time`. Integers go through Number(): MySQL may hand back
// BIGINT as text, and a claim token is a BIGINT everywhere.
import { readStoredInterval } from '../schedule/duration.js';
import type { Job } from '../schedule/job.js';
import { toMisfire } from './misfire-column.js';

export interface JobRowOf<Time> {
  id: number;
  path: string;
  body: string;
  interval: string;
  location: string;
  next_run: Time | null;
  next_sched: Time;
  instance_id: number | null;
  last_run: Time | null;
  last_status: string | null;
  failures: number;
  claim_token: number | string | null;
  cron: string | null;
  misfire: string;
  catchup: string;
  run_now: Time | null;
  /** Absent in a row read before migration; null for Go Dalga's rows. */
  sched_anchor?: Time | null;
}

/** A row whose times are epoch ms already (SQLite, PostgreSQL). */
export type JobRow = JobRowOf<number>;

export function jobFromRow<Time>(row: JobRowOf<Time>, time: (value: Time) => number): Job {
  const at = (value: Time | null | undefined): number | null => (value === null || value === undefined ? null : time(value));
  return {
    id: Number(row.id),
    path: row.path,
    body: row.body,
    interval: readStoredInterval(row.interval),
    location: row.location,
    nextRun: at(row.next_run),
    nextSched: time(row.next_sched),
    instanceId: row.instance_id === null ? null : Number(row.instance_id),
    lastRun: at(row.last_run),
    lastStatus: row.last_status,
    failures: Number(row.failures),
    claimToken: row.claim_token === null ? null : Number(row.claim_token),
    cron: row.cron ?? null,
    misfire: toMisfire(row.misfire),
    catchup: row.catchup ?? 'PT1H',
    runNow: at(row.run_now),
    schedAnchor: at(row.sched_anchor),
  };
}

/**
 * A row read as an array (better-sqlite3's raw mode, mysql2's rowsAsArray) whose values come in
 * JOB_COLUMNS' order (SQLite's JOB_COLUMNS, MySQL's JOB_COLUMNS_MS) with times as epoch ms:
 * building a 17-property object per row in the driver costs ~1.8 µs per claimed job, an object
 * literal here a tenth of it.
 */
export function jobRowFromValues(v: readonly unknown[]): JobRow {
  return {
    id: v[0] as number,
    path: v[1] as string,
    body: v[2] as string,
    interval: v[3] as string,
    location: v[4] as string,
    next_run: v[5] as number | null,
    next_sched: v[6] as number,
    instance_id: v[7] as number | null,
    last_run: v[8] as number | null,
    last_status: v[9] as string | null,
    failures: v[10] as number,
    claim_token: v[11] as number | string | null,
    cron: v[12] as string | null,
    misfire: v[13] as string,
    catchup: v[14] as string,
    run_now: v[15] as number | null,
    sched_anchor: v[16] as number | null,
  };
}

/** A row whose times are epoch ms already (SQLite, PostgreSQL) as a Job. */
export function toJob(row: JobRow): Job {
  return jobFromRow(row, (ms) => ms);
}

/** Run-now requests first (asked for "at once"), then due jobs; each row once, `limit` at most. */
export function dueFirst<Row extends { id: number }>(runNow: readonly Row[], due: readonly Row[], limit: number): Row[] {
  const seen = new Set(runNow.map((r) => r.id));
  return [...runNow, ...due.filter((r) => !seen.has(r.id))].slice(0, limit);
}
