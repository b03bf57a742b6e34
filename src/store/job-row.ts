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

/** A row whose times are epoch ms already (SQLite, PostgreSQL) as a Job. */
export function toJob(row: JobRow): Job {
  return jobFromRow(row, (ms) => ms);
}

/** Run-now requests first (asked for "at once"), then due jobs; each row once, `limit` at most. */
export function dueFirst<Row extends { id: number }>(runNow: readonly Row[], due: readonly Row[], limit: number): Row[] {
  const seen = new Set(runNow.map((r) => r.id));
  return [...runNow, ...due.filter((r) => !seen.has(r.id))].slice(0, limit);
}
