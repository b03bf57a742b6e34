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
  const iso = new Date(ms).toISOString();
  // 'YYYY-MM-DDTHH:MM:SS.mmmZ' for years 0000–9999 (the representable range); else as is.
  return iso.length === 24 ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}` : iso.replace('T', ' ').replace('Z', '');
}

export function fromSqlTime(text: string | null | undefined): number | null {
  if (text === null || text === undefined) return null;
  return Date.parse(`${text.replace(' ', 'T')}Z`);
}

export function toJob(row: JobRow): Job {
  return jobFromRow(row, (text) => fromSqlTime(text)!);
}
