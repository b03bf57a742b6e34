// Row mapping: MySQL rows to Jobs, and instants to and from DATETIME(3) text in UTC.
import type { RowDataPacket } from 'mysql2/promise';
import { readStoredInterval } from '../schedule/duration.js';
import type { Job } from '../schedule/job.js';
import { toMisfire } from './misfire-column.js';

export interface JobRow extends RowDataPacket {
  id: number;
  path: string;
  body: string;
  interval: string;
  location: string;
  next_run: string | null;
  next_sched: string;
  instance_id: number | null;
  last_run: string | null;
  last_status: string | null;
  failures: number;
  claim_token: number | string | null;
  cron: string | null;
  misfire: string;
  catchup: string;
  run_now: string | null;
  /** Absent in a row read before migration; null for Go Dalga's rows. */
  sched_anchor?: string | null;
}

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC, as DATETIME(3) takes it. */
export function toSqlTime(ms: number): string;
export function toSqlTime(ms: number | null): string | null;
export function toSqlTime(ms: number | null): string | null {
  if (ms === null) return null;
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

export function fromSqlTime(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

/** Run-now requests first (asked for "at once"), then due jobs; each row once, `limit` at most. */
export function dueFirst(runNow: readonly JobRow[], due: readonly JobRow[], limit: number): JobRow[] {
  const seen = new Set(runNow.map((r) => r.id));
  return [...runNow, ...due.filter((r) => !seen.has(r.id))].slice(0, limit);
}

export function toJob(row: JobRow): Job {
  return {
    id: Number(row.id),
    path: row.path,
    body: row.body,
    interval: readStoredInterval(row.interval),
    location: row.location,
    nextRun: fromSqlTime(row.next_run),
    nextSched: fromSqlTime(row.next_sched)!,
    instanceId: row.instance_id === null ? null : Number(row.instance_id),
    lastRun: fromSqlTime(row.last_run),
    lastStatus: row.last_status,
    failures: Number(row.failures),
    claimToken: row.claim_token === null ? null : Number(row.claim_token),
    cron: row.cron ?? null,
    misfire: toMisfire(row.misfire),
    catchup: row.catchup ?? 'PT1H',
    runNow: fromSqlTime(row.run_now),
    schedAnchor: fromSqlTime(row.sched_anchor),
  };
}
