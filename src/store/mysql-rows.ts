// Row mapping: MySQL rows to Jobs, and instants to and from DATETIME(3) text in UTC. The claim
// reads its times as epoch milliseconds (JOB_COLUMNS_MS) and its rows as arrays; other reads
// get DATETIME text.
import type { RowDataPacket } from 'mysql2/promise';
import type { Job } from '../schedule/job.js';
import { jobFromRow, type JobRowOf } from './job-row.js';
import { utcDateTimeText } from './time-text.js';

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC, as DATETIME(3) takes it. */
export function toSqlTime(ms: number): string;
export function toSqlTime(ms: number | null): string | null;
export function toSqlTime(ms: number | null): string | null {
  return ms === null ? null : utcDateTimeText(ms);
}


export interface JobRow extends JobRowOf<string>, RowDataPacket {}

export function fromSqlTime(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

export function toJob(row: JobRow): Job {
  return jobFromRow(row, (text) => fromSqlTime(text)!);
}
