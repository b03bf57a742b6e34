// Row mapping: MySQL rows (times as text) to Jobs, and instants to and from DATETIME(3) text in UTC.
import type { RowDataPacket } from 'mysql2/promise';
import type { Job } from '../schedule/job.js';
import { jobFromRow, type JobRowOf } from './job-row.js';

export interface JobRow extends JobRowOf<string>, RowDataPacket {}

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

export function toJob(row: JobRow): Job {
  return jobFromRow(row, (text) => fromSqlTime(text)!);
}
